// The Engine implementation shared by engine.cpp (open, pins, links), engine_apply.cpp (rule
// sets, counter slots) and engine_read.cpp (counters, stats, flows, log). Not a public header.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/bpf.h"
#include "core/fd.h"
#include "guard.skel.h"
#include "guarder/compile.h"
#include "guarder/engine.h"

namespace pscope::guarder {

// Owns the skeleton. (Not PSCOPE_SKEL: its template arguments are the skeleton's static
// inline functions, which would give this class, shared by three files, internal linkage.)
struct GuardSkelDeleter {
  void operator()(guard_bpf* s) const noexcept;
};
using GuardSkel = std::unique_ptr<guard_bpf, GuardSkelDeleter>;

// CLOCK_REALTIME - CLOCK_BOOTTIME now: converts rule expiry and log-sample stamps.
int64_t wall_minus_boot_ns() noexcept;
// CLOCK_REALTIME_COARSE - CLOCK_MONOTONIC_COARSE: converts the kernel's coarse stamps (rule
// last hit, flow first/last seen). Both coarse clocks move at the same tick, so the offset is
// exact, not off by up to a tick.
int64_t wall_minus_coarse_ns() noexcept;

// Batched map access with a per-element fallback (the kernel supports batches on arrays and
// hashes; LPM tries have none).
Result<void> map_update_many(int fd, const void* keys, const void* values, uint32_t n,
                             uint32_t key_size, uint32_t value_size, const char* what);
// values of array indexes [start, start + n); value_size is the per-key stride (per-CPU maps:
// ncpus * round_up(size, 8)).
Result<void> array_lookup_range(int fd, uint32_t start, uint32_t n, void* values,
                                uint32_t value_size, const char* what);

class GuardEngine final : public Engine {
 public:
  GuardEngine(EngineOptions opt, GuardSkel skel);
  ~GuardEngine() override = default;

  Result<void> init();  // pins the program, takes over pinned links, reads counter owners

  Result<Attachment> attach(const std::string& ifname, std::optional<XdpMode> mode) override;
  Result<void> detach(const std::string& ifname) override;
  std::vector<Attachment> attachments() const override;
  Result<ApplyReport> apply(std::span<const Rule> rules) override;
  Result<std::vector<uint32_t>> live_rule_ids() const override;
  Result<std::unordered_map<uint32_t, RuleCounters>> counters() const override;
  Result<GuardStats> stats() const override;
  Result<std::vector<XdpFlow>> flows(size_t limit) const override;
  Result<int> poll_log(int timeout_ms, const std::function<void(const LogSample&)>& fn) override;
  int prog_fd() const override;

 private:
  struct LinkState {
    UniqueFd fd;
    uint32_t ifindex = 0;
    XdpMode mode = XdpMode::kNative;
  };
  // Keys of the image a slot holds, so the next apply can delete exactly those.
  struct SlotKeys {
    std::vector<ps_guard_lpm4> src4, dst4;
    std::vector<ps_guard_lpm6> src6, dst6;
    std::vector<ps_guard_list_key> lists;
  };

  int fd(const bpf_map* m) const { return bpf_map__fd(m); }
  std::string link_pin(const std::string& ifname) const { return opt_.pin_dir + "/link_" + ifname; }
  Result<void> pin_program();
  Result<void> adopt_links();
  Result<void> load_counter_owners();
  Result<ps_guard_state> read_state() const;

  // apply() steps (engine_apply.cpp)
  Result<std::unordered_map<uint32_t, uint32_t>> assign_counters(std::span<const Rule> rules,
                                                                  std::vector<uint32_t>& fresh);
  Result<void> zero_counters(const std::vector<uint32_t>& ctrs, bool release);
  Result<void> write_image(const CompiledSet& set);
  Result<void> delete_keys(const SlotKeys& keys);
  Result<void> sweep_slot(uint8_t slot);
  static SlotKeys keys_of(const CompiledSet& set);

  EngineOptions opt_;
  GuardSkel skel_;
  int ncpus_ = 1;
  mutable std::mutex mu_;  // links_, ctr_of_, owner_, live_keys_, inactive_dirty_
  std::map<std::string, LinkState> links_;
  std::unordered_map<uint32_t, uint32_t> ctr_of_;  // rule id -> counter slot
  std::vector<uint32_t> owner_;                    // counter slot -> rule id (0: free)
  std::optional<SlotKeys> live_keys_;              // unknown after a restart: swept instead
  bool inactive_dirty_ = true;  // the inactive slot may hold leftovers (restart, failed write)
  ApplyReport last_report_;

  bpf::RingBuffer rb_;
  const std::function<void(const LogSample&)>* log_fn_ = nullptr;
  static int on_log(void* self, void* data, size_t size);
};

}  // namespace pscope::guarder
