// `packetscope top [--sort bytes|loss|latency] [-n N] [--interval MS] [--json] [--netns ID]`.
// Loads its own copy of the analyzer programs (independent of a running daemon) and redraws
// one frame per snapshot: clear + redraw with ANSI escapes on a terminal, plain frames
// separated by a blank line otherwise.
#include "cli/cmd_top.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>

#include "analyzer/analyzer.h"
#include "analyzer/snapshot_json.h"
#include "cli/tracer_session.h"
#include "core/clock.h"
#include "core/log.h"

namespace pscope::cli {
namespace {

struct TopOptions {
  std::string sort = "bytes";
  uint64_t iterations = 0;  // 0: until Ctrl-C
  uint32_t interval_ms = 1000;
  bool json = false;
  uint32_t netns = 0;
  uint32_t rows = 20;
  uint32_t latency_sample = 1;
};

std::string si(double v, const char* unit) {
  const char* prefix[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (v >= 1000 && i < 4) v /= 1000, ++i;
  char buf[32];
  std::snprintf(buf, sizeof(buf), i ? "%.2f%s%s" : "%.0f%s%s", v, prefix[i], unit);
  return buf;
}

std::string dur(double ns) {
  char buf[32];
  if (ns <= 0) return "-";
  if (ns < 1e3) std::snprintf(buf, sizeof(buf), "%.0fns", ns);
  else if (ns < 1e6) std::snprintf(buf, sizeof(buf), "%.1fus", ns / 1e3);
  else if (ns < 1e9) std::snprintf(buf, sizeof(buf), "%.1fms", ns / 1e6);
  else std::snprintf(buf, sizeof(buf), "%.2fs", ns / 1e9);
  return buf;
}

void sort_flows(std::vector<analyzer::Flow>& flows, const std::string& by) {
  auto key = [&](const analyzer::Flow& f) -> double {
    if (by == "loss") return static_cast<double>(f.drops + f.retransmits);
    if (by == "latency") return static_cast<double>(f.latency_avg_ns);
    return f.rx.bps + f.tx.bps;
  };
  std::stable_sort(flows.begin(), flows.end(), [&](const auto& a, const auto& b) {
    double ka = key(a), kb = key(b);
    if (ka != kb) return ka > kb;
    return a.rx.bytes + a.tx.bytes > b.rx.bytes + b.tx.bytes;
  });
}

void print_layers(const analyzer::Snapshot& s) {
  std::printf("%-10s %12s %12s %12s %12s %14s %14s\n", "LAYER", "RX pkt/s", "RX bit/s", "TX pkt/s", "TX bit/s",
              "RX packets", "TX packets");
  for (int l = 0; l < analyzer::kLayers; ++l) {
    const auto& rx = s.volume[l][0];
    const auto& tx = s.volume[l][1];
    std::printf("%-10s %12s %12s %12s %12s %14llu %14llu\n", analyzer::to_string(static_cast<analyzer::Layer>(l)),
                si(rx.pps, "").c_str(), si(rx.bps, "b").c_str(), si(tx.pps, "").c_str(), si(tx.bps, "b").c_str(),
                static_cast<unsigned long long>(rx.packets), static_cast<unsigned long long>(tx.packets));
  }
}

void print_pairs(const analyzer::Snapshot& s) {
  std::printf("\n%-26s %8s %9s %9s %9s %9s %10s\n", "LATENCY", "count", "p50", "p90", "p99", "max", "cross/s");
  for (const auto& p : s.pairs) {
    std::string name = std::string(analyzer::to_string(p.dir)) + " " + analyzer::to_string(p.from) + "->" +
                       analyzer::to_string(p.to);
    const auto& l = p.latency;
    std::printf("%-26s %8llu %9s %9s %9s %9s %10s\n", name.c_str(), static_cast<unsigned long long>(l.count),
                dur(l.p50_ns).c_str(), dur(l.p90_ns).c_str(), dur(l.p99_ns).c_str(),
                dur(static_cast<double>(l.max_ns)).c_str(), si(p.transitions_per_s, "").c_str());
  }
}

void print_loss(const analyzer::Snapshot& s, size_t rows) {
  const auto& l = s.loss;
  std::printf("\nDROPS %llu total, %s/s, ratio %.2f%%   link %llu  network %llu  transport %llu  socket %llu\n",
              static_cast<unsigned long long>(l.drops), si(l.drops_per_s, "").c_str(), l.drop_ratio * 100,
              static_cast<unsigned long long>(l.by_layer[0]), static_cast<unsigned long long>(l.by_layer[1]),
              static_cast<unsigned long long>(l.by_layer[2]), static_cast<unsigned long long>(l.by_layer[3]));
  for (size_t i = 0; i < std::min(rows, l.by_reason.size()); ++i) {
    const auto& r = l.by_reason[i];
    std::printf("  %-28s %-10s %10llu %10s/s\n", r.reason.c_str(), analyzer::to_string(r.layer),
                static_cast<unsigned long long>(r.count), si(r.per_s, "").c_str());
  }
  const auto& t = s.tcp;
  std::printf("TCP retransmits %llu (%s/s)  resets sent %llu  received %llu  bad checksums %llu\n",
              static_cast<unsigned long long>(t.retransmits), si(t.retransmits_per_s, "").c_str(),
              static_cast<unsigned long long>(t.rst_sent), static_cast<unsigned long long>(t.rst_received),
              static_cast<unsigned long long>(t.bad_csum));
}

void print_flows(const analyzer::Snapshot& s, size_t rows, const std::string& sort) {
  std::printf("\nFLOWS by %s\n%-5s %-28s %-28s %10s %10s %6s %6s %8s %9s %s\n", sort.c_str(), "PROTO", "LOCAL", "REMOTE",
              "RX bit/s", "TX bit/s", "DROPS", "RETR", "SRTT", "LAT avg", "PROCESS");
  auto endpoint = [](const std::string& a, uint16_t port, uint8_t fam) {
    return (fam == 6 ? "[" + a + "]" : a) + ":" + std::to_string(port);
  };
  for (size_t i = 0; i < std::min(rows, s.flows.size()); ++i) {
    const auto& f = s.flows[i];
    std::string proc = f.pid ? std::to_string(f.pid) + "/" + f.comm : "-";
    std::printf("%-5s %-28s %-28s %10s %10s %6llu %6llu %8s %9s %s\n", f.protocol.c_str(),
                endpoint(f.local, f.lport, f.family).c_str(), endpoint(f.remote, f.rport, f.family).c_str(),
                si(f.rx.bps, "b").c_str(), si(f.tx.bps, "b").c_str(), static_cast<unsigned long long>(f.drops),
                static_cast<unsigned long long>(f.retransmits), f.srtt_us ? dur(f.srtt_us * 1e3).c_str() : "-",
                dur(static_cast<double>(f.latency_avg_ns)).c_str(), proc.c_str());
  }
  std::printf("\nMAPS");
  for (const auto& m : s.maps)
    std::printf("  %s %llu/%llu (pushed out or failed %llu)", m.map.c_str(), static_cast<unsigned long long>(m.entries),
                static_cast<unsigned long long>(m.capacity), static_cast<unsigned long long>(m.evictions_or_failures));
  std::printf("\n");
}

void print_frame(analyzer::Snapshot s, const TopOptions& o, bool tty) {
  sort_flows(s.flows, o.sort);
  if (o.json) {
    analyzer::JsonOptions jo;
    jo.top_flows = o.rows;
    std::printf("%s\n", analyzer::to_json(s, jo).dump().c_str());
    std::fflush(stdout);
    return;
  }
  if (tty) std::printf("\x1b[H\x1b[2J");
  std::printf("packetscope top  %s  interval %.2f s  latency 1 in %u%s\n\n", clock::iso8601(s.wall_ns).c_str(),
              s.interval_s, s.latency_sample, o.netns ? (" netns " + std::to_string(o.netns)).c_str() : "");
  print_layers(s);
  print_pairs(s);
  print_loss(s, 8);
  print_flows(s, o.rows, o.sort);
  if (!tty) std::printf("\n");
  std::fflush(stdout);
}

int run_top(const TopOptions& o) {
  // Subcommands run before main() sets up logging: the default logger writes to stdout, which
  // is the view (or the JSON stream). Warnings go to stderr; the view says the rest.
  log::init("warn");
  const sigset_t sigs = block_stop_signals();
  const bool tty = isatty(STDOUT_FILENO) == 1;
  analyzer::AnalyzerOptions ao;
  ao.interval = std::chrono::milliseconds(o.interval_ms);
  ao.netns_filter = o.netns;
  ao.latency_sample = o.latency_sample;
  // Every flow reaches the view, so that --sort loss|latency ranks all of them, not the top by bytes.
  ao.top_n = 100'000;
  std::atomic<uint64_t> frames{0};
  std::atomic<bool> done{false};
  analyzer::Analyzer an(ao, [&](const analyzer::Snapshot& s) {
    if (done.load()) return;
    print_frame(s, o, tty);
    if (o.iterations && frames.fetch_add(1) + 1 >= o.iterations) done = true;
  });
  auto r = an.check_support();
  if (r) r = an.start();
  if (!r) {
    std::fprintf(stderr, "packetscope top: %s\n", r.error().what.c_str());
    return 1;
  }
  wait_for_stop(sigs, done);
  an.stop();
  return 0;
}

}  // namespace

void add_top_command(CLI::App& app) {
  auto opts = std::make_shared<TopOptions>();
  auto* cmd = app.add_subcommand("top", "Live per-layer volume, cross-layer latency, drops and top flows (the Analyzer)");
  cmd->add_option("--sort", opts->sort, "Order flows by bytes (rate), loss (drops + retransmits) or latency (receive link->socket)")
      ->check(CLI::IsMember({"bytes", "loss", "latency"}));
  cmd->add_option("-n,--iterations", opts->iterations, "Stop after N snapshots (default: until Ctrl-C)");
  cmd->add_option("--interval", opts->interval_ms, "Milliseconds between snapshots")->check(CLI::Range(100u, 60000u));
  cmd->add_flag("--json", opts->json, "One snapshot JSON object per line (the API's shape)");
  cmd->add_option("--netns", opts->netns, "Only this network namespace (inode number, as in `ls -iL /proc/PID/ns/net`)");
  cmd->add_option("--rows", opts->rows, "Flows shown (and in --json)")->check(CLI::Range(1u, 10000u));
  cmd->add_option("--latency-sample", opts->latency_sample, "Time 1 in N packets for the latency histograms (volumes stay exact)")
      ->check(CLI::Range(1u, 1000000u));
  cmd->callback([opts] { throw CLI::RuntimeError(run_top(*opts)); });
}

}  // namespace pscope::cli
