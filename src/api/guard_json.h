// JSON shapes of the Guarder's API answers (docs/guarder.md "API"), shared by the routes and
// the daemon's guard.counters stream frame.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "api/guard_facade.h"

namespace pscope::api {

using IfnameOf = std::function<std::string(uint32_t)>;

nlohmann::json to_json(const guarder::RuleCounters& c);
nlohmann::json rule_view_json(const GuardRuleView& v);  // the rule + "counters"
nlohmann::json counters_json(const std::unordered_map<uint32_t, guarder::RuleCounters>& m, int64_t ts_ns);
nlohmann::json to_json(const guarder::Attachment& a);
nlohmann::json to_json(const guarder::ApplyReport& r);
nlohmann::json stats_json(const GuardStatsView& s);
nlohmann::json flow_json(const guarder::XdpFlow& f, const IfnameOf& ifname_of);
nlohmann::json log_json(const guarder::LogSample& s);
nlohmann::json audit_json(const store::AuditEntry& e);
nlohmann::json dry_run_json(const DryRunResult& r);
nlohmann::json field_errors_json(const std::vector<guarder::FieldError>& fields);

// "tcp 10.0.0.1:1234 > 10.0.0.2:80 [SYN]" from a captured Ethernet frame; bounds-checked, a
// frame cut short says so.
std::string summarize_frame(std::span<const uint8_t> frame);
// The searchable one-line text of an XDP flow ("tcp 10.0.0.1:1234 > 10.0.0.2:80 eth1").
std::string flow_summary(const guarder::XdpFlow& f, const std::string& ifname);

}  // namespace pscope::api
