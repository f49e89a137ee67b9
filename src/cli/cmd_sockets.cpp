// `packetscope sockets [--tcp] [--udp] [--raw] [-4] [-6] [-l] [--netns PATH] [--json]`: the live
// socket table (NETLINK_SOCK_DIAG), like `ss -tuwanp -i` but with one readable TCP detail line.
// `--watch` instead loads the tracer and prints socket state changes as they happen.
#include "cli/cmd_sockets.h"

#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/tracer_session.h"
#include "core/log.h"
#include "tracer/sockets.h"
#include "tracer/tracer.h"

namespace pscope::cli {
namespace {

struct SocketsOptions {
  bool tcp = false, udp = false, raw = false;
  bool v4 = false, v6 = false;
  bool listening = false;
  std::string netns;
  bool json = false;
  bool watch = false;
  uint64_t count = 0;  // --watch: stop after N changes (0: until Ctrl-C)
};

// Interface names resolve in our own namespace, so with --netns only the index is shown.
std::string endpoint(const tracer::SocketInfo& s, const std::string& addr, uint16_t port, bool local,
                     bool foreign_ns) {
  std::string a = s.family == 6 ? "[" + addr + "]" : addr;
  if (local && s.ifindex) {
    char name[IF_NAMESIZE] = {};
    if (!foreign_ns && if_indextoname(s.ifindex, name)) a += "%" + std::string(name);
    else a += "%" + std::to_string(s.ifindex);
  }
  return a + ":" + (port ? std::to_string(port) : "*");
}

std::string process_text(const tracer::SocketInfo& s) {
  std::string out;
  for (const auto& [pid, comm] : s.owners) {
    if (!out.empty()) out += ",";
    out += (comm.empty() ? "?" : comm) + "(" + std::to_string(pid) + ")";
  }
  return out;
}

// Milliseconds with about three significant digits and no trailing zeros: 0.045, 1.2, 230.
std::string ms_text(uint32_t us) {
  double ms = us / 1000.0;
  char buf[32];
  int decimals = ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0;
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, ms);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string rate_text(uint64_t bytes_per_s) {
  double bits = static_cast<double>(bytes_per_s) * 8;
  static constexpr const char* kUnits[] = {"bit/s", "Kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
  size_t u = 0;
  while (bits >= 1000 && u + 1 < std::size(kUnits)) {
    bits /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.1f%s", bits, kUnits[u]);
  return buf;
}

std::string tcp_detail(const tracer::SocketInfo& s) {
  const auto& t = *s.tcp;
  std::string out = "rtt=" + ms_text(t.srtt_us) + "/" + ms_text(t.rttvar_us) + "ms cwnd=" +
                    std::to_string(t.snd_cwnd) + " retrans=" + std::to_string(t.retransmits) + "/" +
                    std::to_string(t.total_retrans);
  if (t.delivery_rate) out += " rate=" + rate_text(t.delivery_rate);
  if (!s.congestion.empty()) out += " cc=" + s.congestion;
  return out;
}

void print_table(const std::vector<tracer::SocketInfo>& socks, bool foreign_ns) {
  struct Row {
    std::vector<std::string> cols;
    std::string detail;
  };
  std::vector<Row> rows;
  rows.push_back({{"Proto", "State", "Recv-Q", "Send-Q", "Local", "Peer", "Process"}, ""});
  for (const auto& s : socks) {
    rows.push_back({{s.proto, s.state, std::to_string(s.rx_queue), std::to_string(s.tx_queue),
                     endpoint(s, s.local_addr, s.local_port, true, foreign_ns),
                     endpoint(s, s.remote_addr, s.remote_port, false, foreign_ns), process_text(s)},
                    s.tcp && s.state != "LISTEN" ? tcp_detail(s) : ""});  // a listener has no path to describe
  }
  std::vector<size_t> width(rows.front().cols.size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.cols.size(); ++i) width[i] = std::max(width[i], r.cols[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.cols.size(); ++i) {
      bool last = i + 1 == r.cols.size();
      bool right = i == 2 || i == 3;  // queue lengths
      std::string pad(width[i] - r.cols[i].size(), ' ');
      line += right ? pad + r.cols[i] : r.cols[i] + (last ? "" : pad);
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
    if (!r.detail.empty()) std::printf("      %s\n", r.detail.c_str());
  }
}

int run_sockets(const SocketsOptions& o) {
  // Warnings (e.g. raw diagnostics missing) go to stderr so --json output stays clean.
  log::init("warn");
  tracer::SocketQuery q;
  if (o.tcp || o.udp || o.raw) {
    q.tcp = o.tcp;
    q.udp = o.udp;
    q.raw = o.raw;
  }
  if (o.v4 || o.v6) {
    q.v4 = o.v4;
    q.v6 = o.v6;
  }
  q.listening_only = o.listening;
  auto socks = o.netns.empty() ? tracer::list_sockets(q) : tracer::list_sockets_in_netns(o.netns, q);
  if (!socks) {
    std::fprintf(stderr, "packetscope sockets: %s\n", socks.error().what.c_str());
    return 1;
  }
  if (o.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : *socks) items.push_back(tracer::to_json(s));
    std::printf("%s\n", items.dump().c_str());
  } else {
    print_table(*socks, !o.netns.empty());
  }
  std::fflush(stdout);
  return 0;
}

// --netns for --watch: an inode number as the tracer reports it, or a namespace file whose inode
// that is (/run/netns/NAME, /proc/PID/ns/net).
Result<uint32_t> netns_inode(const std::string& spec) {
  if (!spec.empty() && std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    unsigned long long v = std::strtoull(spec.c_str(), nullptr, 10);
    if (v == 0 || v > UINT32_MAX) return fail("--netns " + spec + ": not a namespace inode number");
    return static_cast<uint32_t>(v);
  }
  struct stat st {};
  if (::stat(spec.c_str(), &st) != 0)
    return errno_error("--netns " + spec + ": give an inode number or a file like /run/netns/NAME");
  return static_cast<uint32_t>(st.st_ino);
}

bool wanted(const SocketsOptions& o, const tracer::SocketStateChange& c) {
  if ((o.tcp || o.udp || o.raw) && !((o.tcp && c.proto == "tcp") || (o.udp && c.proto == "udp")))
    return false;
  if ((o.v4 || o.v6) && !((o.v4 && c.family == 4) || (o.v6 && c.family == 6))) return false;
  return true;
}

int run_watch(const SocketsOptions& o) {
  log::init("warn");
  uint32_t netns = 0;
  if (!o.netns.empty()) {
    auto n = netns_inode(o.netns);
    if (!n) {
      std::fprintf(stderr, "packetscope sockets: %s\n", n.error().what.c_str());
      return 2;
    }
    netns = *n;
  }
  const sigset_t sigs = block_stop_signals();

  tracer::TracerOptions topts;
  topts.track_paths = false;
  topts.netns_filter = netns;  // applied in the kernel
  // Drop records have no reader here: sample them away in the kernel so that a drop storm cannot
  // crowd socket records out of the ring buffer they share.
  topts.drop_sample = UINT32_MAX;
  std::atomic<uint64_t> shown{0};
  std::atomic<bool> done{false};
  std::mutex out_mu;
  tracer::Tracer tr(topts, {}, {}, [&](tracer::SocketStateChange&& c) {
    if (done.load() || !wanted(o, c)) return;
    uint64_t n = shown.fetch_add(1) + 1;
    if (o.count && n > o.count) return;
    std::lock_guard lk(out_mu);
    if (o.json) std::printf("%s\n", tracer::to_json(c).dump().c_str());
    else std::printf("%s\n", tracer::sock_state_line(c).c_str());
    std::fflush(stdout);
    if (o.count && n >= o.count) done = true;
  });
  if (!start_tracer(tr, "sockets")) return 1;
  std::fprintf(stderr, "watching socket state changes%s (Ctrl-C to stop)\n",
               netns ? (" in netns " + std::to_string(netns)).c_str() : "");
  wait_for_stop(sigs, done);
  auto st = tr.stats();
  tr.stop();
  uint64_t n = o.count ? std::min<uint64_t>(shown.load(), o.count) : shown.load();
  if (st)
    std::fprintf(stderr, "%llu state changes shown, %llu records lost (ring buffer full)\n",
                 static_cast<unsigned long long>(n), static_cast<unsigned long long>(st->ringbuf_lost));
  return 0;
}

}  // namespace

void add_sockets_command(CLI::App& app) {
  auto opts = std::make_shared<SocketsOptions>();
  auto* cmd = app.add_subcommand("sockets", "List TCP, UDP and raw sockets with their owners and TCP internals");
  cmd->add_flag("--tcp,-t", opts->tcp, "TCP sockets (default: all protocols)");
  cmd->add_flag("--udp,-u", opts->udp, "UDP sockets");
  cmd->add_flag("--raw,-w", opts->raw, "Raw IP sockets");
  cmd->add_flag("-4", opts->v4, "IPv4 only (default: both families)");
  cmd->add_flag("-6", opts->v6, "IPv6 only");
  cmd->add_flag("--listening,-l", opts->listening, "Listening TCP and unconnected UDP/raw sockets only");
  cmd->add_option("--netns", opts->netns,
                  "Network namespace to look into, e.g. /run/netns/NAME or /proc/PID/ns/net (needs root);\n"
                  "with --watch also a namespace inode number");
  cmd->add_flag("--json", opts->json, "One JSON array of sockets (--watch: one JSON object per line)");
  auto* watch = cmd->add_flag("--watch", opts->watch,
                              "Print socket state changes as they happen (sock:inet_sock_set_state; needs root),\n"
                              "until Ctrl-C");
  cmd->add_option("--count,-c", opts->count, "With --watch: stop after N state changes")->needs(watch);
  cmd->footer("TCP sockets get a second line: smoothed rtt/rttvar, congestion window, current/total\n"
              "retransmissions, delivery rate and congestion control algorithm.\n"
              "--watch prints: time, protocol, family, local -> remote, OLD -> NEW state, process. The\n"
              "process is the task that made the change when it was a system call (connect, listen,\n"
              "close); for changes caused by a received packet it is whichever task was running.");
  cmd->callback([opts] { throw CLI::RuntimeError(opts->watch ? run_watch(*opts) : run_sockets(*opts)); });
}

}  // namespace pscope::cli
