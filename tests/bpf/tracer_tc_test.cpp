// BPF_PROG_TEST_RUN tests of the tracer's TC classifier (bpf/tracer.bpf.c: tracer_tc) and so of
// the shared header parser (bpf/parse.bpf.h). Each table row (tracer_tc_rows.cpp) is a frame
// built with PacketBuilder plus the ps_pkt_meta the parser must report for it; the program runs
// once per row in the kernel and its ring-buffer record is compared field by field.
//
// Needs root (CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON to load the object); skips otherwise.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <iostream>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "caps.h"
#include "core/bpf.h"
#include "packet_builder.h"
#include "ps/tracer_abi.h"
#include "tracer.skel.h"
#include "tracer_tc_rows.h"

namespace {

using namespace pscope::testing;  // NOLINT(google-build-using-namespace): builder vocabulary
using pscope::testing::tracer_tc::Expect;
using pscope::testing::tracer_tc::Frame;
using pscope::testing::tracer_tc::Row;
using pscope::testing::tracer_tc::Rows;
using TracerSkel = PSCOPE_SKEL(tracer_bpf);

constexpr int kTcActUnspec = -1;

// Recent kernels (and stable backports, 2026) make BPF_PROG_TEST_RUN refuse an untagged IPv4 or
// IPv6 frame whose network header is shorter than 20/40 bytes (-EINVAL, before the program
// runs). Older kernels run it. Such rows have a VLAN-tagged twin, which the kernel never checks,
// so the parser's handling of a short L3 header is tested either way.
bool kernel_may_reject(const Bytes& pkt) {
  if (pkt.size() < kEthHdrLen) return true;
  std::uint16_t type = static_cast<std::uint16_t>(pkt[12] << 8 | pkt[13]);
  return (type == kEthIPv4 && pkt.size() < kEthHdrLen + kIpv4HdrLen) ||
         (type == kEthIPv6 && pkt.size() < kEthHdrLen + kIpv6HdrLen);
}
constexpr const char* kKernelRejects =
    "this kernel's BPF_PROG_TEST_RUN rejects IPv4/IPv6 frames with a short network header "
    "(-EINVAL before the program runs; not a tracer bug); the vlan_ twin of this row covers it";

// ---- comparing with the expectation ---------------------------------------------------------

std::string flags_text(unsigned f) {
  static constexpr std::pair<unsigned, const char*> kNames[] = {
      {PS_META_VLAN, "VLAN"},         {PS_META_TRUNCATED, "TRUNCATED"},
      {PS_META_MALFORMED, "MALFORMED"}, {PS_META_FRAGMENT, "FRAGMENT"},
      {PS_META_IP_OPTIONS, "IP_OPTIONS"}, {PS_META_IPV6_EXT, "IPV6_EXT"},
      {PS_META_L2, "L2"}};
  std::string s;
  for (auto [bit, name] : kNames) {
    if (f & bit) {
      s += s.empty() ? "" : "|";
      s += name;
      f &= ~bit;
    }
  }
  if (f) s += (s.empty() ? "0x" : "|0x") + std::to_string(f);
  return s.empty() ? "0" : s;
}

// Text of a 16-byte meta address: IPv6 for family 6 (or when bytes 4..15 are used), else IPv4.
std::string addr_text(const std::uint8_t* a, unsigned family) {
  bool zero = true, tail_zero = true;
  for (int i = 0; i < 16; i++) {
    if (a[i]) zero = false;
    if (i >= 4 && a[i]) tail_zero = false;
  }
  if (zero) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == 6 || !tail_zero)
    inet_ntop(AF_INET6, a, buf, sizeof(buf));
  else
    inet_ntop(AF_INET, a, buf, sizeof(buf));
  return buf;
}

// ---- harness --------------------------------------------------------------------------------

struct RunResult {
  int err = 0;     // bpf_prog_test_run_opts: 0 or -errno
  int retval = 0;  // the program's return value
  std::vector<ps_drop_event> events;
  std::size_t bad_sizes = 0;  // ring-buffer records of an unexpected size
};

// Why this process cannot load and test-run the tracer, or "" if it (probably) can: root, or
// CAP_BPF (or CAP_SYS_ADMIN) + CAP_PERFMON for the tp_btf programs + CAP_NET_ADMIN for TC.
std::string missing_privileges() {
  if (geteuid() == 0) return "";
  using namespace pscope::testing;
  auto has = has_effective_cap;
  bool bpf = has(kCapSysAdmin) || (has(kCapBpf) && has(kCapPerfmon));
  if (bpf && has(kCapNetAdmin)) return "";
  return "not root and no CAP_BPF+CAP_PERFMON+CAP_NET_ADMIN: BPF_PROG_TEST_RUN tests need them "
         "(run as root, e.g. sudo ctest -L bpf)";
}

