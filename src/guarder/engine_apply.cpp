// Engine::apply: compile into the inactive slot, write it, flip guard_state, wait for packets
// in flight, clear the old slot. Counter slots follow rule ids across rule-set changes.
#include <net/if.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <thread>

#include <fmt/format.h>

#include "guarder/engine_impl.h"

namespace pscope::guarder {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::optional<uint32_t> kernel_ifindex(const std::string& name) {
  unsigned i = if_nametoindex(name.c_str());
  return i ? std::optional<uint32_t>(i) : std::nullopt;
}

template <class Entry>
Result<void> write_lpm(int fd, const std::vector<Entry>& entries, const char* what) {
  for (const auto& e : entries)
    if (int err = bpf_map_update_elem(fd, &e.key, &e.cls, BPF_ANY); err)
      return sys_error(err, fmt::format("write {} ({} entries)", what, entries.size()));
  return {};
}

template <class Key>
void delete_all(int fd, const std::vector<Key>& keys) {
  for (const auto& k : keys) bpf_map_delete_elem(fd, &k);  // ENOENT is fine: already gone
}

// Keys of an LPM trie / hash whose slot byte is `slot` (get_next_key walk, then delete).
template <class Key>
std::vector<Key> keys_in_slot(int fd, uint8_t slot) {
  std::vector<Key> out;
  Key k{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (next.slot == slot) out.push_back(next);
    k = next;
    prev = &k;
  }
  return out;
}

}  // namespace

Result<ps_guard_state> GuardEngine::read_state() const {
  uint32_t zero = 0;
  ps_guard_state st{};
  if (int err = bpf_map_lookup_elem(fd(skel_->maps.guard_state), &zero, &st); err)
    return sys_error(err, "read guard_state");
  return st;
}

// Keeps existing rule id -> slot pairs; gives new ids the lowest free slots (not yet written).
Result<std::unordered_map<uint32_t, uint32_t>> GuardEngine::assign_counters(
    std::span<const Rule> rules, std::vector<uint32_t>& fresh) {
  std::unordered_map<uint32_t, uint32_t> out;
  out.reserve(rules.size());
  uint32_t next_free = 0;
  for (const Rule& r : rules) {
    if (r.id == 0) return fail("a rule without an id (not stored yet) cannot be applied");
    if (out.contains(r.id)) return fail(fmt::format("rule id {} appears twice", r.id));
    if (auto it = ctr_of_.find(r.id); it != ctr_of_.end()) {
      out[r.id] = it->second;
      continue;
    }
    // A leaving rule keeps its slot until after the flip, so a new id never shares a slot
    // with a rule packets may still be counted for.
    while (next_free < owner_.size() && owner_[next_free] != 0) next_free++;
    if (next_free >= owner_.size())
      return fail(fmt::format("no free counter slot (at most {} rules)", PS_GUARD_MAX_COUNTERS));
    out[r.id] = next_free;
    fresh.push_back(next_free);
    owner_[next_free] = r.id;  // reserved; rolled back by the caller on failure
    next_free++;
  }
  return out;
}

// Zeroes counter slots (and their owner entries when `release`).
Result<void> GuardEngine::zero_counters(const std::vector<uint32_t>& ctrs, bool release) {
  if (ctrs.empty()) return {};
  size_t stride = (sizeof(ps_guard_counter) + 7) / 8 * 8;
  std::vector<uint8_t> zeros(ctrs.size() * stride * ncpus_, 0);
  if (auto r = map_update_many(fd(skel_->maps.guard_counters), ctrs.data(), zeros.data(),
                               static_cast<uint32_t>(ctrs.size()), sizeof(uint32_t),
                               static_cast<uint32_t>(stride * ncpus_), "guard_counters");
      !r)
    return r;
  std::vector<uint32_t> owners(ctrs.size());
  for (size_t i = 0; i < ctrs.size(); i++) owners[i] = release ? 0 : owner_[ctrs[i]];
  return map_update_many(fd(skel_->maps.guard_ctr_owner), ctrs.data(), owners.data(),
                         static_cast<uint32_t>(ctrs.size()), sizeof(uint32_t), sizeof(uint32_t),
                         "guard_ctr_owner");
}

Result<void> GuardEngine::write_image(const CompiledSet& set) {
  uint32_t n = static_cast<uint32_t>(set.rules.size());
  std::vector<uint32_t> keys(std::max<size_t>(n, set.items.size()));
  for (uint32_t i = 0; i < n; i++) keys[i] = set.slot * PS_GUARD_MAX_RULES + i;
  if (auto r = map_update_many(fd(skel_->maps.guard_rules), keys.data(), set.rules.data(), n,
                               sizeof(uint32_t), sizeof(ps_guard_rule), "guard_rules");
      !r)
    return r;
  uint32_t ni = static_cast<uint32_t>(set.items.size());
  for (uint32_t i = 0; i < ni; i++) keys[i] = set.slot * PS_GUARD_MAX_ITEMS + i;
  if (auto r = map_update_many(fd(skel_->maps.guard_items), keys.data(), set.items.data(), ni,
                               sizeof(uint32_t), sizeof(uint32_t), "guard_items");
      !r)
    return r;
  if (auto r = write_lpm(fd(skel_->maps.guard_src4), set.src4, "guard_src4"); !r) return r;
  if (auto r = write_lpm(fd(skel_->maps.guard_dst4), set.dst4, "guard_dst4"); !r) return r;
  if (auto r = write_lpm(fd(skel_->maps.guard_src6), set.src6, "guard_src6"); !r) return r;
  if (auto r = write_lpm(fd(skel_->maps.guard_dst6), set.dst6, "guard_dst6"); !r) return r;
  std::vector<ps_guard_list_key> lkeys;
  std::vector<ps_guard_list> lvals;
  for (const auto& l : set.lists) {
    lkeys.push_back(l.key);
    lvals.push_back(l.list);
  }
  return map_update_many(fd(skel_->maps.guard_lists), lkeys.data(), lvals.data(),
                         static_cast<uint32_t>(lkeys.size()), sizeof(ps_guard_list_key),
                         sizeof(ps_guard_list), "guard_lists");
}

