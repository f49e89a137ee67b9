// The rule semantics in plain C++: the reference the XDP program is tested against (same
// verdicts on the same packets) and the engine behind dry-runs over stored history.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "guarder/rule.h"

namespace pscope::guarder {

// What a rule can test about one packet. Fields the packet does not have stay empty; a rule
// that tests an empty field does not match (a truncated TCP header has no ports).
struct PacketFacts {
  uint8_t family = 0;  // 4 or 6 (0: not IP, matches nothing)
  std::array<uint8_t, 16> saddr{}, daddr{};
  uint8_t protocol = 0;
  std::optional<uint16_t> sport, dport;
  std::optional<uint8_t> tcp_flags;
  std::optional<uint8_t> icmp_type, icmp_code;
  uint8_t ttl = 0;
  uint16_t length = 0;      // L3 length as in ps_guard_rule.len_*
  uint32_t ifindex = 0;
  std::optional<uint16_t> vlan;
  bool malformed = false;
  // false: the IP header was cut short or impossible (a malformed packet), so its addresses,
  // protocol, ttl and length are unknown and no rule testing them matches.
  bool has_l3 = true;
  struct Inner {
    std::array<uint8_t, 16> src{}, dst{};
    uint8_t protocol = 0;
    std::optional<uint16_t> sport, dport;
  };
  std::optional<Inner> inner;  // only for ICMP/ICMPv6 errors that quote a header
};

// Resolves a rule's iface name for matching (the compiler uses the same resolver).
using IfindexOf = std::optional<uint32_t> (*)(const std::string& name);
std::optional<uint32_t> system_ifindex(const std::string& name);  // if_nametoindex

// Does this one rule's match (ignoring enabled/expiry/action) cover the packet?
bool matches(const Match& m, const PacketFacts& p, IfindexOf ifindex_of = system_ifindex);

struct Verdict {
  bool drop = false;                     // the XDP verdict the kernel would give
  std::optional<uint32_t> terminal;      // id of the drop/pass rule that decided, if any
  std::vector<uint32_t> applied;         // ids of the non-terminal rules applied, in order
};

// Evaluates enabled, unexpired rules in (priority, id) order exactly like the kernel, with
// every rate-limit bucket assumed to have tokens (dry-runs cannot know past bucket states).
// "applied" holds, before the terminal rule, the non-terminal rules (log, rate-limit) and the
// shadow rules (any action: they only count) that matched: the rules whose counters the
// kernel bumps besides the terminal one. Like the kernel it keeps the first
// kMaxApplied (PS_GUARD_MAX_HITS) of them. A rule expires when now_ns > expires_ns.
Verdict evaluate(std::span<const Rule> rules, const PacketFacts& p, int64_t now_ns,
                 IfindexOf ifindex_of = system_ifindex);

inline constexpr size_t kMaxApplied = 16;  // PS_GUARD_MAX_HITS in ps/guard_abi.h

// Facts from raw bytes, parsed exactly as the XDP program does (bpf/guard_parse.bpf.h):
// Ethernet with up to two VLAN tags (the outer id is `vlan`), IPv4 (options skipped) or IPv6
// (up to 6 extension headers followed), then TCP/UDP/SCTP ports, TCP flags, ICMP/ICMPv6
// type/code and the header quoted by ICMP errors. A header cut short or an impossible length
// marks the packet malformed and keeps what was parsed before it. nullopt for a frame that is
// not IPv4/IPv6 (or whose Ethernet/VLAN header is cut). `l2` false: frame starts at the IP
// header (its version nibble says which). `frame` must be the whole packet: a capture cut to
// its first bytes would look cut short (facts_from_path_detail handles captures).
std::optional<PacketFacts> facts_from_frame(std::span<const uint8_t> frame, bool l2 = true,
                                            uint32_t ifindex = 0);

// Facts from a stored Tracer packet's detail JSON (store::PathRepo detail: decoded headers,
// first hop's ifindex). nullopt when the packet was not IP.
std::optional<PacketFacts> facts_from_path_detail(const nlohmann::json& detail);

}  // namespace pscope::guarder