// Owns a loaded tracer object and a reader of its ring buffer.
class Tracer {
 public:
  // Returns nullptr with `skip` set when the process may not load BPF, or with `error` set.
  static std::unique_ptr<Tracer> load(bool emit_events, std::string& skip, std::string& error) {
    if (skip = missing_privileges(); !skip.empty()) return nullptr;
    auto skel = TracerSkel::open("tracer");
    if (!skel) {
      error = skel.error().what;
      return nullptr;
    }
    (*skel)->rodata->cfg_emit_tc_events = emit_events ? 1 : 0;
    if (auto ok = skel->load(); !ok) {
      if (ok.error().code == -EPERM || ok.error().code == -EACCES || geteuid() != 0)
        skip = "loading BPF needs root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON): " + ok.error().what;
      else
        error = ok.error().what;
      return nullptr;
    }
    auto t = std::unique_ptr<Tracer>(new Tracer(std::move(*skel)));
    t->rb_.reset(ring_buffer__new(bpf_map__fd(t->skel_->maps.tracer_events), &Tracer::on_event,
                                  t.get(), nullptr));
    if (!t->rb_) {
      error = std::string("ring_buffer__new: ") + std::strerror(errno);
      return nullptr;
    }
    return t;
  }

  RunResult run(const Bytes& pkt) {
    RunResult r;
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = pkt.data();
    opts.data_size_in = static_cast<__u32>(pkt.size());
    opts.repeat = 1;
    sink_ = &r;
    r.err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.tracer_tc), &opts);
    r.retval = static_cast<int>(opts.retval);
    int n = ring_buffer__consume(rb_.get());
    if (n < 0) ADD_FAILURE() << "ring_buffer__consume: " << std::strerror(-n);
    sink_ = nullptr;
    return r;
  }

  unsigned long long seen() {
    auto v = pscope::bpf::sum_percpu_u64(skel_->maps.tracer_counters, PS_TC_TC_SEEN);
    if (!v) {
      ADD_FAILURE() << v.error().what;
      return 0;
    }
    return *v;
  }

 private:
  explicit Tracer(TracerSkel s) : skel_(std::move(s)) {}

  static int on_event(void* ctx, void* data, std::size_t size) {
    auto* self = static_cast<Tracer*>(ctx);
    if (!self->sink_) return 0;
    if (size != sizeof(ps_drop_event)) {
      self->sink_->bad_sizes++;
      return 0;
    }
    ps_drop_event ev;
    std::memcpy(&ev, data, sizeof(ev));
    self->sink_->events.push_back(ev);
    return 0;
  }

  TracerSkel skel_;
  pscope::bpf::RingBuffer rb_;
  RunResult* sink_ = nullptr;
};

unsigned long long monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<unsigned long long>(ts.tv_sec) * 1000000000ULL +
         static_cast<unsigned long long>(ts.tv_nsec);
}

class TracerTcTest : public ::testing::Test {
 protected:
  void SetUp() override { open(true); }

