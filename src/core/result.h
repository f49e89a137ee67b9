// Result<T>: the std::expected-shaped error channel used across PacketScope (C++20 has no
// std::expected; tl::expected from libexpected-dev provides the same interface).
#pragma once

#include <cerrno>
#include <cstring>
#include <source_location>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace pscope {

// An error a user can act on: `what` is a full sentence naming the object and, where possible,
// what to do about it. `code` is a negative errno for system errors, 0 otherwise.
struct Error {
  int code = 0;
  std::string what;
  std::source_location where = std::source_location::current();
};

template <class T = void>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(std::string what,
                                  std::source_location w = std::source_location::current()) {
  return tl::unexpected<Error>(Error{0, std::move(what), w});
}

// libbpf 1.x: int APIs return -errno; pointer APIs return NULL and set errno. Convert once, at
// the call site, naming the object.
inline tl::unexpected<Error> sys_error(int neg_errno, std::string what,
                                       std::source_location w = std::source_location::current()) {
  int e = neg_errno < 0 ? -neg_errno : neg_errno;
  return tl::unexpected<Error>(
      Error{-e, std::move(what) + ": " + std::strerror(e), w});
}

inline tl::unexpected<Error> errno_error(std::string what,
                                         std::source_location w = std::source_location::current()) {
  return sys_error(errno, std::move(what), w);
}

}  // namespace pscope
