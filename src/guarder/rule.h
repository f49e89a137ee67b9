// A Guarder rule: the one model behind the API, the CLI, rule files, detectors, the analyst and
// the LLM (docs/guarder.md "Rule JSON"). Parsing validates every field and reports all errors
// with the field's JSON path; nothing here touches the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pscope::guarder {

enum class Action : uint8_t { kDrop, kPass, kRateLimit, kLog };
enum class Origin : uint8_t { kUser, kDetector, kAnalyst, kLlm };

std::string_view to_string(Action a) noexcept;  // "drop", "pass", "rate-limit", "log"
std::string_view to_string(Origin o) noexcept;  // "user", "detector", "analyst", "llm"

// An IPv4 or IPv6 prefix, host bits zero. addr is network order; IPv4 uses the first 4 bytes.
struct Cidr {
  uint8_t family = 4;  // 4 or 6
  uint8_t prefix = 0;  // 0..32 or 0..128
  std::array<uint8_t, 16> addr{};
  bool contains(const Cidr& other) const noexcept;  // other ⊆ this (same family)
  bool contains(uint8_t fam, const std::array<uint8_t, 16>& a) const noexcept;
  std::string str() const;  // "10.0.0.0/8", "2001:db8::/32" (RFC 5952)
  bool operator==(const Cidr&) const = default;
};

template <class T>
struct Range {
  T lo{};
  T hi{};
  bool contains(T v) const noexcept { return lo <= v && v <= hi; }
  bool operator==(const Range&) const = default;
};

struct InnerMatch {  // the header quoted inside an ICMP/ICMPv6 error
  std::optional<Cidr> src, dst;
  std::optional<uint8_t> protocol;
  std::optional<Range<uint16_t>> sport, dport;
  bool operator==(const InnerMatch&) const = default;
};

struct Match {
  std::optional<Cidr> src, dst;
  std::optional<uint8_t> family;    // 4 or 6; implied by src/dst when they are set
  std::optional<uint8_t> protocol;  // IPPROTO_* number ("tcp" = 6, "icmpv6" = 58, ...)
  std::optional<Range<uint16_t>> sport, dport;  // need protocol tcp, udp or sctp
  std::optional<uint8_t> tcp_flags, tcp_mask;   // both or neither; need protocol tcp
  std::optional<uint8_t> icmp_type, icmp_code;  // need protocol icmp or icmpv6
  std::optional<InnerMatch> inner;              // needs protocol icmp or icmpv6
  std::optional<Range<uint8_t>> ttl;
  std::optional<Range<uint16_t>> length;
  std::optional<std::string> iface;  // interface name, resolved to an ifindex when compiled
  std::optional<uint16_t> vlan;      // 0..4095
  bool malformed = false;            // true: match only packets the parser flagged malformed
  bool operator==(const Match&) const = default;
};

struct RateLimit {
  uint64_t rate = 0;   // per second, per source address
  uint64_t burst = 0;  // bucket depth; defaults to rate
  bool bytes = false;  // false: packets/s, true: bytes/s
  bool operator==(const RateLimit&) const = default;
};

struct Rule {
  uint32_t id = 0;          // 0 until stored; assigned by the store, never reused
  int32_t priority = 1000;  // 0..1000000; lower is evaluated first; ties by id
  bool enabled = true;
  Action action = Action::kDrop;
  bool shadow = false;      // count only: never changes a verdict, never logs
  Match match;
  std::optional<RateLimit> rate;  // required for rate-limit, refused otherwise
  uint32_t log_every = 1;         // log: sample 1 in N hits (1..1000000)
  Origin origin = Origin::kUser;
  std::string comment;       // <= 512 bytes, UTF-8
  std::string created_by;    // "api:<peer>", "cli", "detector:<name>", ...; <= 128 bytes
  int64_t created_ns = 0;    // wall clock, set by the store
  int64_t updated_ns = 0;
  std::optional<int64_t> expires_ns;  // wall clock; the kernel stops matching after it
  bool operator==(const Rule&) const = default;
};

struct FieldError {
  std::string field;    // JSON path: "match.src", "rate.pps", "priority"
  std::string message;  // a sentence: what is wrong and what is accepted
};

struct ParseResult {
  std::optional<Rule> rule;        // set iff errors is empty
  std::vector<FieldError> errors;  // every problem found, not just the first
};

struct ParseOptions {
  int64_t now_ns = 0;  // wall clock, to turn "ttl_s" into expires_ns and refuse the past; 0 = now
  bool allow_output_fields = false;  // accept id/created_*/counters (import, export round trip)
  // Reading back a stored rule: skip the checks against the present (expires_at in the past or
  // too far, interface existence), which held when the rule was added.
  bool stored = false;
};

// Parses and validates one rule object (unknown keys are errors, so typos never widen a rule).
// The request option "force" is not a rule field: callers remove it from the body first.
// Times (expires_ns) are kept to the millisecond, the precision of their JSON form.
ParseResult parse_rule(const nlohmann::json& j, const ParseOptions& opt);

// The rule as JSON (docs/guarder.md); round-trips through parse_rule with allow_output_fields.
nlohmann::json to_json(const Rule& r);

// RFC 7396 merge patch of `patch` onto `base`'s JSON form, then full validation. id, origin,
// created_by and created_ns cannot be changed by a patch (reported as field errors; repeating
// the same value is fine). A patch that changes the action drops the old rate/log unless it
// gives them; one that sets a new address re-derives match.family unless it names it.
ParseResult apply_patch(const Rule& base, const nlohmann::json& patch, const ParseOptions& opt);

// What the safety check needs to know about the change's author.
struct SafetyContext {
  std::optional<Cidr> caller;      // the API peer's address as a /32 or /128; none for the CLI
  uint16_t api_port = 0;           // the daemon's listening port (0 = unknown)
  std::optional<Cidr> local;       // the API's own address on that connection (none = unknown)
};

// Refusals unless forced: a drop or rate-limit rule that matches every packet ("would drop all
// traffic"), or one whose match covers the caller's own address (source or destination side
// of the API connection). Returns the reasons; empty means safe. Shadow and disabled rules,
// pass and log rules are always safe.
//  - "Every packet": no match field narrows it (a family alone does not: it still drops a whole
//    address family; a /0 prefix, ttl 0-255 or length 0-65535 narrow nothing either).
//  - "Caller": the rule may match a packet of the API connection in either direction (caller ->
//    local:api_port, local:api_port -> caller). Its caller-side prefix must contain the caller
//    (or its local-side prefix contain a known local address, or it names no address at all);
//    a protocol other than tcp, an ICMP field, malformed, a port range on the API side that
//    misses api_port, or one on the caller side below 1024 (never an ephemeral port) rule it
//    out. Fields the check cannot know (flags, ttl, length, iface, vlan) are assumed to match.
//    IPv4-mapped IPv6 caller/local addresses are compared as IPv4.
std::vector<FieldError> safety_check(const Rule& r, const SafetyContext& ctx);

}  // namespace pscope::guarder
