// Kernel feature probes: each loads (and, where the feature is the attach itself, attaches) the
// smallest possible program and reports the kernel's answer verbatim.
#include "core/features.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/bpf.h"
#include "core/fd.h"

namespace pscope {
namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;

// r0 = 0; exit
const bpf_insn kReturnZero[] = {
    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
    {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
};

std::string err_text(int neg) { return std::strerror(neg < 0 ? -neg : neg); }

UniqueFd load_prog(bpf_prog_type type, bpf_attach_type attach, int btf_id, std::string& err) {
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach,
              .attach_btf_id = static_cast<__u32>(btf_id));
  int fd = bpf_prog_load(type, "ps_probe", "GPL", kReturnZero, 2, &opts);
  if (fd < 0) err = "load: " + err_text(errno);
  return UniqueFd(fd < 0 ? -1 : fd);
}

Feature probe_tracing(const char* name, bpf_attach_type attach, const btf* vmlinux,
                      const char* target, __u32 kind, const char* what) {
  Feature f{name, false, ""};
  if (!vmlinux) {
    f.detail = "needs kernel BTF (/sys/kernel/btf/vmlinux)";
    return f;
  }
  int id = btf__find_by_name_kind(vmlinux, target, kind);
  if (id < 0) {
    f.detail = std::string("BTF has no ") + target;
    return f;
  }
  std::string err;
  UniqueFd prog = load_prog(BPF_PROG_TYPE_TRACING, attach, id, err);
  if (!prog.valid()) {
    f.detail = std::string(what) + " " + err;
    return f;
  }
  UniqueFd link(bpf_raw_tracepoint_open(nullptr, prog.get()));
  if (!link.valid()) {
    f.detail = std::string(what) + " attach: " + err_text(errno);
    return f;
  }
  f.available = true;
  f.detail = std::string(what) + " loaded and attached";
  return f;
}

Feature probe_raw_tp() {
  Feature f{"raw_tp", false, ""};
  std::string err;
  UniqueFd prog = load_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, static_cast<bpf_attach_type>(0), 0, err);
  if (!prog.valid()) {
    f.detail = "raw tracepoint program " + err;
    return f;
  }
  UniqueFd link(bpf_raw_tracepoint_open("netif_receive_skb", prog.get()));
  f.available = link.valid();
  f.detail = f.available ? "raw_tp/netif_receive_skb attached"
                         : "raw_tp attach: " + err_text(errno);
  return f;
}

Feature probe_kprobe() {
  Feature f{"kprobe", false, ""};
  std::ifstream type_file("/sys/bus/event_source/devices/kprobe/type");
  int pmu_type = -1;
  if (!(type_file >> pmu_type)) {
    f.detail = "no kprobe PMU in /sys/bus/event_source/devices (CONFIG_KPROBE_EVENTS off?)";
    return f;
  }
  std::string err;
  UniqueFd prog = load_prog(BPF_PROG_TYPE_KPROBE, static_cast<bpf_attach_type>(0), 0, err);
  if (!prog.valid()) {
    f.detail = "kprobe program " + err;
    return f;
  }
  static const char kSym[] = "tcp_v4_rcv";
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = static_cast<__u32>(pmu_type);
  attr.config1 = reinterpret_cast<__u64>(kSym);
  UniqueFd pe(static_cast<int>(
      syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)));
  if (!pe.valid()) {
    f.detail = std::string("perf_event_open kprobe on ") + kSym + ": " + err_text(errno);
    return f;
  }
  if (ioctl(pe.get(), PERF_EVENT_IOC_SET_BPF, prog.get()) < 0) {
    f.detail = "attach kprobe program: " + err_text(errno);
    return f;
  }
  f.available = true;
  f.detail = std::string("kprobe on ") + kSym + " attached";
  return f;
}

Feature probe_prog_type(const char* name, bpf_prog_type type, const char* ok_detail) {
  int r = libbpf_probe_bpf_prog_type(type, nullptr);
  Feature f{name, r == 1, ""};
  f.detail = r == 1 ? ok_detail : (r == 0 ? "kernel rejects this program type" : "probe: " + err_text(r));
  return f;
}

}  // namespace

bool is_bpffs(const std::string& path) {
  struct statfs st {};
  return statfs(path.c_str(), &st) == 0 && static_cast<long>(st.f_type) == kBpfFsMagic;
}

Result<void> ensure_bpffs(const std::string& path) {
  if (is_bpffs(path)) return {};
  ::mkdir(path.c_str(), 0700);
  if (::mount("bpf", path.c_str(), "bpf", 0, "mode=0700") != 0)
    return errno_error("mount bpffs at " + path + " (needs CAP_SYS_ADMIN)");
  return {};
}

std::vector<Feature> detect_features() {
  std::vector<Feature> out;
  bpf::Btf vmlinux(btf__load_vmlinux_btf());
  out.push_back({"btf", vmlinux != nullptr,
                 vmlinux ? "kernel BTF at /sys/kernel/btf/vmlinux"
                         : "no kernel BTF: CO-RE programs cannot load (needs CONFIG_DEBUG_INFO_BTF=y)"});
  bool fs = is_bpffs("/sys/fs/bpf");
  out.push_back({"bpffs", fs, fs ? "mounted at /sys/fs/bpf" : "not mounted at /sys/fs/bpf (serve mounts it)"});
  out.push_back(probe_tracing("tp_btf", BPF_TRACE_RAW_TP, vmlinux.get(), "btf_trace_netif_receive_skb",
                              BTF_KIND_TYPEDEF, "tp_btf/netif_receive_skb"));
  out.push_back(probe_raw_tp());
  int rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr);
  out.push_back({"ringbuf", rb == 1, rb == 1 ? "BPF ring buffer maps" : "no BPF ring buffer (kernel < 5.8?)"});
  out.push_back(probe_prog_type("xdp", BPF_PROG_TYPE_XDP,
                                "XDP programs load; native mode depends on the driver, generic otherwise"));
  out.push_back(probe_prog_type("tc", BPF_PROG_TYPE_SCHED_CLS, "TC classifiers via clsact (bpf_tc_*)"));
  out.push_back(probe_kprobe());
  out.push_back(probe_tracing("fentry", BPF_TRACE_FENTRY, vmlinux.get(), "tcp_v4_rcv", BTF_KIND_FUNC,
                              "fentry/tcp_v4_rcv"));
  return out;
}

const Feature* find_feature(const std::vector<Feature>& fs, std::string_view name) {
  for (const auto& f : fs)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace pscope
