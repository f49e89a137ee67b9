// `packetscope trace [EXPR] [--json] [--write FILE.pcapng] [--count N] [--snaplen N]`.
// Loads its own copy of the tracer programs (independent of a running daemon), pushes the
// expression's prefilter into the kernel and checks the full expression on every record.
#include "cli/cmd_trace.h"

#include <net/if.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/tracer_session.h"
#include "tracer/filter.h"
#include "tracer/path_filter.h"
#include "tracer/pcapng.h"
#include "tracer/tracer.h"

namespace pscope::cli {
namespace {

struct TraceOptions {
  std::vector<std::string> expr;
  bool json = false;
  std::string write;
  uint64_t count = 0;
  uint32_t snaplen = PS_HDR_CAP;
  uint32_t sample = 1;
};

std::optional<uint32_t> resolve_dev(std::string_view name) {
  unsigned idx = if_nametoindex(std::string(name).c_str());
  return idx ? std::optional<uint32_t>(idx) : std::nullopt;
}

std::string if_label(uint32_t ifindex) {
  char buf[IF_NAMESIZE] = {};
  if (ifindex && if_indextoname(ifindex, buf)) return buf;
  return "ifindex " + std::to_string(ifindex);
}

int run_trace(const TraceOptions& o) {
  std::string text;
  for (const auto& w : o.expr) text += (text.empty() ? "" : " ") + w;
  auto filter = tracer::Filter::parse(text, resolve_dev);
  if (!filter) {
    std::fprintf(stderr, "packetscope trace: %s\n", filter.error().what.c_str());
    return 2;
  }
  std::optional<tracer::PcapngWriter> pcap;
  if (!o.write.empty()) {
    auto w = tracer::PcapngWriter::create(o.write, o.snaplen);
    if (!w) {
      std::fprintf(stderr, "packetscope trace: %s\n", w.error().what.c_str());
      return 1;
    }
    pcap.emplace(std::move(*w));
  }
  const sigset_t sigs = block_stop_signals();

  std::atomic<uint64_t> matched{0};
  std::mutex out_mu;
  std::atomic<bool> done{false};
  tracer::TracerOptions topts;
  topts.track_paths = true;
  topts.drop_records = false;  // paths carry their drops; separate drop records would be unread
  tracer::Tracer tr(topts, {}, [&](tracer::PathRecord&& r) {
    if (done.load() || (!filter->empty() && !filter->matches(tracer::filter_input(r)))) return;
    uint64_t n = matched.fetch_add(1) + 1;
    if (o.count && n > o.count) return;
    std::lock_guard lk(out_mu);
    if (pcap) {
      auto lt = (r.pkt.flags & PS_META_L2) ? tracer::LinkType::kEthernet : tracer::LinkType::kRaw;
      uint32_t first_if = r.hops.empty() ? 0 : r.hops.front().ifindex;
      if (auto w = pcap->write(r.wall_ns, lt, if_label(first_if), r.bytes, r.pkt.length, tracer::pcap_comment(r)); !w)
        std::fprintf(stderr, "packetscope trace: %s\n", w.error().what.c_str());
    }
    if (o.json) std::printf("%s\n", tracer::path_detail_json(r).dump().c_str());
    else if (!pcap) std::printf("%s", tracer::timeline(r).c_str());
    std::fflush(stdout);
    if (o.count && n >= o.count) done = true;
  });
  if (!start_tracer(tr, "trace")) return 1;
  ps_filter kf = filter->kernel_prefilter();
  kf.sample = o.sample;
  if (o.sample > 1) kf.enabled = 1;
  if (auto r = tr.set_filter(kf); !r) {
    std::fprintf(stderr, "packetscope trace: %s\n", r.error().what.c_str());
    return 1;
  }
  std::fprintf(stderr, "tracing%s%s (Ctrl-C to stop)\n", text.empty() ? "" : ": ", text.c_str());
  wait_for_stop(sigs, done);
  auto st = tr.stats();
  tr.stop();
  if (pcap) (void)pcap->flush();
  uint64_t shown = o.count ? std::min<uint64_t>(matched.load(), o.count) : matched.load();
  if (st)
    std::fprintf(stderr, "%llu packets matched, %llu paths from the kernel, %llu lost (ring buffer full)\n",
                 static_cast<unsigned long long>(shown), static_cast<unsigned long long>(st->paths),
                 static_cast<unsigned long long>(st->paths_lost));
  return 0;
}

}  // namespace

void add_trace_command(CLI::App& app) {
  auto opts = std::make_shared<TraceOptions>();
  auto* cmd = app.add_subcommand("trace", "Follow packets through the kernel stack and print each one's path");
  cmd->add_option("expression", opts->expr,
                  "Filter, tcpdump-like: tcp udp icmp icmp6 arp ip ip6, [src|dst] host A, [src|dst] net CIDR,\n"
                  "[src|dst] port N, portrange A-B, dev IF, netns ID, drop; and/or/not, ( )");
  cmd->add_flag("--json", opts->json, "One JSON object per packet (hops, headers, bytes)");
  cmd->add_option("--write,-w", opts->write, "Write packets to a pcapng file; the path is the packet comment");
  cmd->add_option("--count,-c", opts->count, "Stop after N matching packets");
  cmd->add_option("--snaplen,-s", opts->snaplen, "Bytes per packet in the pcapng file (headers captured: up to 256)")
      ->check(CLI::Range(1u, 262144u));
  cmd->add_option("--sample", opts->sample, "Follow 1 in N packets (in the kernel)")->check(CLI::Range(1u, 1000000u));
  cmd->callback([opts] { throw CLI::RuntimeError(run_trace(*opts)); });
}

}  // namespace pscope::cli
