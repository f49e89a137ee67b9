// `packetscope guard rule add` options -> the API's rule JSON (docs/guarder.md "Rule JSON").
// Pure, so the translation is unit-tested; the daemon still validates every field.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pscope::cli {

struct RuleArgs {
  std::string json_file;  // --json FILE, "-" for stdin; excludes the field options
  std::optional<std::string> action, src, dst, proto, sport, dport, tcp_flags, icmp_type, icmp_code, priority, ttl,
      comment, pps, bps, burst;
  bool shadow = false, disabled = false, force = false;
};

// Reads a file ("-": stdin) for --json; injected so tests need no files.
using ReadFile = std::function<Result<std::string>(const std::string& path)>;

// The POST /api/v1/guard/rules body. Errors are usage errors (exit 2) and name the option.
Result<nlohmann::json> rule_body_from_args(const RuleArgs& a, const ReadFile& read_file);

// "600", "90s", "10m", "2h", "7d" -> seconds (1 s .. 10 years).
Result<int64_t> parse_duration_s(const std::string& s);

// Rule ids given on the command line: positive whole numbers.
Result<std::vector<uint32_t>> parse_ids(const std::vector<std::string>& args);

}  // namespace pscope::cli
