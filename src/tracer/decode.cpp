// Record decoding (see decode.h).
#include "tracer/decode.h"

#include <arpa/inet.h>

namespace pscope::tracer {

std::string format_ip(uint8_t family, const uint8_t addr[16]) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == 4 || family == 0) {
    if (!inet_ntop(AF_INET, addr, buf, sizeof(buf))) return "";
  } else if (!inet_ntop(AF_INET6, addr, buf, sizeof(buf))) {
    return "";
  }
  return buf;
}

std::string tcp_flags_text(uint8_t flags) {
  static const char* names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string out;
  for (int i = 0; i < 8; ++i)
    if (flags & (1u << i)) out += (out.empty() ? "" : "|") + std::string(names[i]);
  return out;
}

PacketSummary summarize(const ps_pkt_meta& m) {
  PacketSummary s;
  s.flags = m.flags;
  s.length = m.pkt_len;
  s.ttl = m.ttl;
  if (m.flags & PS_META_VLAN) s.vlan = m.vlan_id;
  if (m.l3_proto == 0x0806) {
    s.protocol = "arp";
    s.src = format_ip(4, m.saddr);
    s.dst = format_ip(4, m.daddr);
    return s;
  }
  if (m.family != 4 && m.family != 6) {
    s.protocol = "other";
    return s;
  }
  s.src = format_ip(m.family, m.saddr);
  s.dst = format_ip(m.family, m.daddr);
  switch (m.l4_proto) {
    case 6: s.protocol = "tcp"; break;
    case 17: s.protocol = "udp"; break;
    case 1: s.protocol = "icmp"; break;
    case 58: s.protocol = "icmpv6"; break;
    default: s.protocol = m.family == 4 ? "ipv4" : "ipv6"; break;
  }
  s.sport = m.sport;
  s.dport = m.dport;
  s.tcp_flags = m.tcp_flags;
  s.tcp_seq = m.tcp_seq;
  s.tcp_ack = m.tcp_ack;
  s.icmp_type = m.icmp_type;
  s.icmp_code = m.icmp_code;
  return s;
}

}  // namespace pscope::tracer
