// Declarations shared by the socket table's sources (sockets.cpp: sock_diag and the listing;
// proc_net_raw.cpp: the raw-socket fallback); not part of the tracer's interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "tracer/sockets.h"

namespace pscope::tracer::detail {

// Guards against a dump that never ends (a kernel bug or a hostile peer).
inline constexpr size_t kMaxSockets = 4'000'000;

// inet_ntop text of an address as sock_diag and /proc lay it out (AF_INET: the first word).
std::string addr_text(uint8_t af, const uint32_t (&a)[4]);

// True when a raw sock_diag dump failed because the kernel has no raw_diag.
bool no_raw_diag(const Error& e);

// Appends the raw sockets of `af` (AF_INET/AF_INET6) read from /proc/thread-self/net/raw{,6}:
// the calling thread's network namespace.
Result<void> raw_from_proc(uint8_t af, std::vector<SocketInfo>& out);

}  // namespace pscope::tracer::detail
