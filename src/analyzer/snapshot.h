// What the Analyzer reports once a second: per-layer volume, cross-layer latency percentiles and
// interaction rates, loss, TCP events, per-flow / per-interface / per-namespace figures and map
// pressure. The one type shared by the collector (kernel maps -> Snapshot), the daemon (storage,
// API, stream, /metrics), and the CLI (`packetscope top`).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pscope::analyzer {

// Stack layers, bottom up. Values match enum ps_layer in bpf/include/ps/analyzer_abi.h.
enum class Layer : uint8_t { kLink = 0, kNetwork = 1, kTransport = 2, kSocket = 3 };
inline constexpr int kLayers = 4;
enum class Dir : uint8_t { kRx = 0, kTx = 1 };
inline constexpr int kDirs = 2;

const char* to_string(Layer l) noexcept;  // "link", "network", "transport", "socket"
const char* to_string(Dir d) noexcept;    // "rx", "tx"

// Totals since the collector started plus rates over the last interval.
struct Volume {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  double pps = 0;  // packets per second over the last interval
  double bps = 0;  // bits per second over the last interval
};

// Percentiles of a log2 latency histogram (nanoseconds), over the last interval and since start.
struct Latency {
  uint64_t count = 0;          // samples in the last interval
  uint64_t total_count = 0;    // samples since start
  double p50_ns = 0, p90_ns = 0, p99_ns = 0;
  uint64_t max_ns = 0;         // largest sample in the last interval (exact, not a bucket bound)
  std::array<uint64_t, 64> buckets{};  // last interval; bucket i holds [2^i, 2^(i+1)) ns (0 in bucket 0)
};

// One pair of layers in one direction: how long packets take from `from` to `to`, and how often
// packets cross from one to the other.
struct LayerPair {
  Dir dir = Dir::kRx;
  Layer from = Layer::kLink;
  Layer to = Layer::kNetwork;  // from == to: time spent inside the layer (e.g. tx queue + driver)
  Latency latency;
  uint64_t transitions = 0;      // since start
  double transitions_per_s = 0;  // over the last interval
};

struct DropReason {
  std::string reason;  // name from the running kernel's BTF enum skb_drop_reason, e.g. NETFILTER_DROP
  Layer layer = Layer::kNetwork;  // layer the reason belongs to
  uint64_t count = 0;  // since start
  double per_s = 0;    // over the last interval
};

struct Loss {
  uint64_t drops = 0;  // since start
  double drops_per_s = 0;
  double drop_ratio = 0;  // drops / packets seen at the link layer (rx + tx), last interval
  std::array<uint64_t, kLayers> by_layer{};      // since start
  std::array<double, kLayers> ratio_by_layer{};  // drops at the layer / packets at the layer, last interval
  std::vector<DropReason> by_reason;             // non-zero reasons, most first
};

struct TcpEvents {
  uint64_t retransmits = 0, rst_sent = 0, rst_received = 0, bad_csum = 0;  // since start
  double retransmits_per_s = 0, rst_sent_per_s = 0, rst_received_per_s = 0;
};

// A flow is one end's view of a conversation: local and remote address/port in a network namespace.
struct Flow {
  std::string key;  // stable id: "<netns>/<proto>/<local>:<lport>-<remote>:<rport>" (IPv6 in [])
  uint32_t netns = 0;
  uint8_t family = 4;      // 4 or 6
  std::string protocol;    // tcp, udp, icmp, icmp6, other
  std::string local, remote;
  uint16_t lport = 0, rport = 0;
  Volume rx, tx;
  uint64_t drops = 0, retransmits = 0, rst_sent = 0, rst_received = 0;
  uint32_t srtt_us = 0, cwnd = 0;   // TCP only: read from the socket at its send/receive calls
  uint64_t latency_avg_ns = 0, latency_max_ns = 0;  // receive, link -> socket
  uint32_t pid = 0;
  std::string comm;
  uint64_t cookie = 0;  // socket cookie when known
  int64_t first_seen_ns = 0, last_seen_ns = 0;  // wall clock
  // Additions (kernel: analyzer_abi.h ps_an_flow):
  uint64_t rx_payload_bytes = 0, tx_payload_bytes = 0;  // transport payload (after the L4 header)
  Volume socket_rx, socket_tx;  // sock_recv/send_length: packets = calls with data, bytes = data
  uint32_t ooo_packets = 0, sacked_out = 0;  // TCP: out-of-order segments received, SACKed out
};

struct Interface {
  uint32_t ifindex = 0;
  uint32_t netns = 0;
  std::string name;  // empty when the interface is gone or in another namespace we cannot name
  Volume rx, tx;
  uint64_t drops = 0;
};

struct Namespace {
  uint32_t netns = 0;
  Volume rx, tx;
  uint64_t drops = 0;
};

struct Process {
  uint32_t pid = 0;
  std::string comm;
  Volume rx, tx;  // summed over the process's flows
  uint32_t flows = 0;
};

struct MapPressure {
  std::string map;       // e.g. "flows", "inflight", "ifaces"
  uint64_t entries = 0;  // in use now
  uint64_t capacity = 0;
  uint64_t evictions_or_failures = 0;  // inserts that failed or pushed an entry out, since start
};

struct Snapshot {
  int64_t wall_ns = 0;       // when it was taken
  double interval_s = 0;     // since the previous snapshot (rates are over this)
  // volume[layer][dir]
  std::array<std::array<Volume, kDirs>, kLayers> volume{};
  std::vector<LayerPair> pairs;  // every pair the kernel measures, in a fixed order
  Loss loss;
  TcpEvents tcp;
  std::vector<Flow> flows;  // top flows by bytes in the last interval (bounded: top_n)
  std::vector<Interface> interfaces;
  std::vector<Namespace> namespaces;
  std::vector<Process> processes;  // top by bytes
  std::vector<MapPressure> maps;
  uint32_t latency_sample = 1;  // 1 in N packets timed for latency (volumes are exact)
};

}  // namespace pscope::analyzer
