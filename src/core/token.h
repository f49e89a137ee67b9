// The API access token: 32 random bytes as hex, created on first start, kept 0600.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace pscope {

// Reads <data_dir>/token, or creates it (0600, data dir 0700) if absent. A token file that is
// readable by group/other is tightened to 0600; one with bad content is an error.
Result<std::string> load_or_create_token(const std::string& data_dir);

// Compares in time independent of where the strings differ.
bool token_equal(std::string_view a, std::string_view b) noexcept;

Result<std::string> random_hex(size_t bytes);

}  // namespace pscope
