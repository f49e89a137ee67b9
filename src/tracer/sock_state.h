// Socket state changes from sock:inet_sock_set_state: the decoded record, its JSON form and the
// one-line text the CLI prints. Pure functions, unit-testable without a kernel.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "ps/tracer_abi.h"

namespace pscope::tracer {

struct SocketStateChange {
  int64_t wall_ns = 0;
  uint64_t cookie = 0;       // socket cookie, the same number the socket table shows
  uint32_t netns = 0;        // network namespace inode
  uint8_t family = 0;        // 4 or 6
  std::string proto;         // "tcp", "sctp", "mptcp", "dccp", or "proto N"
  uint8_t old_state = 0;     // kernel TCP_* value
  uint8_t new_state = 0;
  std::string local_addr;    // IPv6 in RFC 5952 form (IPv4-mapped: ::ffff:a.b.c.d)
  uint16_t local_port = 0;   // 0 before the socket has one (CLOSE -> SYN_SENT of connect())
  std::string remote_addr;
  uint16_t remote_port = 0;
  // The task current at the change: meaningful for changes made by system calls (connect,
  // listen, close, shutdown); for changes driven by a received packet it is whichever task the
  // softirq interrupted (see ps_sock_event in tracer_abi.h).
  uint32_t tgid = 0;
  std::string comm;
};

// `wall_offset_ns`: CLOCK_REALTIME - CLOCK_MONOTONIC, added to the record's monotonic stamp.
SocketStateChange decode_sock_state(const ps_sock_event& ev, int64_t wall_offset_ns);

// "tcp", "sctp", ... for an sk_protocol value.
std::string sock_proto_name(uint16_t protocol);
// State names as the socket table writes them ("SYN_SENT", "ESTABLISHED", ...): every
// protocol reports TCP_* values here.
std::string sock_state_text(uint8_t state);

// {"time", "ts_ns", "cookie", "cookie_hex", "netns", "family", "proto", "old_state", "new_state",
//  "local_addr", "local_port", "remote_addr", "remote_port", "pid", "comm"}.
nlohmann::json to_json(const SocketStateChange& c);
// "12:01:02.345678  tcp   ipv4  10.0.0.1:40000 -> 10.0.0.2:80  SYN_SENT -> ESTABLISHED  curl(123)",
// local time; the process is "-" when the record has none.
std::string sock_state_line(const SocketStateChange& c);

}  // namespace pscope::tracer
