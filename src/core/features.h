// Run-time detection of the kernel features PacketScope can use, so that a user on a weaker
// kernel learns exactly why a module is off (reported by /api/v1/health and `doctor`).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace pscope {

struct Feature {
  std::string name;    // btf, bpffs, tracefs, tp_btf, raw_tp, ringbuf, xdp, tc, kprobe, fentry
  bool available = false;
  std::string detail;  // how it was checked, or the error and what to do
};

// Ensures bpffs is mounted at /sys/fs/bpf (a fresh machine has none); mounts it if needed.
Result<void> ensure_bpffs(const std::string& path = "/sys/fs/bpf");
bool is_bpffs(const std::string& path);

// Probes each feature by loading (and where it matters attaching) a minimal program.
// Needs CAP_BPF/CAP_SYS_ADMIN; without them each probe says so.
std::vector<Feature> detect_features();

const Feature* find_feature(const std::vector<Feature>& fs, std::string_view name);

}  // namespace pscope
