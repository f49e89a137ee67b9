// Socket state change decoding and formatting (see sock_state.h).
#include "tracer/sock_state.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "core/clock.h"
#include "tracer/decode.h"
#include "tracer/sockets.h"

namespace pscope::tracer {

std::string sock_proto_name(uint16_t protocol) {
  switch (protocol) {
    case 6: return "tcp";
    case 17: return "udp";
    case 33: return "dccp";
    case 132: return "sctp";
    case 262: return "mptcp";
    default: return "proto " + std::to_string(protocol);
  }
}

std::string sock_state_text(uint8_t state) { return socket_state_name("tcp", state); }

SocketStateChange decode_sock_state(const ps_sock_event& ev, int64_t wall_offset_ns) {
  SocketStateChange c;
  c.wall_ns = static_cast<int64_t>(ev.ts_ns) + wall_offset_ns;
  c.cookie = ev.cookie;
  c.netns = ev.netns;
  c.family = ev.family;
  c.proto = sock_proto_name(ev.protocol);
  c.old_state = ev.oldstate;
  c.new_state = ev.newstate;
  c.local_addr = format_ip(ev.family, ev.saddr);
  c.local_port = ev.sport;
  c.remote_addr = format_ip(ev.family, ev.daddr);
  c.remote_port = ev.dport;
  c.tgid = ev.tgid;
  // The kernel NUL-terminates comm, but a record is untrusted input: stop at 16 bytes.
  c.comm.assign(ev.comm, std::find(ev.comm, ev.comm + sizeof(ev.comm), '\0'));
  return c;
}

nlohmann::json to_json(const SocketStateChange& c) {
  char hex[24];
  std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(c.cookie));
  return {{"time", clock::iso8601(c.wall_ns)},
          {"ts_ns", c.wall_ns},
          // Numbers above 2^53 are not exact in JavaScript: cookie_hex is the lossless form.
          {"cookie", c.cookie},
          {"cookie_hex", hex},
          {"netns", c.netns},
          {"family", c.family},
          {"proto", c.proto},
          {"old_state", sock_state_text(c.old_state)},
          {"new_state", sock_state_text(c.new_state)},
          {"local_addr", c.local_addr},
          {"local_port", c.local_port},
          {"remote_addr", c.remote_addr},
          {"remote_port", c.remote_port},
          {"pid", c.tgid},
          {"comm", c.comm}};
}

namespace {

std::string endpoint(const SocketStateChange& c, const std::string& addr, uint16_t port) {
  std::string a = c.family == 6 ? "[" + addr + "]" : addr;
  return a + ":" + (port ? std::to_string(port) : "*");
}

}  // namespace

std::string sock_state_line(const SocketStateChange& c) {
  time_t secs = static_cast<time_t>(c.wall_ns / 1000000000LL);
  tm t{};
  localtime_r(&secs, &t);
  std::string process = c.tgid ? fmt::format("{}({})", c.comm, c.tgid) : "-";
  return fmt::format("{:02}:{:02}:{:02}.{:06}  {:<5} ipv{}  {} -> {}  {} -> {}  {}", t.tm_hour, t.tm_min, t.tm_sec,
                     (c.wall_ns / 1000) % 1000000, c.proto, c.family, endpoint(c, c.local_addr, c.local_port),
                     endpoint(c, c.remote_addr, c.remote_port), sock_state_text(c.old_state),
                     sock_state_text(c.new_state), process);
}

}  // namespace pscope::tracer
