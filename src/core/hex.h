// Lower-case hex of a byte string: captured packet bytes in API answers ("bytes_hex").
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace pscope {

inline std::string to_hex(std::span<const uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

}  // namespace pscope
