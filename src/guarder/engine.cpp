// Engine life cycle: load (reusing pinned maps), pin the program, take over pinned XDP links
// from an earlier daemon, attach/detach interfaces, and remove everything.
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/features.h"
#include "guarder/engine_impl.h"

namespace pscope::guarder {

namespace fs = std::filesystem;

std::string_view to_string(XdpMode m) noexcept {
  return m == XdpMode::kNative ? "native" : "generic";
}

void GuardSkelDeleter::operator()(guard_bpf* s) const noexcept { guard_bpf__destroy(s); }

int64_t wall_minus_boot_ns() noexcept {
  timespec w{}, b{};
  clock_gettime(CLOCK_REALTIME, &w);
  clock_gettime(CLOCK_BOOTTIME, &b);
  return (static_cast<int64_t>(w.tv_sec) - b.tv_sec) * 1000000000LL + (w.tv_nsec - b.tv_nsec);
}

int64_t wall_minus_coarse_ns() noexcept {
  timespec w{}, m{};
  clock_gettime(CLOCK_REALTIME_COARSE, &w);
  clock_gettime(CLOCK_MONOTONIC_COARSE, &m);
  return (static_cast<int64_t>(w.tv_sec) - m.tv_sec) * 1000000000LL + (w.tv_nsec - m.tv_nsec);
}

namespace {

constexpr const char* kLinkPrefix = "link_";

Result<void> ensure_pin_dir(const std::string& dir) {
  if (dir.empty() || dir[0] != '/') return fail("guard_pin_dir must be an absolute path, got '" + dir + "'");
  if (auto r = ensure_bpffs("/sys/fs/bpf"); !r) return r;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return fail(fmt::format("create the pin directory {}: {} (the Guarder needs root)", dir,
                            ec.message()));
  if (!is_bpffs(dir))
    return fail(fmt::format("the pin directory {} is not on a BPF filesystem (use a path under "
                            "/sys/fs/bpf)", dir));
  return {};
}

// Which mode a pinned link runs in, from the interface's XDP state.
XdpMode mode_of(uint32_t ifindex, uint32_t prog_id) {
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (bpf_xdp_query(static_cast<int>(ifindex), 0, &q) == 0 && q.skb_prog_id == prog_id &&
      q.drv_prog_id != prog_id)
    return XdpMode::kGeneric;
  return XdpMode::kNative;
}

uint32_t prog_id_of(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0 ? info.id : 0;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(const EngineOptions& opt) {
  if (auto r = ensure_pin_dir(opt.pin_dir); !r) return tl::unexpected(r.error());
  LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = opt.pin_dir.c_str());
  GuardSkel skel(guard_bpf__open_opts(&oo));
  if (!skel) return errno_error("open the guard BPF object");
  if (int err = guard_bpf__load(skel.get()); err) {
    if (err == -EPERM)
      return sys_error(err, "load the guard XDP program: needs root (CAP_BPF, CAP_NET_ADMIN, "
                            "CAP_PERFMON)");
    return sys_error(err, "load the guard XDP program (see the verifier log above). If an older "
                          "PacketScope left incompatible maps in " + opt.pin_dir +
                          ", `packetscope guard detach` removes them");
  }
  auto eng = std::make_unique<GuardEngine>(opt, std::move(skel));
  if (auto r = eng->init(); !r) return tl::unexpected(r.error());
  return std::unique_ptr<Engine>(std::move(eng));
}

Result<void> Engine::remove_all(const EngineOptions& opt) {
  std::error_code ec;
  if (!fs::exists(opt.pin_dir, ec)) return {};
  for (const auto& ent : fs::directory_iterator(opt.pin_dir, ec)) {
    std::string name = ent.path().filename().string();
    if (name.rfind(kLinkPrefix, 0) != 0) continue;
    UniqueFd link(bpf_obj_get(ent.path().c_str()));
    if (link.valid() && bpf_link_detach(link.get()) != 0)
      spdlog::warn("guard: detach pinned link {}: {}", ent.path().string(), std::strerror(errno));
  }
  if (ec) return fail(fmt::format("list {}: {}", opt.pin_dir, ec.message()));
  fs::remove_all(opt.pin_dir, ec);
  if (ec) return fail(fmt::format("remove {}: {}", opt.pin_dir, ec.message()));
  return {};
}

GuardEngine::GuardEngine(EngineOptions opt, GuardSkel skel)
    : opt_(std::move(opt)), skel_(std::move(skel)) {
  int n = libbpf_num_possible_cpus();
  ncpus_ = n > 0 ? n : 1;
}

Result<void> GuardEngine::init() {
  if (auto r = pin_program(); !r) return r;
  if (auto r = adopt_links(); !r) return r;
  if (auto r = load_counter_owners(); !r) return r;
  rb_.reset(ring_buffer__new(fd(skel_->maps.guard_log), &GuardEngine::on_log, this, nullptr));
  if (!rb_) return errno_error("open the guard_log ring buffer");
  return {};
}

int GuardEngine::prog_fd() const { return bpf_program__fd(skel_->progs.guarder_xdp); }

Result<void> GuardEngine::pin_program() {
  std::string path = opt_.pin_dir + "/prog";
  ::unlink(path.c_str());  // the previous program stays alive while links still hold it
  if (int err = bpf_obj_pin(prog_fd(), path.c_str()); err)
    return sys_error(err, "pin the guard program at " + path);
  return {};
}

// A restarted (or upgraded) daemon swaps its freshly loaded program into every pinned link:
// bpf_link_update is atomic, so the interface is never without the Guarder.
Result<void> GuardEngine::adopt_links() {
  std::error_code ec;
  uint32_t my_id = prog_id_of(prog_fd());
  for (const auto& ent : fs::directory_iterator(opt_.pin_dir, ec)) {
    std::string name = ent.path().filename().string();
    if (name.rfind(kLinkPrefix, 0) != 0) continue;
    std::string ifname = name.substr(std::string_view(kLinkPrefix).size());
    UniqueFd link(bpf_obj_get(ent.path().c_str()));
    if (!link.valid()) return errno_error("open pinned link " + ent.path().string());
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(link.get(), &info, &len) != 0 || info.xdp.ifindex == 0) {
      spdlog::info("guard: {} is gone, dropping its pinned link", ifname);
      ::unlink(ent.path().c_str());
      continue;
    }
    if (int err = bpf_link_update(link.get(), prog_fd(), nullptr); err)
      return sys_error(err, "switch the pinned XDP link on " + ifname + " to the new program");
    LinkState st{std::move(link), info.xdp.ifindex, mode_of(info.xdp.ifindex, my_id)};
    links_.emplace(ifname, std::move(st));
  }
  if (ec) return fail(fmt::format("list {}: {}", opt_.pin_dir, ec.message()));
  return {};
}

Result<void> GuardEngine::load_counter_owners() {
  owner_.assign(PS_GUARD_MAX_COUNTERS, 0);
  if (auto r = array_lookup_range(fd(skel_->maps.guard_ctr_owner), 0, PS_GUARD_MAX_COUNTERS,
                                  owner_.data(), sizeof(uint32_t), "guard_ctr_owner");
      !r)
    return r;
  for (uint32_t c = 0; c < owner_.size(); c++)
    if (owner_[c]) ctr_of_[owner_[c]] = c;
  return {};
}

Result<Attachment> GuardEngine::attach(const std::string& ifname, std::optional<XdpMode> mode) {
  std::lock_guard lk(mu_);
  if (auto it = links_.find(ifname); it != links_.end()) {
    if (!mode || *mode == it->second.mode) return Attachment{ifname, it->second.ifindex, it->second.mode};
    bpf_link_detach(it->second.fd.get());  // re-attach in the requested mode
    ::unlink(link_pin(ifname).c_str());
    links_.erase(it);
  }
  if (ifname.empty() || ifname.size() >= IF_NAMESIZE || ifname.find('/') != std::string::npos)
    return fail(fmt::format("'{}' is not a valid interface name", ifname));
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (!ifindex) return fail(fmt::format("no interface named {}", ifname));
  std::vector<XdpMode> tries;
  if (!mode || *mode == XdpMode::kNative) tries.push_back(XdpMode::kNative);
  if (!mode || *mode == XdpMode::kGeneric) tries.push_back(XdpMode::kGeneric);
  int err = 0;
  for (XdpMode m : tries) {
    LIBBPF_OPTS(bpf_link_create_opts, lo);
    lo.flags = m == XdpMode::kNative ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    int lfd = bpf_link_create(prog_fd(), static_cast<int>(ifindex), BPF_XDP, &lo);
    if (lfd < 0) {
      err = -errno;
      if (err == -EBUSY || err == -EEXIST)
        return sys_error(err, fmt::format("attach XDP to {}: the interface already has another "
                                          "XDP program; remove it first", ifname));
      continue;
    }
    UniqueFd link(lfd);
    std::string pin = link_pin(ifname);
    ::unlink(pin.c_str());
    if (int perr = bpf_obj_pin(link.get(), pin.c_str()); perr) {
      bpf_link_detach(link.get());
      return sys_error(perr, "pin the XDP link at " + pin);
    }
    links_.emplace(ifname, LinkState{std::move(link), ifindex, m});
    spdlog::info("guard: attached to {} ({} XDP)", ifname, to_string(m));
    return Attachment{ifname, ifindex, m};
  }
  return sys_error(err, fmt::format("attach XDP to {} in {} mode", ifname,
                                    mode ? std::string(to_string(*mode)) : "native or generic"));
}

Result<void> GuardEngine::detach(const std::string& ifname) {
  std::lock_guard lk(mu_);
  auto it = links_.find(ifname);
  if (it == links_.end()) return fail(fmt::format("the Guarder is not attached to {}", ifname));
  if (bpf_link_detach(it->second.fd.get()) != 0 && errno != ENOLINK)
    return errno_error("detach the XDP link from " + ifname);
  ::unlink(link_pin(ifname).c_str());
  links_.erase(it);
  return {};
}

std::vector<Attachment> GuardEngine::attachments() const {
  std::lock_guard lk(mu_);
  std::vector<Attachment> out;
  for (const auto& [name, st] : links_) out.push_back({name, st.ifindex, st.mode});
  return out;
}

}  // namespace pscope::guarder
