// TC attachment owner and per-CPU map helpers (see bpf.h).
#include "core/bpf.h"

#include <cerrno>
#include <vector>

namespace pscope::bpf {

Result<TcAttachment> TcAttachment::attach(int ifindex, bpf_tc_attach_point point, int prog_fd,
                                          unsigned priority) {
  TcAttachment a;
  a.ifindex_ = ifindex;
  a.point_ = point;
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST)
    return sys_error(err, "create clsact qdisc on ifindex " + std::to_string(ifindex));
  a.created_hook_ = (err == 0);
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .flags = 0, .priority = priority);
  opts.handle = 0;
  err = bpf_tc_attach(&hook, &opts);
  if (err) {
    a.reset();
    return sys_error(err, "attach TC program on ifindex " + std::to_string(ifindex));
  }
  a.handle_ = opts.handle;
  a.priority_ = opts.priority;
  a.attached_ = true;
  return a;
}

TcAttachment::TcAttachment(TcAttachment&& o) noexcept { *this = std::move(o); }

TcAttachment& TcAttachment::operator=(TcAttachment&& o) noexcept {
  if (this != &o) {
    reset();
    ifindex_ = o.ifindex_;
    point_ = o.point_;
    handle_ = o.handle_;
    priority_ = o.priority_;
    created_hook_ = o.created_hook_;
    attached_ = o.attached_;
    o.attached_ = false;
    o.created_hook_ = false;
  }
  return *this;
}

TcAttachment::~TcAttachment() { reset(); }

void TcAttachment::reset() noexcept {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex_, .attach_point = point_);
  if (attached_) {
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle_, .priority = priority_);
    bpf_tc_detach(&hook, &opts);
    attached_ = false;
  }
  if (created_hook_) {
    // Destroying with both points removes the clsact qdisc we created.
    hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
    bpf_tc_hook_destroy(&hook);
    created_hook_ = false;
  }
}

Result<unsigned long long> sum_percpu_u64(const bpf_map* map, unsigned key) {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return sys_error(ncpu, "count possible CPUs");
  std::vector<unsigned long long> vals(static_cast<size_t>(ncpu));
  if (int err = bpf_map__lookup_elem(map, &key, sizeof(key), vals.data(),
                                     vals.size() * sizeof(vals[0]), 0);
      err)
    return sys_error(err, std::string("read map ") + bpf_map__name(map));
  unsigned long long sum = 0;
  for (auto v : vals) sum += v;
  return sum;
}

}  // namespace pscope::bpf
