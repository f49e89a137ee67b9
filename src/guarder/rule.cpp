// Rule model basics: names of enums and prefix arithmetic shared by the parser, the safety
// check, the matcher and the compiler.
#include "guarder/rule.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace pscope::guarder {

std::string_view to_string(Action a) noexcept {
  switch (a) {
    case Action::kDrop: return "drop";
    case Action::kPass: return "pass";
    case Action::kRateLimit: return "rate-limit";
    case Action::kLog: return "log";
  }
  return "drop";
}

std::string_view to_string(Origin o) noexcept {
  switch (o) {
    case Origin::kUser: return "user";
    case Origin::kDetector: return "detector";
    case Origin::kAnalyst: return "analyst";
    case Origin::kLlm: return "llm";
  }
  return "user";
}

namespace {

// true when the first `bits` bits of a and b agree.
bool same_prefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                 unsigned bits) noexcept {
  unsigned full = bits / 8;
  for (unsigned i = 0; i < full; ++i)
    if (a[i] != b[i]) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

bool Cidr::contains(const Cidr& other) const noexcept {
  return family == other.family && other.prefix >= prefix && same_prefix(addr, other.addr, prefix);
}

bool Cidr::contains(uint8_t fam, const std::array<uint8_t, 16>& a) const noexcept {
  return family == fam && same_prefix(addr, a, prefix);
}

std::string Cidr::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  // inet_ntop prints IPv6 in RFC 5952 form (lower case, longest zero run compressed).
  inet_ntop(family == 4 ? AF_INET : AF_INET6, addr.data(), buf, sizeof(buf));
  return fmt::format("{}/{}", buf, prefix);
}

}  // namespace pscope::guarder
