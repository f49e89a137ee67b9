// Kernel symbol and BTF enum look-ups used to name what the kernel reports as numbers:
// call-site addresses (from /proc/kallsyms) and enum values such as skb_drop_reason.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace pscope {

class Kallsyms {
 public:
  // Parses /proc/kallsyms (needs root: otherwise every address reads as 0 and this fails).
  static Result<Kallsyms> load(const std::string& path = "/proc/kallsyms");
  // Returns "symbol+0xoff" or "0x<addr>" when no symbol covers the address.
  std::string describe(uint64_t addr) const;
  size_t size() const noexcept { return syms_.size(); }

 private:
  struct Sym {
    uint64_t addr;
    std::string name;
  };
  std::vector<Sym> syms_;
};

// Value -> name of a kernel enum read from the running kernel's BTF, with `strip_prefix`
// removed (e.g. "SKB_DROP_REASON_"). Never a hard-coded table: names follow the kernel.
Result<std::map<int64_t, std::string>> btf_enum_names(const std::string& enum_name,
                                                      const std::string& strip_prefix);

}  // namespace pscope
