// The calling process's effective capabilities, for tests that say why they skip when not root.
#pragma once

#include <fstream>
#include <string>

namespace pscope::testing {

inline constexpr int kCapNetAdmin = 12, kCapSysAdmin = 21, kCapPerfmon = 38, kCapBpf = 39;

// True when `cap` is in CapEff of /proc/self/status.
inline bool has_effective_cap(int cap) {
  std::ifstream status("/proc/self/status");
  std::string line;
  unsigned long long eff = 0;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0) eff = std::stoull(line.substr(7), nullptr, 16);
  return (eff >> cap) & 1ULL;
}

}  // namespace pscope::testing
