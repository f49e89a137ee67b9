// Option -> rule JSON translation (see cmd_guard_args.h).
#include "cli/cmd_guard_args.h"

#include <cctype>
#include <charconv>
#include <tuple>

namespace pscope::cli {
namespace {

Result<int64_t> whole(const std::string& opt, const std::string& v, int64_t lo, int64_t hi) {
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi)
    return fail(opt + " '" + v + "' must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return x;
}

// A port option: "N" becomes a number, "A-B" stays text (the daemon checks the range).
Result<nlohmann::json> port(const std::string& opt, const std::string& v) {
  if (v.find('-') != std::string::npos) return nlohmann::json(v);
  auto n = whole(opt, v, 0, 65535);
  if (!n) return fail(n.error().what + ", or a range A-B");
  return nlohmann::json(*n);
}

bool any_field(const RuleArgs& a) {
  for (const auto* o : {&a.action, &a.src, &a.dst, &a.proto, &a.sport, &a.dport, &a.tcp_flags, &a.icmp_type,
                        &a.icmp_code, &a.priority, &a.ttl, &a.comment, &a.pps, &a.bps, &a.burst})
    if (*o) return true;
  return a.shadow || a.disabled;
}

Result<void> add_match(const RuleArgs& a, nlohmann::json& m) {
  if (a.src) m["src"] = *a.src;
  if (a.dst) m["dst"] = *a.dst;
  if (a.proto) {
    auto n = whole("--proto", *a.proto, 0, 255);
    m["protocol"] = n ? nlohmann::json(*n) : nlohmann::json(*a.proto);  // a number or a name
  }
  for (auto [opt, key, val] : {std::tuple{"--sport", "sport", &a.sport}, std::tuple{"--dport", "dport", &a.dport}}) {
    if (!*val) continue;
    auto p = port(opt, **val);
    if (!p) return tl::unexpected(p.error());
    m[key] = *p;
  }
  if (a.tcp_flags) m["tcp_flags"] = *a.tcp_flags;
  if (a.icmp_code && !a.icmp_type) return fail("--icmp-code needs --icmp-type");
  if (a.icmp_type) {
    auto t = whole("--icmp-type", *a.icmp_type, 0, 255);
    if (!t) return tl::unexpected(t.error());
    m["icmp"] = {{"type", *t}};
    if (a.icmp_code) {
      auto c = whole("--icmp-code", *a.icmp_code, 0, 255);
      if (!c) return tl::unexpected(c.error());
      m["icmp"]["code"] = *c;
    }
  }
  return {};
}

Result<void> add_rate(const RuleArgs& a, nlohmann::json& body) {
  if (a.pps && a.bps) return fail("--pps and --bps exclude each other: a rate is in packets or in bytes per second");
  if (a.burst && !a.pps && !a.bps) return fail("--burst needs --pps or --bps");
  if (!a.pps && !a.bps) return {};
  nlohmann::json rate = nlohmann::json::object();
  const char* key = a.pps ? "pps" : "bps";
  auto r = whole(a.pps ? "--pps" : "--bps", a.pps ? *a.pps : *a.bps, 1, 1000000000);
  if (!r) return tl::unexpected(r.error());
  rate[key] = *r;
  if (a.burst) {
    auto b = whole("--burst", *a.burst, 1, 1000000000);
    if (!b) return tl::unexpected(b.error());
    rate["burst"] = *b;
  }
  body["rate"] = rate;
  return {};
}

}  // namespace

Result<int64_t> parse_duration_s(const std::string& s) {
  if (s.empty()) return fail("--ttl is empty: give seconds or a duration like 90s, 10m, 2h, 7d");
  int64_t unit = 1;
  std::string num = s;
  switch (s.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default:
      if (!std::isdigit(static_cast<unsigned char>(s.back())))
        return fail("--ttl '" + s + "': the unit must be s, m, h or d");
      break;
  }
  if (!std::isdigit(static_cast<unsigned char>(s.back()))) num.pop_back();
  constexpr int64_t kTenYears = 10LL * 365 * 86400;
  auto n = whole("--ttl", num, 1, kTenYears / unit);
  if (!n) return fail("--ttl '" + s + "' must be a duration from 1s to 10 years: seconds, or N with s, m, h or d");
  return *n * unit;
}

Result<std::vector<uint32_t>> parse_ids(const std::vector<std::string>& args) {
  if (args.empty()) return fail("give at least one rule id");
  std::vector<uint32_t> ids;
  for (const auto& a : args) {
    auto n = whole("rule id", a, 1, UINT32_MAX);
    if (!n) return tl::unexpected(n.error());
    ids.push_back(static_cast<uint32_t>(*n));
  }
  return ids;
}

Result<nlohmann::json> rule_body_from_args(const RuleArgs& a, const ReadFile& read_file) {
  nlohmann::json body;
  if (!a.json_file.empty()) {
    if (any_field(a)) return fail("--json takes the whole rule from the file: drop the other rule options");
    auto text = read_file(a.json_file);
    if (!text) return tl::unexpected(text.error());
    body = nlohmann::json::parse(*text, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return fail("--json " + a.json_file + ": the file must hold one rule as a JSON object");
  } else {
    if (!a.action) return fail("--action is required (drop, pass, rate-limit or log), or give --json FILE");
    body = {{"action", *a.action}};
    nlohmann::json m = nlohmann::json::object();
    if (auto r = add_match(a, m); !r) return tl::unexpected(r.error());
    if (!m.empty()) body["match"] = m;
    if (auto r = add_rate(a, body); !r) return tl::unexpected(r.error());
    if (a.priority) {
      auto p = whole("--priority", *a.priority, 0, 1000000);
      if (!p) return tl::unexpected(p.error());
      body["priority"] = *p;
    }
    if (a.ttl) {
      auto t = parse_duration_s(*a.ttl);
      if (!t) return tl::unexpected(t.error());
      body["ttl_s"] = *t;
    }
    if (a.comment) body["comment"] = *a.comment;
    if (a.shadow) body["shadow"] = true;
    if (a.disabled) body["enabled"] = false;
  }
  if (a.force) body["force"] = true;
  return body;
}

}  // namespace pscope::cli
