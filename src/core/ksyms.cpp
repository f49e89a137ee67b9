// Kallsyms parsing and BTF enum look-up (see ksyms.h).
#include "core/ksyms.h"

#include <bpf/btf.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/bpf.h"

namespace pscope {

Result<Kallsyms> Kallsyms::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail("cannot read " + path);
  Kallsyms k;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string addr_s, type, name;
    if (!(ls >> addr_s >> type >> name)) continue;
    if (type != "t" && type != "T" && type != "w" && type != "W") continue;  // text only
    uint64_t addr = std::strtoull(addr_s.c_str(), nullptr, 16);
    if (addr == 0) continue;
    k.syms_.push_back({addr, name});
  }
  if (k.syms_.empty())
    return fail(path + " shows no addresses (run as root, or kernel.kptr_restrict hides them)");
  std::sort(k.syms_.begin(), k.syms_.end(), [](const Sym& a, const Sym& b) { return a.addr < b.addr; });
  return k;
}

std::string Kallsyms::describe(uint64_t addr) const {
  char buf[32];
  auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
                             [](uint64_t a, const Sym& s) { return a < s.addr; });
  if (it == syms_.begin()) {
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(addr));
    return buf;
  }
  --it;
  uint64_t off = addr - it->addr;
  if (off > (1u << 20)) {  // past any plausible function size: not this symbol
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(addr));
    return buf;
  }
  std::snprintf(buf, sizeof(buf), "+0x%llx", static_cast<unsigned long long>(off));
  return it->name + buf;
}

Result<std::map<int64_t, std::string>> btf_enum_names(const std::string& enum_name,
                                                      const std::string& strip_prefix) {
  bpf::Btf vmlinux(btf__load_vmlinux_btf());
  if (!vmlinux) return errno_error("load kernel BTF from /sys/kernel/btf/vmlinux");
  int id = btf__find_by_name_kind(vmlinux.get(), enum_name.c_str(), BTF_KIND_ENUM);
  if (id < 0) id = btf__find_by_name_kind(vmlinux.get(), enum_name.c_str(), BTF_KIND_ENUM64);
  if (id < 0) return fail("kernel BTF has no enum " + enum_name);
  const btf_type* t = btf__type_by_id(vmlinux.get(), static_cast<__u32>(id));
  std::map<int64_t, std::string> out;
  auto add = [&](const char* raw, int64_t v) {
    std::string name = raw ? raw : "";
    if (name.rfind(strip_prefix, 0) == 0) name = name.substr(strip_prefix.size());
    out.emplace(v, name);
  };
  if (btf_is_enum(t)) {
    const struct btf_enum* e = btf_enum(t);
    for (unsigned i = 0; i < btf_vlen(t); ++i)
      add(btf__name_by_offset(vmlinux.get(), e[i].name_off), e[i].val);
  } else {
    const struct btf_enum64* e = btf_enum64(t);
    for (unsigned i = 0; i < btf_vlen(t); ++i)
      add(btf__name_by_offset(vmlinux.get(), e[i].name_off),
          static_cast<int64_t>(btf_enum64_value(&e[i])));
  }
  return out;
}

}  // namespace pscope
