// Path decoding and rendering (see path.h).
#include "tracer/path.h"

#include <fmt/format.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace pscope::tracer {

std::string_view hook_name(uint16_t hook) {
  switch (hook) {
    case PS_HOOK_XDP: return "xdp";
    case PS_HOOK_GRO_RECEIVE: return "napi_gro_receive";
    case PS_HOOK_NETIF_RX: return "netif_rx";
    case PS_HOOK_NETIF_RECEIVE: return "netif_receive_skb";
    case PS_HOOK_TC_INGRESS: return "tc_ingress";
    case PS_HOOK_FIB_LOOKUP: return "fib_table_lookup";
    case PS_HOOK_FIB6_LOOKUP: return "fib6_table_lookup";
    case PS_HOOK_TCP_RCV: return "tcp_rcv";
    case PS_HOOK_UDP_QUEUE_FAIL: return "udp_queue_fail";
    case PS_HOOK_SOCK_RCVQ_FULL: return "sock_rcvqueue_full";
    case PS_HOOK_COPY_TO_USER: return "skb_copy_datagram_iovec";
    case PS_HOOK_ICMP_SEND: return "icmp_send";
    case PS_HOOK_TCP_SEND_RESET: return "tcp_send_reset";
    case PS_HOOK_TCP_RETRANSMIT: return "tcp_retransmit_skb";
    case PS_HOOK_NET_DEV_QUEUE: return "net_dev_queue";
    case PS_HOOK_QDISC_ENQUEUE: return "qdisc_enqueue";
    case PS_HOOK_QDISC_DEQUEUE: return "qdisc_dequeue";
    case PS_HOOK_START_XMIT: return "net_dev_start_xmit";
    case PS_HOOK_DEV_XMIT: return "net_dev_xmit";
    case PS_HOOK_TC_EGRESS: return "tc_egress";
    case PS_HOOK_CONSUME: return "consume_skb";
    case PS_HOOK_KFREE: return "kfree_skb";
    default: return "unknown";
  }
}

Layer hook_layer(uint16_t hook) {
  switch (hook) {
    case PS_HOOK_FIB_LOOKUP:
    case PS_HOOK_FIB6_LOOKUP:
    case PS_HOOK_ICMP_SEND: return Layer::kNetwork;
    case PS_HOOK_TCP_RCV:
    case PS_HOOK_UDP_QUEUE_FAIL:
    case PS_HOOK_TCP_SEND_RESET:
    case PS_HOOK_TCP_RETRANSMIT: return Layer::kTransport;
    case PS_HOOK_SOCK_RCVQ_FULL:
    case PS_HOOK_COPY_TO_USER: return Layer::kSocket;
    case PS_HOOK_CONSUME:
    case PS_HOOK_KFREE: return Layer::kNetwork;  // refined by decode_path from the previous hop
    default: return Layer::kLink;
  }
}

std::string_view layer_name(Layer l) {
  switch (l) {
    case Layer::kLink: return "link";
    case Layer::kNetwork: return "network";
    case Layer::kTransport: return "transport";
    case Layer::kSocket: return "socket";
  }
  return "link";
}

namespace {

bool is_tx_hook(uint16_t h) { return h >= PS_HOOK_NET_DEV_QUEUE && h <= PS_HOOK_TC_EGRESS; }

std::string fmt_dt(int64_t ns) {
  if (ns < 1000) return fmt::format("{}ns", ns);
  if (ns < 1000000) return fmt::format("{:.1f}µs", static_cast<double>(ns) / 1e3);
  return fmt::format("{:.2f}ms", static_cast<double>(ns) / 1e6);
}

std::string endpoint(const std::string& addr, uint16_t port, bool has_port) {
  std::string a = addr.find(':') != std::string::npos && has_port ? "[" + addr + "]" : addr;
  return has_port ? a + ":" + std::to_string(port) : a;
}

}  // namespace

