// Rule-set compiler: turns rules into the images guard.bpf.c reads from one slot of its maps
// (docs/guarder.md "How matching scales"). Pure user space, no kernel: the Engine writes the
// result. Prefixes become classes (LPM entries), each class gets the candidate list of its
// group, and every list is checked against the ABI limits before anything is written.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "guarder/matcher.h"
#include "guarder/rule.h"
#include "ps/guard_abi.h"

namespace pscope::guarder {

struct CompileInput {
  std::span<const Rule> rules;  // already filtered to enabled, unexpired; any order
  const std::unordered_map<uint32_t, uint32_t>* ctr = nullptr;  // rule id -> counter slot
  IfindexOf ifindex_of = nullptr;  // nullptr: if_nametoindex. Unknown names never match
  uint8_t slot = 0;                // 0 or 1: written into every key
  int64_t wall_minus_boot_ns = 0;  // CLOCK_REALTIME - CLOCK_BOOTTIME, converts expires_ns
};

struct LpmEntry4 {
  ps_guard_lpm4 key;
  uint32_t cls;  // >= 1
};
struct LpmEntry6 {
  ps_guard_lpm6 key;
  uint32_t cls;
};
struct ListEntry {
  ps_guard_list_key key;
  ps_guard_list list;  // off indexes `items` (the slot base is added by the kernel)
};

// One slot's worth of map content.
struct CompiledSet {
  uint8_t slot = 0;
  std::vector<ps_guard_rule> rules;  // guard_rules[slot * MAX_RULES + position]
  std::vector<uint32_t> rule_ids;    // by position, for reports and tests
  std::vector<LpmEntry4> src4, dst4;
  std::vector<LpmEntry6> src6, dst6;
  std::vector<ListEntry> lists;
  std::vector<uint32_t> items;       // guard_items[slot * MAX_ITEMS + i]
  uint32_t longest_list = 0;
};

// Sorts by (priority, id) and compiles. Fails, changing nothing, when a list would exceed
// PS_GUARD_MAX_LIST_LEN (the error names the prefix) or a total exceeds the ABI limits.
Result<CompiledSet> compile_rules(const CompileInput& in);

// One rule's residual match and action (addresses are classified, not stored).
Result<ps_guard_rule> compile_rule(const Rule& r, uint32_t ctr, IfindexOf ifindex_of,
                                   int64_t wall_minus_boot_ns);

}  // namespace pscope::guarder
