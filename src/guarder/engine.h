// The Guarder's kernel side: owns the XDP program, its pinned maps and links (bpf/guard.bpf.c),
// compiles rule sets into the inactive slot and flips it live in one write. Pinned state
// outlives the process on purpose (rules keep enforcing while the daemon restarts);
// Engine::remove_all() is the only thing that takes it away.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "guarder/rule.h"

namespace pscope::guarder {

struct EngineOptions {
  std::string pin_dir = "/sys/fs/bpf/packetscope/guard";  // mounts bpffs at /sys/fs/bpf if needed
};

enum class XdpMode : uint8_t { kNative, kGeneric };
std::string_view to_string(XdpMode m) noexcept;  // "native", "generic"

struct Attachment {
  std::string ifname;
  uint32_t ifindex = 0;
  XdpMode mode = XdpMode::kNative;
};

struct RuleCounters {
  uint64_t packets = 0, bytes = 0, rate_dropped = 0;
  int64_t last_hit_ns = 0;  // wall clock; 0 = never
};

struct GuardStats {
  uint64_t packets = 0, bytes = 0, passed = 0, dropped = 0, rate_dropped = 0, malformed = 0,
           non_ip = 0, log_sent = 0, log_lost = 0, hits_overflow = 0, flows_full = 0;
  uint32_t live_slot = 0;
  uint32_t live_rules = 0;
  uint64_t generation = 0;
};

struct XdpFlow {
  uint32_t ifindex = 0;
  uint8_t family = 0, protocol = 0;
  std::string src, dst;  // printed addresses
  uint16_t sport = 0, dport = 0;  // ICMP: sport = type << 8 | code, dport = echo id
  uint64_t packets = 0, bytes = 0, dropped = 0;
  uint8_t tcp_flags = 0;
  int64_t first_ns = 0, last_ns = 0;  // wall clock
};

struct LogSample {
  int64_t ts_ns = 0;  // wall clock
  uint32_t rule_id = 0, ifindex = 0;
  uint16_t pkt_len = 0;
  bool dropped = false;
  std::vector<uint8_t> bytes;  // up to PS_GUARD_LOG_CAP header bytes
};

// What apply() did, for logs, the audit entry and the API answer.
struct ApplyReport {
  uint32_t rules = 0;        // compiled (enabled and unexpired) rules now live
  uint32_t lists = 0;        // candidate lists written
  uint32_t items = 0;        // candidate-list items written
  uint32_t longest_list = 0;
  uint64_t generation = 0;   // the live generation after the flip
  double compile_ms = 0, write_ms = 0;
};

class Engine {
 public:
  // Reuses the pinned maps, program and XDP links when present (a restart), else loads the
  // object and pins it. Fails with a sentence naming what is missing (bpffs, BTF, privileges).
  static Result<std::unique_ptr<Engine>> open(const EngineOptions& opt);
  // Detaches every pinned XDP link and removes pin_dir: rules stop enforcing. Works without an
  // Engine (for `packetscope guard detach` while the daemon is down).
  static Result<void> remove_all(const EngineOptions& opt);

  virtual ~Engine() = default;

  // Attaches to an interface (native mode first, generic when the driver has none, unless
  // `mode` forces one) and pins the link so it survives the daemon. Idempotent per interface.
  virtual Result<Attachment> attach(const std::string& ifname, std::optional<XdpMode> mode) = 0;
  virtual Result<void> detach(const std::string& ifname) = 0;
  virtual std::vector<Attachment> attachments() const = 0;

  // Compiles the enabled, unexpired rules into the inactive slot, flips guard_state to it,
  // waits for packets still using the old slot, then clears the old slot. Either the whole
  // new set is live or (on error) the old one still is. Counter slots follow rule ids; slots
  // of rules no longer present are freed and zeroed.
  virtual Result<ApplyReport> apply(std::span<const Rule> rules) = 0;

  // Rule ids compiled into the live slot (for reconciling with the store at start).
  virtual Result<std::vector<uint32_t>> live_rule_ids() const = 0;

  virtual Result<std::unordered_map<uint32_t, RuleCounters>> counters() const = 0;
  virtual Result<GuardStats> stats() const = 0;
  // Flows most recently seen first, at most `limit`.
  virtual Result<std::vector<XdpFlow>> flows(size_t limit) const = 0;
  // Drains the log ring buffer (waits up to timeout_ms for the first sample).
  virtual Result<int> poll_log(int timeout_ms, const std::function<void(const LogSample&)>& fn) = 0;

  // The program's fd, for BPF_PROG_TEST_RUN in tests and benchmarks.
  virtual int prog_fd() const = 0;
};

}  // namespace pscope::guarder
