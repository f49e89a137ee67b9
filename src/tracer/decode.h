// Pure decoding of tracer ring-buffer records into readable values (unit-tested without a kernel).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ps/tracer_abi.h"

namespace pscope::tracer {

struct PacketSummary {
  std::string protocol;  // tcp, udp, icmp, icmpv6, arp, ipv4, ipv6, other
  std::string src;       // address text (IPv6 in RFC 5952 form)
  std::string dst;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint16_t vlan = 0;     // 0: untagged
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0;
  uint32_t tcp_ack = 0;
  uint8_t icmp_type = 0;
  uint8_t icmp_code = 0;
  uint8_t ttl = 0;
  uint16_t flags = 0;    // enum ps_meta_flags
  uint32_t length = 0;
};

struct DropRecord {
  int64_t wall_ns = 0;
  std::string reason;     // skb_drop_reason name, e.g. NO_SOCKET
  uint32_t reason_code = 0;
  std::string location;   // kernel symbol+offset of the freeing call
  uint32_t ifindex = 0;
  uint32_t netns = 0;
  PacketSummary pkt;
  std::vector<uint8_t> bytes;  // captured headers
};

std::string format_ip(uint8_t family, const uint8_t addr[16]);
std::string tcp_flags_text(uint8_t flags);  // "SYN|ACK"
PacketSummary summarize(const ps_pkt_meta& m);

}  // namespace pscope::tracer
