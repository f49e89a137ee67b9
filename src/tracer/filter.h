// The tracer's tcpdump-like filter language: parsed once, evaluated in user space on every
// finished packet, and reduced to the kernel's ps_filter prefilter (a necessary condition).
//
// Grammar (keywords are case-insensitive):
//   expr     := and_expr { ("or" | "||") and_expr }
//   and_expr := unary { ("and" | "&&") unary }
//   unary    := ("not" | "!") unary | "(" expr ")" | primitive
//   primitive:= tcp | udp | icmp | icmp6 | arp | ip | ip6 | drop
//             | [src|dst] host ADDR | [src|dst] net ADDR[/LEN] | (src|dst) ADDR[/LEN]
//             | [src|dst] port N | [src|dst] portrange A-B | dev IF | netns INODE
//             | (tcp|udp) [src|dst] (port N | portrange A-B)
// ADDR is IPv4 or IPv6 (no zone: "fe80::1%eth0" is an error, add "and dev eth0"); ARP packets
// match on their sender/target IPv4 addresses. Ports are 0-65535; A-B must not be reversed.
// The last form is tcpdump's: "tcp port 80" means "(tcp and port 80)". Other primitives must be
// joined by an operator ("tcp host 10.0.0.1" is an error: write "tcp and host 10.0.0.1").
// An empty (or blank) expression matches everything.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ps/path_abi.h"

namespace pscope::tracer {

// What user space knows about a finished packet.
struct FilterInput {
  uint8_t family = 0;                 // 4, 6, or 0 (non-IP; ARP is family 0 with is_arp)
  bool is_arp = false;
  uint8_t l4_proto = 0;               // IPPROTO_*
  std::array<uint8_t, 16> src{};      // IPv4 in the first 4 bytes; ARP: sender IP
  std::array<uint8_t, 16> dst{};      // ARP: target IP
  uint16_t sport = 0;
  uint16_t dport = 0;
  std::vector<uint32_t> ifindexes;    // every ifindex on the path
  std::vector<uint64_t> netns;        // every netns inode on the path
  bool dropped = false;
};

// Interface name -> ifindex; nullopt when there is no such interface.
using IfResolver = std::function<std::optional<uint32_t>(std::string_view)>;

// Limits on an expression; beyond them parse() fails with a clear message.
inline constexpr size_t kFilterMaxLength = 1024;
inline constexpr int kFilterMaxDepth = 32;       // nested "(" and "not"
inline constexpr int kFilterMaxPrimitives = 64;

// kernel_prefilter() sets proto_mask to this when the protocol terms can match nothing
// ("tcp and udp"): no packet's class has this bit, so the kernel keeps nothing.
inline constexpr uint32_t kProtoMaskNothing = 1u << PS_PC_MAX;

namespace detail {

enum class NodeKind : uint8_t { kAnd, kOr, kNot, kProto, kAddr, kPort, kDev, kNetns, kDrop };
enum class Proto : uint8_t { kTcp, kUdp, kIcmp, kIcmp6, kArp, kIp, kIp6 };

struct Node {
  NodeKind kind = NodeKind::kDrop;
  std::vector<int> kids;             // kAnd/kOr: two or more; kNot: one
  Proto proto = Proto::kTcp;         // kProto
  uint8_t dir = PS_DIR_ANY;          // kAddr, kPort: enum ps_filter_dir
  uint8_t family = 0;                // kAddr: 4 or 6
  uint8_t prefix_len = 0;            // kAddr
  bool is_net = false;               // kAddr: written as a network (text only)
  std::array<uint8_t, 16> addr{};    // kAddr: host bits are zero
  uint16_t lo = 0, hi = 0;           // kPort: inclusive range
  bool is_range = false;             // kPort: written as portrange (text only)
  uint64_t id = 0;                   // kDev: ifindex; kNetns: inode
  std::string name;                  // kDev: as written
};

}  // namespace detail

class Filter {
 public:
  Filter() = default;  // the empty filter: matches everything

  // Parses `expr`; `resolve` turns "dev NAME" into an ifindex (without it only indexes work).
  // Errors read "filter: column N: ..." with N the 1-based column of the offending token.
  static Result<Filter> parse(std::string_view expr, IfResolver resolve = {});

  bool matches(const FilterInput& in) const;
  // The kernel's share of the expression: a necessary condition of matches(). Address, port,
  // dev, netns and drop terms come only from top-level conjuncts (at most 4 address and 4 port
  // terms, one dev, one netns); proto_mask is the set of packet classes the whole expression
  // allows, when that can be told from protocol primitives (OR, AND and ip/ip6 included).
  ps_filter kernel_prefilter() const;
  // Normalised text: lower-case keywords, canonical addresses, explicit grouping of "and"
  // inside "or"; parsing it gives the same filter.
  const std::string& text() const { return text_; }
  bool empty() const { return root_ < 0; }

 private:
  bool eval(int node, const FilterInput& in) const;
  std::string render(int node) const;
  std::optional<uint32_t> class_mask(int node) const;

  std::vector<detail::Node> nodes_;
  int root_ = -1;
  std::string text_;
};

}  // namespace pscope::tracer
