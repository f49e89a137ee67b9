// RAII owners for libbpf objects. Module code never holds a raw libbpf pointer or fd: every
// kernel object is destroyed (and so detached) when its owner goes out of scope.
#pragma once

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace pscope::bpf {

template <auto Fn>
struct CDeleter {
  void operator()(auto* p) const noexcept {
    if (p) Fn(p);
  }
};

using Link = std::unique_ptr<bpf_link, CDeleter<bpf_link__destroy>>;
using RingBuffer = std::unique_ptr<ring_buffer, CDeleter<ring_buffer__free>>;
using Btf = std::unique_ptr<btf, CDeleter<btf__free>>;

// Owns a `bpftool gen skeleton` object through its open/load/attach/destroy life cycle
// (libbpf-bootstrap: open -> set rodata -> load -> attach -> poll -> destroy).
template <class Skel, auto OpenFn, auto LoadFn, auto AttachFn, auto DestroyFn>
class Skeleton {
 public:
  static Result<Skeleton> open(const char* what, const bpf_object_open_opts* opts = nullptr) {
    Skel* s = OpenFn(opts);
    if (!s) return errno_error(std::string("open BPF object ") + what);
    return Skeleton(s, what);
  }
  Result<void> load() {
    if (int err = LoadFn(s_.get()); err)
      return sys_error(err, "load BPF object " + what_ + " (see the verifier log above)");
    return {};
  }
  Result<void> attach() {
    if (int err = AttachFn(s_.get()); err) return sys_error(err, "attach BPF programs of " + what_);
    return {};
  }
  Skel* operator->() noexcept { return s_.get(); }
  const Skel* operator->() const noexcept { return s_.get(); }
  Skel* get() noexcept { return s_.get(); }

 private:
  Skeleton(Skel* s, std::string what) : s_(s), what_(std::move(what)) {}
  std::unique_ptr<Skel, CDeleter<DestroyFn>> s_;
  std::string what_;
};

#define PSCOPE_SKEL(n) \
  ::pscope::bpf::Skeleton<::n, ::n##__open_opts, ::n##__load, ::n##__attach, ::n##__destroy>

// A TC clsact hook on one interface plus one attached classifier. Destroys the clsact qdisc only
// if this owner created it (never removes a qdisc somebody else installed).
class TcAttachment {
 public:
  static Result<TcAttachment> attach(int ifindex, bpf_tc_attach_point point, int prog_fd,
                                     unsigned priority = 1);
  TcAttachment(TcAttachment&& o) noexcept;
  TcAttachment& operator=(TcAttachment&& o) noexcept;
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;
  ~TcAttachment();
  void reset() noexcept;
  int ifindex() const noexcept { return ifindex_; }

 private:
  TcAttachment() = default;
  int ifindex_ = 0;
  bpf_tc_attach_point point_ = BPF_TC_INGRESS;
  unsigned handle_ = 0;
  unsigned priority_ = 0;
  bool created_hook_ = false;
  bool attached_ = false;
};

// Sums a per-CPU u64 array slot across possible CPUs.
Result<unsigned long long> sum_percpu_u64(const bpf_map* map, unsigned key);

}  // namespace pscope::bpf
