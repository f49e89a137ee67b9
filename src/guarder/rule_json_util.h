// Internal to the rule JSON code: typed field readers that record a FieldError (JSON path and
// a sentence saying what is accepted) instead of throwing, so one pass reports every problem.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "guarder/rule.h"

namespace pscope::guarder::detail {

struct Errors {
  std::vector<FieldError>& out;
  void add(std::string field, std::string message) {
    out.push_back(FieldError{std::move(field), std::move(message)});
  }
};

// Joins a JSON path: join("match", "src") == "match.src"; join("", "priority") == "priority".
std::string join(std::string_view parent, std::string_view key);

// Refuses every key of `obj` not in `allowed` (a typo must never widen a rule).
void refuse_unknown(const nlohmann::json& obj, std::string_view path,
                    const std::vector<std::string_view>& allowed, Errors& e);

std::optional<int64_t> read_int(const nlohmann::json& j, const std::string& path, int64_t lo,
                                int64_t hi, Errors& e);
std::optional<bool> read_bool(const nlohmann::json& j, const std::string& path, Errors& e);
std::optional<std::string> read_string(const nlohmann::json& j, const std::string& path,
                                       size_t max_bytes, Errors& e);

// "10.0.0.0/8", "2001:db8::/32" or a bare address (a full-length prefix).
std::optional<Cidr> parse_cidr(std::string_view text, std::string* error);
std::optional<Cidr> read_cidr(const nlohmann::json& j, const std::string& path, Errors& e);

// N (integer or digits) or "A-B" with A <= B <= max.
std::optional<Range<uint16_t>> read_range16(const nlohmann::json& j, const std::string& path,
                                            uint16_t max, Errors& e);
nlohmann::json range_json(uint32_t lo, uint32_t hi);

// "tcp", "udp", ... or 0..255.
std::optional<uint8_t> read_protocol(const nlohmann::json& j, const std::string& path, Errors& e);
nlohmann::json protocol_json(uint8_t p);
std::string_view protocol_name(uint8_t p);  // "" when the number has no name here

// "SYN,!ACK" or {"bits": 2, "mask": 18}; returns {bits, mask}.
std::optional<std::pair<uint8_t, uint8_t>> read_tcp_flags(const nlohmann::json& j,
                                                          const std::string& path, Errors& e);
std::string tcp_flags_text(uint8_t bits, uint8_t mask);

bool valid_utf8(std::string_view s) noexcept;

// RFC 3339 ("2026-11-23T09:00:00.123Z", "...+02:00") to wall-clock ns; nullopt if invalid.
std::optional<int64_t> parse_rfc3339(std::string_view s);
// RFC 3339 UTC with milliseconds; JSON null for 0 / none.
nlohmann::json time_json(int64_t ns);

// stored: skip the interface-existence check (ParseOptions::stored).
Match parse_match(const nlohmann::json& j, bool stored, Errors& e);
nlohmann::json match_json(const Match& m);

}  // namespace pscope::guarder::detail