PathRecord decode_path(const ps_path_event& ev, int64_t mono_to_wall_offset_ns, const Namer& names) {
  PathRecord r;
  r.pkt = summarize(ev.meta);
  r.flags = ev.flags;
  r.dropped = ev.flags & PS_PATH_DROPPED;
  if (r.dropped) r.reason = names.drop_reason(ev.reason);
  r.location = names.symbol(ev.location);
  r.tgid = ev.tgid;
  r.comm.assign(ev.comm, strnlen(ev.comm, sizeof(ev.comm)));
  uint32_t n = std::min<uint32_t>(ev.nhops, PS_MAX_HOPS);
  bool saw_tx = false;
  for (uint32_t i = 0; i < n; ++i) {
    const ps_hop& h = ev.hops[i];
    Hop hop{h.hook, 0, 0, h.ifindex, h.netns, h.cpu, h.aux, hook_layer(h.hook)};
    if ((h.hook == PS_HOOK_CONSUME || h.hook == PS_HOOK_KFREE) && !r.hops.empty())
      hop.layer = r.hops.back().layer;  // ended where it was
    if (i > 0) {
      hop.t_ns = static_cast<int64_t>(h.ts_ns - ev.hops[0].ts_ns);
      hop.dt_ns = static_cast<int64_t>(h.ts_ns - ev.hops[i - 1].ts_ns);
    }
    saw_tx |= is_tx_hook(h.hook);
    r.hops.push_back(hop);
  }
  if (n > 0) r.wall_ns = static_cast<int64_t>(ev.hops[0].ts_ns) + mono_to_wall_offset_ns;
  if (ev.flags & PS_PATH_TX_ORIGIN) r.direction = "tx";
  else r.direction = saw_tx ? "fwd" : "rx";
  uint32_t cap = std::min<uint32_t>(ev.caplen, PS_HDR_CAP);
  r.bytes.assign(ev.data, ev.data + cap);
  return r;
}

std::string summary_line(const PathRecord& r) {
  bool ports = r.pkt.protocol == "tcp" || r.pkt.protocol == "udp";
  std::string s = fmt::format("{} {} {} {} > {} len {}", clock::iso8601(r.wall_ns), r.direction, r.pkt.protocol,
                              endpoint(r.pkt.src, r.pkt.sport, ports), endpoint(r.pkt.dst, r.pkt.dport, ports),
                              r.pkt.length);
  if (r.pkt.protocol == "tcp" && r.pkt.tcp_flags) s += " [" + tcp_flags_text(r.pkt.tcp_flags) + "]";
  s += fmt::format(" hops {} total {}", r.hops.size(), fmt_dt(r.latency_ns()));
  s += r.dropped ? " DROPPED " + r.reason : " delivered";
  return s;
}

std::string timeline(const PathRecord& r) {
  std::string out = summary_line(r) + "\n";
  for (size_t i = 0; i < r.hops.size(); ++i) {
    const Hop& h = r.hops[i];
    out += fmt::format("  {:>2} {:<24} {:<9} if {:<4} netns {:<10} +{:<10} {}\n", i + 1, hook_name(h.hook),
                       layer_name(h.layer), h.ifindex, h.netns, fmt_dt(h.dt_ns), fmt_dt(h.t_ns));
  }
  if (r.dropped) out += fmt::format("  dropped: {} at {}\n", r.reason, r.location);
  if (r.tgid) out += fmt::format("  process: {}({})\n", r.comm, r.tgid);
  return out;
}

std::string pcap_comment(const PathRecord& r) {
  std::string s = fmt::format("packetscope: {} {} hops, {}", r.direction, r.hops.size(), fmt_dt(r.latency_ns()));
  for (const auto& h : r.hops) s += fmt::format(" | {}@{} +{}", hook_name(h.hook), h.ifindex, fmt_dt(h.dt_ns));
  if (r.dropped) s += fmt::format(" | DROPPED {} at {}", r.reason, r.location);
  return s;
}

}  // namespace pscope::tracer
