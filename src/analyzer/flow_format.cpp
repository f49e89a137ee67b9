// Flow key text (see flow_format.h).
#include "analyzer/flow_format.h"

#include <arpa/inet.h>

namespace pscope::analyzer {

std::string format_addr(uint8_t family, const uint8_t addr[16]) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf))) return "";
  return buf;
}

std::string protocol_name(uint8_t ip_proto) {
  switch (ip_proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmp6";
    default: return "other";
  }
}

std::string flow_key_string(const ps_an_flow_key& k) {
  auto end = [&](const uint8_t* a, uint16_t port) {
    std::string s = format_addr(k.family, a);
    if (k.family == 6) s = "[" + s + "]";
    return s + ":" + std::to_string(port);
  };
  // Protocols without a name keep their number, so that two of them never share a key.
  std::string proto = protocol_name(k.proto);
  if (proto == "other") proto = std::to_string(k.proto);
  return std::to_string(k.netns) + "/" + proto + "/" + end(k.local, k.lport) + "-" + end(k.remote, k.rport);
}

}  // namespace pscope::analyzer
