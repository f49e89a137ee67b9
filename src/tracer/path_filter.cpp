#include "tracer/path_filter.h"

#include <arpa/inet.h>

#include <algorithm>

namespace pscope::tracer {

std::array<uint8_t, 16> address_bytes(const std::string& text) {
  std::array<uint8_t, 16> out{};
  if (inet_pton(AF_INET, text.c_str(), out.data()) != 1 && inet_pton(AF_INET6, text.c_str(), out.data()) != 1)
    out.fill(0);
  return out;
}

uint8_t l4_number(const std::string& protocol) {
  if (protocol == "tcp") return 6;
  if (protocol == "udp") return 17;
  if (protocol == "icmp") return 1;
  if (protocol == "icmpv6") return 58;
  return 0;
}

FilterInput filter_input(const PathRecord& r) {
  FilterInput in{};
  in.is_arp = r.pkt.protocol == "arp";
  in.family = in.is_arp || r.pkt.src.empty() ? 0 : (r.pkt.src.find(':') != std::string::npos ? 6 : 4);
  in.l4_proto = l4_number(r.pkt.protocol);
  in.src = address_bytes(r.pkt.src);
  in.dst = address_bytes(r.pkt.dst);
  in.sport = r.pkt.sport;
  in.dport = r.pkt.dport;
  for (const auto& h : r.hops) {
    if (h.ifindex && std::find(in.ifindexes.begin(), in.ifindexes.end(), h.ifindex) == in.ifindexes.end())
      in.ifindexes.push_back(h.ifindex);
    if (h.netns && std::find(in.netns.begin(), in.netns.end(), h.netns) == in.netns.end())
      in.netns.push_back(h.netns);
  }
  in.dropped = r.dropped;
  return in;
}

}  // namespace pscope::tracer
