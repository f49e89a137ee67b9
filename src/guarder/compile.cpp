// Rule-set compiler (see compile.h). Classes: the distinct prefixes of one dimension (source
// or destination) and family, sorted by (address, length) so that the prefixes inside a prefix
// form one contiguous run after it. A rule is appended to the list of every class in its
// prefix's run, in position order, so every list comes out sorted without a merge.
#include "guarder/compile.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <map>
#include <string>

#include <fmt/format.h>

namespace pscope::guarder {
namespace {

// One LPM trie entry: the slot byte leads the key, so it counts in the prefix length.
template <class Entry>
Entry lpm_entry(const Cidr& c, uint8_t slot, uint32_t cls) {
  Entry e{};
  e.key.prefixlen = 8u + c.prefix;
  e.key.slot = slot;
  std::copy_n(c.addr.begin(), sizeof(e.key.addr), e.key.addr);
  e.cls = cls;
  return e;
}

constexpr uint32_t kMaxListsPerSlot = PS_GUARD_MAX_LISTS / PS_GUARD_SLOTS;
constexpr uint32_t kMaxPrefixesPerSlot = PS_GUARD_MAX_PREFIXES / PS_GUARD_SLOTS;
constexpr uint64_t kMaxBurst = 1000000000;  // keeps burst * 1e9 inside u64 in the kernel

std::string prefix_text(const Cidr& c) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(c.family == 4 ? AF_INET : AF_INET6, c.addr.data(), buf, sizeof(buf));
  return fmt::format("{}/{}", buf, c.prefix);
}

bool same_bits(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int i = 0;
  for (; bits >= 8; bits -= 8, i++)
    if (a[i] != b[i]) return false;
  if (bits == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
  return ((a[i] ^ b[i]) & mask) == 0;
}

bool contains(const Cidr& outer, const Cidr& inner) {
  return outer.prefix <= inner.prefix && same_bits(outer.addr, inner.addr, outer.prefix);
}

bool prefix_less(const Cidr& a, const Cidr& b) {
  if (a.addr != b.addr) return a.addr < b.addr;
  return a.prefix < b.prefix;
}

// The classes of one (dimension, family): sorted distinct prefixes; class id = index + 1;
// run_end[i] = one past the last prefix contained in prefixes[i].
struct ClassTable {
  std::vector<Cidr> prefixes;
  std::vector<uint32_t> run_end;

  void build() {
    std::sort(prefixes.begin(), prefixes.end(), prefix_less);
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    run_end.assign(prefixes.size(), static_cast<uint32_t>(prefixes.size()));
    std::vector<uint32_t> open;  // chain of prefixes containing the current one
    for (uint32_t j = 0; j < prefixes.size(); j++) {
      while (!open.empty() && !contains(prefixes[open.back()], prefixes[j])) {
        run_end[open.back()] = j;
        open.pop_back();
      }
      open.push_back(j);
    }
  }
  uint32_t index_of(const Cidr& c) const {
    return static_cast<uint32_t>(
        std::lower_bound(prefixes.begin(), prefixes.end(), c, prefix_less) - prefixes.begin());
  }
};

enum Dim { kSrc = 0, kDst = 1 };
int fam_index(uint8_t family) { return family == 6 ? 1 : 0; }

struct Builder {
  const CompileInput& in;
  CompiledSet out;
  ClassTable classes[2][2];  // [dim][family]

  Result<void> add_list(ps_guard_list_key key, std::span<const uint32_t> positions) {
    if (positions.empty()) return {};
    if (out.lists.size() >= kMaxListsPerSlot)
      return fail(fmt::format("the rule set needs more than {} candidate lists; use fewer "
                              "distinct source/destination prefix combinations",
                              kMaxListsPerSlot));
    if (out.items.size() + positions.size() > PS_GUARD_MAX_ITEMS)
      return fail(fmt::format("the rule set needs more than {} candidate-list items; nested "
                              "prefixes repeat their rules in every list below them",
                              PS_GUARD_MAX_ITEMS));
    key.slot = in.slot;
    ps_guard_list l{static_cast<uint32_t>(out.items.size()),
                    static_cast<uint32_t>(positions.size())};
    out.items.insert(out.items.end(), positions.begin(), positions.end());
    out.lists.push_back({key, l});
    out.longest_list = std::max(out.longest_list, l.n);
    return {};
  }

  // Lists of the group without addresses, split by the packet's family and IP protocol so a
  // UDP packet never walks TCP-only rules: one per (family, protocol class), where the class
  // is the protocol + 1, or 0 for a packet without a readable IP header. Each holds the rules
  // that do not exclude that family and protocol, in position order; identical lists (most of
  // the 514) share one run of items.
  Result<void> emit_any(const std::vector<uint32_t>& any) {
    if (any.empty()) return {};
    std::map<std::vector<uint32_t>, ps_guard_list> shared;
    for (uint8_t fam : {uint8_t{4}, uint8_t{6}}) {
      for (uint32_t pc = 0; pc <= 256; pc++) {
        std::vector<uint32_t> positions;
        for (uint32_t pos : any) {
          const ps_guard_rule& r = out.rules[pos];
          if ((r.match & PS_GM_FAMILY) && r.family != fam) continue;
          if ((r.match & PS_GM_PROTO) && (pc == 0 || r.proto != pc - 1)) continue;
          positions.push_back(pos);
        }
        if (positions.empty()) continue;
        ps_guard_list_key k{};
        k.slot = in.slot;
        k.group = PS_GG_ANY;
        k.family = fam;
        k.src_class = pc;
        auto it = shared.find(positions);
        if (it != shared.end()) {
          if (out.lists.size() >= kMaxListsPerSlot)
            return fail(fmt::format("the rule set needs more than {} candidate lists",
                                    kMaxListsPerSlot));
          out.lists.push_back({k, it->second});
          continue;
        }
        if (auto ok = add_list(k, positions); !ok) return ok;
        shared.emplace(std::move(positions), out.lists.back().list);
      }
    }
    return {};
  }

  static Result<void> check_len(size_t n, const std::string& what) {
    if (n <= PS_GUARD_MAX_LIST_LEN) return {};
    return fail(fmt::format("more than {} rules apply to {}: a packet would have to check them "
                            "all. Add addresses to some rules or merge port rules into ranges",
                            PS_GUARD_MAX_LIST_LEN, what));
  }

  void collect_prefixes() {
    for (const Rule& r : in.rules) {
      if (r.match.src) classes[kSrc][fam_index(r.match.src->family)].prefixes.push_back(*r.match.src);
      if (r.match.dst) classes[kDst][fam_index(r.match.dst->family)].prefixes.push_back(*r.match.dst);
    }
    for (auto& dim : classes)
      for (auto& t : dim) t.build();
  }

  Result<void> emit_lpm() {
    for (int d = 0; d < 2; d++) {
      for (int f = 0; f < 2; f++) {
        const auto& t = classes[d][f];
        if (t.prefixes.size() > kMaxPrefixesPerSlot)
          return fail(fmt::format("the rule set has {} distinct {} prefixes; at most {} fit",
                                  t.prefixes.size(), d == kSrc ? "source" : "destination",
                                  kMaxPrefixesPerSlot));
        for (uint32_t i = 0; i < t.prefixes.size(); i++) {
          const Cidr& c = t.prefixes[i];
          if (f == 0)
            (d == kSrc ? out.src4 : out.dst4).push_back(lpm_entry<LpmEntry4>(c, in.slot, i + 1));
          else
            (d == kSrc ? out.src6 : out.dst6).push_back(lpm_entry<LpmEntry6>(c, in.slot, i + 1));
        }
      }
    }
    return {};
  }

  // Lists of the single-address groups: per class, the group's rules whose prefix contains
  // it. Two passes (count, then fill one flat array) keep 100 000 classes allocation-free.
  Result<void> emit_single(const std::vector<const Rule*>& sorted, Dim dim) {
    const char* side = dim == kSrc ? "source" : "destination";
    for (int f = 0; f < 2; f++) {
      const ClassTable& t = classes[dim][f];
      std::vector<std::pair<uint32_t, uint32_t>> members;  // (position, prefix index)
      std::vector<uint32_t> count(t.prefixes.size(), 0);
      uint64_t total = 0;
      for (uint32_t pos = 0; pos < sorted.size(); pos++) {
        const Match& m = sorted[pos]->match;
        const auto& mine = dim == kSrc ? m.src : m.dst;
        const auto& other = dim == kSrc ? m.dst : m.src;
        if (!mine || other || fam_index(mine->family) != f) continue;
        uint32_t i = t.index_of(*mine);
        members.emplace_back(pos, i);
        for (uint32_t c = i; c < t.run_end[i]; c++) {
          total++;
          if (++count[c] > PS_GUARD_MAX_LIST_LEN)
            return check_len(count[c], fmt::format("{} {} (rules naming only a {})", side,
                                                   prefix_text(t.prefixes[c]), side));
        }
      }
      if (total + out.items.size() > PS_GUARD_MAX_ITEMS)
        return fail(fmt::format("the rule set needs more than {} candidate-list items; nested "
                                "{} prefixes repeat their rules in every list below them",
                                PS_GUARD_MAX_ITEMS, side));
      std::vector<uint32_t> start(count.size() + 1, 0);
      for (size_t c = 0; c < count.size(); c++) start[c + 1] = start[c] + count[c];
      std::vector<uint32_t> flat(start.back()), fill(start.begin(), start.end() - 1);
      for (auto [pos, i] : members)
        for (uint32_t c = i; c < t.run_end[i]; c++) flat[fill[c]++] = pos;
      for (uint32_t c = 0; c < count.size(); c++) {
        ps_guard_list_key k{};
        k.group = dim == kSrc ? PS_GG_SRC : PS_GG_DST;
        k.family = f == 0 ? 4 : 6;
        (dim == kSrc ? k.src_class : k.dst_class) = c + 1;
        if (auto ok = add_list(k, {flat.data() + start[c], count[c]}); !ok) return ok;
      }
    }
    return {};
  }

  // Lists of the both-addresses group: one per (source class, destination class) pair that
  // at least one rule covers.
  Result<void> emit_both(const std::vector<const Rule*>& sorted) {
    for (int f = 0; f < 2; f++) {
      const ClassTable& st = classes[kSrc][f];
      const ClassTable& dt = classes[kDst][f];
      std::map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>> combos;
      size_t total = 0;
      for (uint32_t pos = 0; pos < sorted.size(); pos++) {
        const Match& m = sorted[pos]->match;
        if (!m.src || !m.dst || fam_index(m.src->family) != f) continue;
        uint32_t si = st.index_of(*m.src), di = dt.index_of(*m.dst);
        for (uint32_t s = si; s < st.run_end[si]; s++) {
          for (uint32_t d = di; d < dt.run_end[di]; d++) {
            auto& v = combos[{s, d}];
            v.push_back(pos);
            if (++total > PS_GUARD_MAX_ITEMS || combos.size() > kMaxListsPerSlot)
              return fail(fmt::format(
                  "rules naming both addresses need more than {} lists or {} items (first "
                  "over the limit: rule {} with source {} and destination {}); use fewer "
                  "overlapping prefix pairs",
                  kMaxListsPerSlot, PS_GUARD_MAX_ITEMS, sorted[pos]->id, prefix_text(*m.src),
                  prefix_text(*m.dst)));
            if (v.size() <= PS_GUARD_MAX_LIST_LEN) continue;
            if (auto ok = check_len(v.size(), fmt::format("source {} with destination {}",
                                                          prefix_text(st.prefixes[s]),
                                                          prefix_text(dt.prefixes[d])));
                !ok)
              return ok;
          }
        }
      }
      for (const auto& [sd, positions] : combos) {
        ps_guard_list_key k{};
        k.group = PS_GG_BOTH;
        k.family = f == 0 ? 4 : 6;
        k.src_class = sd.first + 1;
        k.dst_class = sd.second + 1;
        if (auto ok = add_list(k, positions); !ok) return ok;
      }
    }
    return {};
  }
};

}  // namespace

Result<ps_guard_rule> compile_rule(const Rule& r, uint32_t ctr, IfindexOf ifindex_of,
                                   int64_t wall_minus_boot_ns) {
  ps_guard_rule o{};
  const Match& m = r.match;
  o.id = r.id;
  o.ctr = ctr;
  uint32_t bits = 0;
  if (m.family && !m.src && !m.dst) {  // with an address the LPM trie already chose the family
    bits |= PS_GM_FAMILY;
    o.family = *m.family;
  }
  if (m.protocol) bits |= PS_GM_PROTO, o.proto = *m.protocol;
  if (m.sport) bits |= PS_GM_SPORT, o.sport_lo = m.sport->lo, o.sport_hi = m.sport->hi;
  if (m.dport) bits |= PS_GM_DPORT, o.dport_lo = m.dport->lo, o.dport_hi = m.dport->hi;
  if (m.tcp_flags && m.tcp_mask) {
    bits |= PS_GM_TCP_FLAGS;
    o.tcp_mask = *m.tcp_mask;
    o.tcp_flags = static_cast<uint8_t>(*m.tcp_flags & *m.tcp_mask);
  }
  if (m.icmp_type) bits |= PS_GM_ICMP_TYPE, o.icmp_type = *m.icmp_type;
  if (m.icmp_code) bits |= PS_GM_ICMP_CODE, o.icmp_code = *m.icmp_code;
  if (m.ttl) bits |= PS_GM_TTL, o.ttl_lo = m.ttl->lo, o.ttl_hi = m.ttl->hi;
  if (m.length) bits |= PS_GM_LEN, o.len_lo = m.length->lo, o.len_hi = m.length->hi;
  if (m.iface) {
    bits |= PS_GM_IFINDEX;
    std::optional<uint32_t> idx;
    if (ifindex_of) {
      idx = ifindex_of(*m.iface);
    } else if (unsigned i = if_nametoindex(m.iface->c_str()); i) {
      idx = i;
    }
    o.ifindex = idx.value_or(0);  // 0: no packet arrives on ifindex 0, the rule never matches
  }
  if (m.vlan) bits |= PS_GM_VLAN, o.vlan = *m.vlan;
  if (m.malformed) bits |= PS_GM_MALFORMED;
  if (m.inner) {
    const InnerMatch& in = *m.inner;
    if (in.protocol) bits |= PS_GM_INNER_PROTO, o.inner_proto = *in.protocol;
    if (in.src) {
      bits |= PS_GM_INNER_SRC;
      o.inner_src_plen = in.src->prefix;
      std::copy(in.src->addr.begin(), in.src->addr.end(), o.inner_src);
    }
    if (in.dst) {
      bits |= PS_GM_INNER_DST;
      o.inner_dst_plen = in.dst->prefix;
      std::copy(in.dst->addr.begin(), in.dst->addr.end(), o.inner_dst);
    }
    if (in.sport) bits |= PS_GM_INNER_SPORT, o.inner_sport_lo = in.sport->lo, o.inner_sport_hi = in.sport->hi;
    if (in.dport) bits |= PS_GM_INNER_DPORT, o.inner_dport_lo = in.dport->lo, o.inner_dport_hi = in.dport->hi;
  }
  if (r.expires_ns) {
    bits |= PS_GM_EXPIRES;
    int64_t boot = *r.expires_ns - wall_minus_boot_ns;
    o.expires_boot_ns = boot > 0 ? static_cast<uint64_t>(boot) : 1;  // past: never matches
  }
  o.match = bits;
  switch (r.action) {
    case Action::kDrop: o.action = PS_GA_DROP; break;
    case Action::kPass: o.action = PS_GA_PASS; break;
    case Action::kRateLimit: o.action = PS_GA_RATE_LIMIT; break;
    case Action::kLog: o.action = PS_GA_LOG; break;
  }
  if (r.shadow) o.flags |= PS_GF_SHADOW;
  if (r.action == Action::kRateLimit) {
    if (!r.rate || r.rate->rate == 0)
      return fail(fmt::format("rule {} is a rate-limit rule without a rate", r.id));
    if (r.rate->bytes) o.flags |= PS_GF_RATE_BYTES;
    o.rate = r.rate->rate;
    o.burst = std::min<uint64_t>(r.rate->burst ? r.rate->burst : r.rate->rate, kMaxBurst);
  }
  o.log_every = r.log_every ? r.log_every : 1;
  return o;
}

Result<CompiledSet> compile_rules(const CompileInput& in) {
  if (in.slot >= PS_GUARD_SLOTS) return fail(fmt::format("bad slot {}", in.slot));
  if (in.rules.size() > PS_GUARD_MAX_RULES)
    return fail(fmt::format("{} rules is more than the kernel table holds ({})",
                            in.rules.size(), PS_GUARD_MAX_RULES));
  std::vector<const Rule*> sorted;
  sorted.reserve(in.rules.size());
  for (const Rule& r : in.rules) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const Rule* a, const Rule* b) {
    return a->priority != b->priority ? a->priority < b->priority : a->id < b->id;
  });

  Builder b{in, {}, {}};
  b.out.slot = in.slot;
  b.out.rules.reserve(sorted.size());
  b.out.rule_ids.reserve(sorted.size());
  std::vector<uint32_t> any;
  for (uint32_t pos = 0; pos < sorted.size(); pos++) {
    const Rule& r = *sorted[pos];
    if (!in.ctr || !in.ctr->contains(r.id))
      return fail(fmt::format("rule {} has no counter slot (engine bug)", r.id));
    if (r.match.src && r.match.dst && r.match.src->family != r.match.dst->family)
      return fail(fmt::format("rule {} mixes an IPv4 and an IPv6 address", r.id));
    auto cr = compile_rule(r, in.ctr->at(r.id), in.ifindex_of, in.wall_minus_boot_ns);
    if (!cr) return tl::unexpected(cr.error());
    b.out.rules.push_back(*cr);
    b.out.rule_ids.push_back(r.id);
    if (!r.match.src && !r.match.dst) any.push_back(pos);
  }
  if (auto ok = Builder::check_len(any.size(), "every packet (rules that name no address)");
      !ok)
    return tl::unexpected(ok.error());

  b.collect_prefixes();
  if (auto ok = b.emit_lpm(); !ok) return tl::unexpected(ok.error());
  if (auto ok = b.emit_any(any); !ok) return tl::unexpected(ok.error());
  if (auto ok = b.emit_single(sorted, kSrc); !ok) return tl::unexpected(ok.error());
  if (auto ok = b.emit_single(sorted, kDst); !ok) return tl::unexpected(ok.error());
  if (auto ok = b.emit_both(sorted); !ok) return tl::unexpected(ok.error());
  return std::move(b.out);
}

}  // namespace pscope::guarder