  void open(bool emit) {
    std::string skip, error;
    tracer_ = Tracer::load(emit, skip, error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_TRUE(tracer_) << error;
  }

  // Runs one frame the kernel accepts and checks the record's envelope (everything but meta).
  // Returns the event, or nullopt after recording a failure.
  std::optional<ps_drop_event> run_one(const Bytes& pkt) {
    auto before = tracer_->seen();
    auto t0 = monotonic_ns();
    RunResult r = tracer_->run(pkt);
    auto t1 = monotonic_ns();
    if (r.err == -EINVAL && kernel_may_reject(pkt)) {
      rejected_ = true;
      EXPECT_TRUE(r.events.empty()) << "a rejected run must not reach the program";
      EXPECT_EQ(tracer_->seen(), before) << "a rejected run must not reach the program";
      return std::nullopt;
    }
    EXPECT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN: " << std::strerror(-r.err);
    EXPECT_EQ(r.retval, kTcActUnspec) << "tracer_tc must never change the verdict";
    EXPECT_EQ(tracer_->seen() - before, 1u) << "PS_TC_TC_SEEN must count each run once";
    EXPECT_EQ(r.bad_sizes, 0u);
    if (r.events.size() != 1) {
      ADD_FAILURE() << "expected exactly one ring-buffer record, got " << r.events.size();
      return std::nullopt;
    }
    const ps_drop_event& ev = r.events[0];
    EXPECT_EQ(ev.kind, static_cast<__u32>(PS_EV_TC_PACKET));
    EXPECT_GE(ev.ts_ns, t0);
    EXPECT_LE(ev.ts_ns, t1);
    EXPECT_EQ(ev.location, 0u);
    EXPECT_EQ(ev.skb, 0u);
    EXPECT_EQ(ev.reason, 0u);
    EXPECT_EQ(ev.netns, 0u);
    EXPECT_EQ(ev.pad0, 0u);
    // BPF_PROG_TEST_RUN injects the skb on the loopback device of the caller's netns.
    EXPECT_EQ(ev.ifindex, if_nametoindex("lo"));
    EXPECT_EQ(ev.meta.pkt_len, pkt.size());
    std::size_t cap = std::min<std::size_t>(pkt.size(), PS_HDR_CAP);
    EXPECT_EQ(ev.caplen, cap);
    if (ev.caplen == cap) {
      Bytes got(ev.data, ev.data + cap);
      Bytes want(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(cap));
      EXPECT_EQ(got, want) << "data[] must hold the first caplen bytes of the frame";
    }
    EXPECT_EQ(ev.meta.pad0, 0u);
    EXPECT_EQ(ev.meta.pad1, 0u);
    return ev;
  }

  std::unique_ptr<Tracer> tracer_;
  bool rejected_ = false;  // the last run_one() input was refused by the kernel (see above)
};

// ---- table-driven parser test ---------------------------------------------------------------

class TracerTcRowTest : public TracerTcTest, public ::testing::WithParamInterface<Row> {};

TEST_P(TracerTcRowTest, ReportsParsedHeaders) {
  const Row& row = GetParam();
  SCOPED_TRACE(row.description);
  auto ev = run_one(row.packet);
  if (rejected_) {
    // The kernel refused the frame before our program ran (and run_one() checked that nothing
    // was recorded or counted): correct behaviour, not a skip. The VLAN twin rows, which the
    // kernel does not pre-check, cover the parser on the same short headers.
    std::cout << "[   NOTE   ] " << kKernelRejects << "\n";
    RecordProperty("kernel_rejected", "true");
    return;
  }
  ASSERT_TRUE(ev);
  const ps_pkt_meta& m = ev->meta;
  const Expect& w = row.want;
  EXPECT_EQ(flags_text(m.flags), flags_text(w.flags)) << "flags";
  EXPECT_EQ(unsigned{m.family}, unsigned{w.family}) << "family";
  EXPECT_EQ(m.l3_proto, w.l3_proto) << "l3_proto";
  EXPECT_EQ(unsigned{m.l4_proto}, unsigned{w.l4_proto}) << "l4_proto";
  EXPECT_EQ(addr_text(m.saddr, m.family), w.saddr) << "saddr";
  EXPECT_EQ(addr_text(m.daddr, m.family), w.daddr) << "daddr";
  EXPECT_EQ(m.sport, w.sport) << "sport";
  EXPECT_EQ(m.dport, w.dport) << "dport";
  EXPECT_EQ(unsigned{m.tcp_flags}, unsigned{w.tcp_flags}) << "tcp_flags";
  EXPECT_EQ(m.tcp_seq, w.tcp_seq) << "tcp_seq";
  EXPECT_EQ(m.tcp_ack, w.tcp_ack) << "tcp_ack";
  EXPECT_EQ(unsigned{m.icmp_type}, unsigned{w.icmp_type}) << "icmp_type";
  EXPECT_EQ(unsigned{m.icmp_code}, unsigned{w.icmp_code}) << "icmp_code";
  EXPECT_EQ(m.vlan_id, w.vlan_id) << "vlan_id";
  EXPECT_EQ(unsigned{m.ttl}, unsigned{w.ttl}) << "ttl";
  EXPECT_EQ(m.l4_off, w.l4_off) << "l4_off";
  EXPECT_EQ(m.arp_op, w.arp_op) << "arp_op";
  if (m.l4_off != 0) {
    EXPECT_LT(m.l4_off, ev->caplen) << "l4_off must lie inside the capture";
  }
}

INSTANTIATE_TEST_SUITE_P(Frames, TracerTcRowTest, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& p) { return p.param.name; });

// ---- whole-program properties ---------------------------------------------------------------

