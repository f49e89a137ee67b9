// Page-size rule shared by every repository's recent()/list queries.
#pragma once

#include <algorithm>
#include <cstdint>

namespace pscope::store {

inline constexpr std::int64_t kMinPageLimit = 1;
// Caps what one API request can make the daemon read and serialise.
inline constexpr std::int64_t kMaxPageLimit = 1000;

constexpr std::int64_t clamp_limit(std::int64_t limit) noexcept {
  return std::clamp(limit, kMinPageLimit, kMaxPageLimit);
}

}  // namespace pscope::store
