// Rule <-> JSON (docs/guarder.md "Rule JSON"): top-level fields, output fields, expiry, and
// RFC 7396 patches. The match object lives in rule_match_json.cpp.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "guarder/rule_json_util.h"

namespace pscope::guarder {
namespace {

using detail::Errors;

constexpr int64_t kMaxTtlS = 10LL * 365 * 86400;  // 10 years
constexpr int64_t kNsPerS = 1000000000LL, kNsPerMs = 1000000LL;
constexpr int64_t kMaxRate = 1000000000LL;

const nlohmann::json* field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;  // null means "not set"
  return &*it;
}

// Times are kept at millisecond precision, the precision of their JSON form, so a rule
// survives to_json/parse_rule unchanged.
int64_t floor_ms(int64_t ns) { return ns / kNsPerMs * kNsPerMs; }

std::optional<Action> action_of(const nlohmann::json& j) {
  for (auto a : {Action::kDrop, Action::kPass, Action::kRateLimit, Action::kLog})
    if (j.is_string() && j.get<std::string>() == to_string(a)) return a;
  return std::nullopt;
}

std::optional<Origin> origin_of(const nlohmann::json& j) {
  for (auto o : {Origin::kUser, Origin::kDetector, Origin::kAnalyst, Origin::kLlm})
    if (j.is_string() && j.get<std::string>() == to_string(o)) return o;
  return std::nullopt;
}

void parse_rate(const nlohmann::json* j, Rule& r, Errors& e) {
  if (r.action != Action::kRateLimit) {
    if (j) e.add("rate", "is only for action rate-limit; remove it");
    return;
  }
  const char* shape = "is required for action rate-limit: {\"pps\": N} or {\"bps\": N} with N "
                      "from 1 to 1000000000, and an optional \"burst\"";
  if (!j || !j->is_object()) {
    e.add("rate", shape);
    return;
  }
  detail::refuse_unknown(*j, "rate", {"pps", "bps", "burst"}, e);
  auto* pps = field(*j, "pps");
  auto* bps = field(*j, "bps");
  if ((pps != nullptr) == (bps != nullptr)) {
    e.add("rate", std::string("needs exactly one of pps and bps; ") + shape);
    return;
  }
  RateLimit rl;
  rl.bytes = bps != nullptr;
  auto rate = detail::read_int(pps ? *pps : *bps, pps ? "rate.pps" : "rate.bps", 1, kMaxRate, e);
  if (!rate) return;
  rl.rate = static_cast<uint64_t>(*rate);
  rl.burst = rl.rate;
  if (auto* b = field(*j, "burst")) {
    auto burst = detail::read_int(*b, "rate.burst", 1, kMaxRate, e);
    if (!burst) return;
    rl.burst = static_cast<uint64_t>(*burst);
  }
  r.rate = rl;
}

void parse_log(const nlohmann::json* j, Rule& r, Errors& e) {
  if (r.action != Action::kLog) {
    if (j) e.add("log", "is only for action log; remove it");
    return;
  }
  if (!j) return;
  if (!j->is_object()) {
    e.add("log", "must be {\"every\": N} with N from 1 to 1000000");
    return;
  }
  detail::refuse_unknown(*j, "log", {"every"}, e);
  if (auto* ev = field(*j, "every"))
    if (auto n = detail::read_int(*ev, "log.every", 1, 1000000, e))
      r.log_every = static_cast<uint32_t>(*n);
}

void parse_expiry(const nlohmann::json& j, Rule& r, int64_t now, bool stored, Errors& e) {
  auto* ttl = field(j, "ttl_s");
  auto* at = field(j, "expires_at");
  if (ttl && at) {
    e.add("ttl_s", "give either ttl_s or expires_at, not both");
    return;
  }
  if (ttl) {
    if (auto s = detail::read_int(*ttl, "ttl_s", 1, kMaxTtlS, e))
      r.expires_ns = floor_ms(now + *s * kNsPerS);
    return;
  }
  if (!at) return;
  auto t = at->is_string() ? detail::parse_rfc3339(at->get<std::string>()) : std::nullopt;
  if (!t) {
    e.add("expires_at", "must be an RFC 3339 time such as 2026-11-23T09:00:00Z, or null");
  } else if (stored) {
    r.expires_ns = floor_ms(*t);  // it was in the future when the rule was added
  } else if (*t <= now) {
    e.add("expires_at", fmt::format("{} is not in the future; give a later time or use ttl_s",
                                    at->get<std::string>()));
  } else if (*t - now > kMaxTtlS * kNsPerS) {
    e.add("expires_at", "is more than 10 years away; give an earlier time");
  } else {
    r.expires_ns = floor_ms(*t);
  }
}

std::optional<int64_t> read_time(const nlohmann::json& j, const char* key, Errors& e) {
  auto* v = field(j, key);
  if (!v) return std::nullopt;
  auto t = v->is_string() ? detail::parse_rfc3339(v->get<std::string>()) : std::nullopt;
  if (!t) e.add(key, "must be an RFC 3339 time such as 2026-11-23T09:00:00.000Z, or null");
  return t;
}

void parse_output_fields(const nlohmann::json& j, Rule& r, bool allowed, Errors& e) {
  for (const char* k : {"id", "created_by", "created_at", "updated_at", "counters"})
    if (!allowed && j.contains(k))
      e.add(k, "is set by the server and cannot be given here (only import accepts it)");
  if (!allowed) return;
  if (auto* v = field(j, "id"))
    if (auto id = detail::read_int(*v, "id", 0, UINT32_MAX, e)) r.id = static_cast<uint32_t>(*id);
  if (auto* v = field(j, "created_by"))
    if (auto s = detail::read_string(*v, "created_by", 128, e)) r.created_by = *s;
  if (auto t = read_time(j, "created_at", e)) r.created_ns = *t;
  if (auto t = read_time(j, "updated_at", e)) r.updated_ns = *t;
  // counters are the kernel's: accepted so an export imports back, and ignored.
}

void parse_top(const nlohmann::json& j, Rule& r, Errors& e) {
  if (auto* v = field(j, "priority"))
    if (auto p = detail::read_int(*v, "priority", 0, 1000000, e)) r.priority = static_cast<int32_t>(*p);
  if (auto* v = field(j, "enabled"))
    if (auto b = detail::read_bool(*v, "enabled", e)) r.enabled = *b;
  if (auto* v = field(j, "shadow"))
    if (auto b = detail::read_bool(*v, "shadow", e)) r.shadow = *b;
  if (auto* v = field(j, "origin")) {
    if (auto o = origin_of(*v))
      r.origin = *o;
    else
      e.add("origin", "must be user, detector, analyst or llm");
  }
  if (auto* v = field(j, "comment"))
    if (auto s = detail::read_string(*v, "comment", 512, e)) r.comment = *s;
}

}  // namespace