GuardEngine::SlotKeys GuardEngine::keys_of(const CompiledSet& set) {
  SlotKeys k;
  for (const auto& e : set.src4) k.src4.push_back(e.key);
  for (const auto& e : set.dst4) k.dst4.push_back(e.key);
  for (const auto& e : set.src6) k.src6.push_back(e.key);
  for (const auto& e : set.dst6) k.dst6.push_back(e.key);
  for (const auto& l : set.lists) k.lists.push_back(l.key);
  return k;
}

// Rules and items of a dead slot need no clearing: nothing reaches them without a list.
Result<void> GuardEngine::delete_keys(const SlotKeys& k) {
  delete_all(fd(skel_->maps.guard_lists), k.lists);
  delete_all(fd(skel_->maps.guard_src4), k.src4);
  delete_all(fd(skel_->maps.guard_dst4), k.dst4);
  delete_all(fd(skel_->maps.guard_src6), k.src6);
  delete_all(fd(skel_->maps.guard_dst6), k.dst6);
  return {};
}

// After a restart nobody remembers what a slot held: find its keys by their slot byte.
Result<void> GuardEngine::sweep_slot(uint8_t slot) {
  SlotKeys k;
  k.lists = keys_in_slot<ps_guard_list_key>(fd(skel_->maps.guard_lists), slot);
  k.src4 = keys_in_slot<ps_guard_lpm4>(fd(skel_->maps.guard_src4), slot);
  k.dst4 = keys_in_slot<ps_guard_lpm4>(fd(skel_->maps.guard_dst4), slot);
  k.src6 = keys_in_slot<ps_guard_lpm6>(fd(skel_->maps.guard_src6), slot);
  k.dst6 = keys_in_slot<ps_guard_lpm6>(fd(skel_->maps.guard_dst6), slot);
  return delete_keys(k);
}

Result<ApplyReport> GuardEngine::apply(std::span<const Rule> all) {
  std::lock_guard lk(mu_);
  auto t0 = Clock::now();
  int64_t offset = wall_minus_boot_ns();
  int64_t now_wall = offset + [] {
    timespec b{};
    clock_gettime(CLOCK_BOOTTIME, &b);
    return static_cast<int64_t>(b.tv_sec) * 1000000000LL + b.tv_nsec;
  }();
  auto wanted = [&](const Rule& r) {
    return r.enabled && (!r.expires_ns || *r.expires_ns > now_wall);
  };
  std::vector<Rule> kept;  // a copy only when something is filtered out
  std::span<const Rule> rules = all;
  if (!std::all_of(all.begin(), all.end(), wanted)) {
    std::copy_if(all.begin(), all.end(), std::back_inserter(kept), wanted);
    rules = kept;
  }

  auto st = read_state();
  if (!st) return tl::unexpected(st.error());
  uint8_t live = st->slot & 1, target = live ^ 1;

  std::vector<uint32_t> fresh;
  auto ctr = assign_counters(rules, fresh);
  auto rollback = [&] {
    for (uint32_t c : fresh) owner_[c] = 0;
  };
  if (!ctr) {
    rollback();
    return tl::unexpected(ctr.error());
  }
  CompileInput in{rules, &*ctr, kernel_ifindex, target, offset};
  auto set = compile_rules(in);
  if (!set) {
    rollback();
    return tl::unexpected(set.error());
  }
  double compile_ms = ms_since(t0);

  auto t1 = Clock::now();
  if (inactive_dirty_) sweep_slot(target);
  inactive_dirty_ = true;  // until the writes below all succeed and the old slot is cleared
  if (auto r = zero_counters(fresh, false); !r) {
    rollback();
    return tl::unexpected(r.error());
  }
  if (auto r = write_image(*set); !r) {
    rollback();
    zero_counters(fresh, true);
    return tl::unexpected(r.error());
  }
  uint32_t zero = 0;
  ps_guard_state next{target, static_cast<uint32_t>(set->rules.size()), st->generation + 1};
  if (int err = bpf_map_update_elem(fd(skel_->maps.guard_state), &zero, &next, BPF_ANY); err) {
    rollback();
    zero_counters(fresh, true);
    return sys_error(err, "flip guard_state to the new rule set");
  }
  double write_ms = ms_since(t1);

  // Packets that read the old slot before the flip finish within microseconds; 50 ms is a
  // wide margin before their lists disappear.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (live_keys_) delete_keys(*live_keys_);
  else sweep_slot(live);
  live_keys_ = keys_of(*set);
  inactive_dirty_ = false;

  std::vector<uint32_t> gone;
  for (auto it = ctr_of_.begin(); it != ctr_of_.end();) {
    if (ctr->contains(it->first)) {
      ++it;
      continue;
    }
    gone.push_back(it->second);
    owner_[it->second] = 0;
    it = ctr_of_.erase(it);
  }
  for (const auto& [id, c] : *ctr) ctr_of_[id] = c;
  zero_counters(gone, true);

  ApplyReport rep;
  rep.rules = static_cast<uint32_t>(set->rules.size());
  rep.lists = static_cast<uint32_t>(set->lists.size());
  rep.items = static_cast<uint32_t>(set->items.size());
  rep.longest_list = set->longest_list;
  rep.generation = next.generation;
  rep.compile_ms = compile_ms;
  rep.write_ms = write_ms;
  last_report_ = rep;
  return rep;
}

}  // namespace pscope::guarder
