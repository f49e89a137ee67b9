// Doctor checks (see doctor.h). Each check says how it looked and how to fix what is missing.
#include "cli/doctor.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/features.h"
#include "core/ksyms.h"

namespace pscope::cli {
namespace {

bool has_cap(int cap) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

bool in_path(const std::string& cmd) {
  for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
    if (::access((std::string(dir) + "/" + cmd).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

std::vector<Check> run_checks(const std::string& web_root, const std::string& data_dir) {
  std::vector<Check> out;
  for (auto [cap, name] : {std::pair{CAP_BPF, "CAP_BPF"}, {CAP_NET_ADMIN, "CAP_NET_ADMIN"},
                           {CAP_SYS_ADMIN, "CAP_SYS_ADMIN"}, {CAP_NET_RAW, "CAP_NET_RAW"}}) {
    bool ok = has_cap(cap);
    out.push_back({"privileges", name, ok, true, ok ? "effective" : "missing",
                   "run packetscope as root (sudo) or grant the capability"});
  }
  utsname u{};
  uname(&u);
  out.push_back({"kernel", "release", true, false, u.release, ""});
  for (const auto& f : detect_features()) {
    bool required = f.name == "btf" || f.name == "tp_btf" || f.name == "ringbuf";
    bool optional_extra = f.name == "kprobe" || f.name == "fentry";
    std::string fix;
    if (f.name == "btf") fix = "use a kernel built with CONFIG_DEBUG_INFO_BTF=y";
    else if (f.name == "bpffs") fix = "`packetscope serve` mounts it; or: mount -t bpf bpf /sys/fs/bpf";
    else if (optional_extra) fix = "optional: PacketScope runs on tracepoints without it";
    else fix = "needs a newer kernel or root";
    out.push_back({"kernel", f.name, f.available, required && !optional_extra, f.detail, fix});
  }
  auto ks = Kallsyms::load();
  out.push_back({"kernel", "kallsyms", ks.has_value(), false,
                 ks ? std::to_string(ks->size()) + " text symbols" : ks.error().what,
                 "run as root so drop locations resolve to symbols"});
  auto reasons = btf_enum_names("skb_drop_reason", "SKB_DROP_REASON_");
  out.push_back({"kernel", "drop reasons", reasons.has_value(), false,
                 reasons ? std::to_string(reasons->size()) + " names from BTF" : reasons.error().what,
                 "kernel >= 5.17 with BTF names drop reasons"});
  std::error_code ec;
  bool ui = std::filesystem::exists(std::filesystem::path(web_root) / "index.html", ec);
  out.push_back({"runtime", "web UI", ui, true, web_root, "build it: scripts/setup.sh"});
  bool dd = ::access(data_dir.c_str(), W_OK) == 0 ||
            ::access(std::filesystem::path(data_dir).parent_path().c_str(), W_OK) == 0;
  out.push_back({"runtime", "data dir", dd, true, data_dir, "choose a writable --data-dir"});
  for (const char* tool : {"ip", "nft", "iperf3", "hping3", "nmap", "tshark", "trafgen", "chromium",
                           "promtool", "traceroute", "mtr", "arping"}) {
    bool ok = in_path(tool);
    out.push_back({"tests", tool, ok, false, ok ? "found" : "not found",
                   "scripts/setup.sh installs every tool the tests use"});
  }
  return out;
}

int doctor_main(const std::string& web_root, const std::string& data_dir, bool json) {
  auto checks = run_checks(web_root, data_dir);
  int failed_required = 0;
  for (const auto& c : checks) failed_required += (!c.ok && c.required);
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : checks)
      arr.push_back({{"area", c.area}, {"name", c.name}, {"ok", c.ok}, {"required", c.required},
                     {"detail", c.detail}, {"fix", c.ok ? "" : c.fix}});
    std::printf("%s\n", nlohmann::json{{"checks", arr}, {"ok", failed_required == 0}}.dump(2).c_str());
  } else {
    std::string area;
    for (const auto& c : checks) {
      if (c.area != area) std::printf("\n%s\n", (area = c.area).c_str());
      const char* mark = c.ok ? "ok  " : (c.required ? "FAIL" : "warn");
      std::printf("  [%s] %-14s %s\n", mark, c.name.c_str(), c.detail.c_str());
      if (!c.ok && !c.fix.empty()) std::printf("         fix: %s\n", c.fix.c_str());
    }
    std::printf("\n%s\n", failed_required == 0 ? "All required checks passed."
                                                : "Some required checks failed: see 'fix' above.");
  }
  return failed_required == 0 ? 0 : 1;
}

}  // namespace pscope::cli