// Random frames (fixed seed): some pure noise, some a valid Ethernet/VLAN/IP prefix followed by
// noise, to push the parser down every branch with garbage lengths.
std::vector<Bytes> FuzzFrames() {
  std::mt19937 rng(0x5eed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> len(kEthHdrLen, 700);
  const Bytes prefixes[] = {
      {},
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(14).build(),
      Frame().ipv6("::1", "::2").udp(1, 2).truncate(14).build(),
      Frame().vlan(5).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).truncate(18).build(),
      Frame().ipv6("::1", "::2").ext_hop_by_hop().udp(1, 2).truncate(54).build(),
      Frame().arp(kArpRequest, "1.2.3.4", "5.6.7.8").truncate(20).build(),
  };
  std::vector<Bytes> out;
  for (int i = 0; i < 240; i++) {
    const Bytes& p = prefixes[static_cast<std::size_t>(i) % std::size(prefixes)];
    Bytes f = p;
    std::size_t n = std::max(len(rng), p.size());
    while (f.size() < n) f.push_back(static_cast<std::uint8_t>(byte(rng)));
    out.push_back(std::move(f));
  }
  return out;
}

TEST_F(TracerTcTest, NeverChangesTheVerdict) {
  std::vector<Bytes> frames;
  for (const Row& row : Rows()) frames.push_back(row.packet);
  for (Bytes& f : FuzzFrames()) frames.push_back(std::move(f));
  // The largest frame BPF_PROG_TEST_RUN takes for an skb is a page minus head- and tailroom.
  frames.push_back(Frame().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(3000).build());
  for (std::size_t i = 0; i < frames.size(); i++) {
    SCOPED_TRACE("frame " + std::to_string(i) + " of " + std::to_string(frames.size()));
    RunResult r = tracer_->run(frames[i]);
    if (r.err == -EINVAL && kernel_may_reject(frames[i])) {
      EXPECT_TRUE(r.events.empty());
      continue;
    }
    ASSERT_EQ(r.err, 0) << std::strerror(-r.err);
    EXPECT_EQ(r.retval, kTcActUnspec);
    ASSERT_EQ(r.events.size(), 1u);
    EXPECT_EQ(r.events[0].meta.pkt_len, frames[i].size());
    EXPECT_EQ(r.events[0].caplen, std::min<std::size_t>(frames[i].size(), PS_HDR_CAP));
    const ps_pkt_meta& m = r.events[0].meta;
    if (m.l4_off != 0) {
      EXPECT_LT(m.l4_off, r.events[0].caplen);
    }
  }
}

TEST_F(TracerTcTest, CountsEveryRunExactlyOnce) {
  auto rows = Rows();
  auto before = tracer_->seen();
  std::size_t runs = 0;
  for (int round = 0; round < 3; round++) {
    for (const Row& row : rows) {
      RunResult r = tracer_->run(row.packet);
      if (r.err == -EINVAL && kernel_may_reject(row.packet)) {
        ASSERT_TRUE(r.events.empty()) << row.name;
        continue;  // never reached the program: must not be counted
      }
      ASSERT_EQ(r.err, 0) << row.name;
      ASSERT_EQ(r.events.size(), 1u) << row.name;
      runs++;
    }
  }
  EXPECT_EQ(tracer_->seen() - before, runs);
}

TEST_F(TracerTcTest, FramesShorterThanEthernetAreRejectedByTheKernel) {
  // Not a tracer property: BPF_PROG_TEST_RUN refuses skb input shorter than ETH_HLEN, so the
  // program never runs (no record, no count). Real TC hooks never see such frames.
  auto before = tracer_->seen();
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{13}}) {
    Bytes pkt = Frame().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).truncate(n).build();
    ASSERT_EQ(pkt.size(), n);
    RunResult r = tracer_->run(pkt);
    EXPECT_EQ(r.err, -EINVAL) << n << " bytes";
    EXPECT_TRUE(r.events.empty()) << n << " bytes";
  }
  EXPECT_EQ(tracer_->seen(), before);
}

TEST_F(TracerTcTest, ExactlyEthernetHeaderRuns) {
  Bytes pkt = Frame().ethertype(kEthLldp).build();
  ASSERT_EQ(pkt.size(), kEthHdrLen);
  auto ev = run_one(pkt);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->meta.l3_proto, kEthLldp);
  EXPECT_EQ(flags_text(ev->meta.flags), "L2");
}

class TracerTcQuietTest : public TracerTcTest {
 protected:
  void SetUp() override { open(false); }
};

TEST_F(TracerTcQuietTest, WithoutEmitFlagOnlyCounts) {
  auto before = tracer_->seen();
  std::size_t runs = 0;
  for (const Row& row : Rows()) {
    RunResult r = tracer_->run(row.packet);
    EXPECT_TRUE(r.events.empty()) << row.name;
    if (r.err == -EINVAL && kernel_may_reject(row.packet)) continue;
    ASSERT_EQ(r.err, 0) << row.name;
    EXPECT_EQ(r.retval, kTcActUnspec) << row.name;
    runs++;
  }
  EXPECT_GT(runs, 0u);
  EXPECT_EQ(tracer_->seen() - before, runs);
}

}  // namespace