ParseResult parse_rule(const nlohmann::json& j, const ParseOptions& opt) {
  ParseResult out;
  Errors e{out.errors};
  if (!j.is_object()) {
    e.add("", "a rule must be a JSON object (see docs/guarder.md, Rule JSON)");
    return out;
  }
  detail::refuse_unknown(j, "",
                         {"priority", "enabled", "action", "shadow", "match", "rate", "log",
                          "origin", "comment", "ttl_s", "expires_at", "id", "created_by",
                          "created_at", "updated_at", "counters"},
                         e);
  Rule r;
  const nlohmann::json* action = field(j, "action");
  auto a = action ? action_of(*action) : std::nullopt;
  if (!a)
    e.add("action", action ? "must be drop, pass, rate-limit or log"
                           : "is required: drop, pass, rate-limit or log");
  else
    r.action = *a;
  parse_top(j, r, e);
  if (auto* m = field(j, "match")) r.match = detail::parse_match(*m, opt.stored, e);
  if (a) {
    parse_rate(field(j, "rate"), r, e);
    parse_log(field(j, "log"), r, e);
  }
  int64_t now = opt.now_ns ? opt.now_ns : clock::realtime_ns();
  parse_expiry(j, r, now, opt.stored, e);
  parse_output_fields(j, r, opt.allow_output_fields, e);
  if (out.errors.empty()) out.rule = std::move(r);
  return out;
}

nlohmann::json to_json(const Rule& r) {
  nlohmann::json j = {{"id", r.id},
                      {"priority", r.priority},
                      {"enabled", r.enabled},
                      {"action", to_string(r.action)},
                      {"shadow", r.shadow},
                      {"match", detail::match_json(r.match)}};
  if (r.rate) {
    j["rate"] = {{r.rate->bytes ? "bps" : "pps", r.rate->rate}, {"burst", r.rate->burst}};
  }
  if (r.action == Action::kLog) j["log"] = {{"every", r.log_every}};
  j["origin"] = to_string(r.origin);
  j["comment"] = r.comment;
  j["created_by"] = r.created_by;
  j["created_at"] = detail::time_json(r.created_ns);
  j["updated_at"] = detail::time_json(r.updated_ns);
  j["expires_at"] = r.expires_ns ? detail::time_json(*r.expires_ns) : nlohmann::json(nullptr);
  return j;
}

namespace {

// A patch that moves the rule to new addresses re-derives the family from them, unless it
// names the family itself (the stored family was implied by the old addresses).
bool patch_sets_address(const nlohmann::json& patch) {
  auto it = patch.find("match");
  if (it == patch.end() || !it->is_object()) return false;
  for (const char* k : {"src", "dst"})
    if (it->contains(k) && !(*it)[k].is_null()) return true;
  auto in = it->find("inner");
  if (in != it->end() && in->is_object())
    for (const char* k : {"src", "dst"})
      if (in->contains(k) && !(*in)[k].is_null()) return true;
  return false;
}

}  // namespace

ParseResult apply_patch(const Rule& base, const nlohmann::json& patch, const ParseOptions& opt) {
  if (!patch.is_object())
    return ParseResult{std::nullopt, {{"", "a patch must be a JSON object (RFC 7396 merge patch)"}}};
  nlohmann::json doc = to_json(base);
  std::vector<FieldError> fixed;
  for (const char* k : {"id", "origin", "created_by", "created_at"})
    if (patch.contains(k) && patch[k] != doc[k])
      fixed.push_back({k, "cannot be changed by a patch; create a new rule instead"});
  if (patch.contains("ttl_s") && !patch["ttl_s"].is_null()) doc.erase("expires_at");
  // A new action drops the old action's parameters unless the patch gives them.
  if (patch.contains("action") && patch["action"] != doc["action"]) {
    if (!patch.contains("rate")) doc.erase("rate");
    if (!patch.contains("log")) doc.erase("log");
  }
  if (patch_sets_address(patch) && !(patch["match"].contains("family")))
    doc["match"].erase("family");
  doc.merge_patch(patch);
  ParseOptions o = opt;
  o.allow_output_fields = true;
  ParseResult res = parse_rule(doc, o);
  if (!fixed.empty()) {
    res.errors.insert(res.errors.begin(), fixed.begin(), fixed.end());
    res.rule.reset();
  }
  return res;
}

}  // namespace pscope::guarder
