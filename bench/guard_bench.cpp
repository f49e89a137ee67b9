// guard_bench: the Guarder's cost, for bench/guard_bench.sh.
//
//   guard_bench testrun [repeat] [reps]
//       BPF_PROG_TEST_RUN ns/packet of an XDP program that only returns XDP_PASS, then of the
//       Guarder with 0, 10, 1 000, 10 000 and 100 000 rules (a realistic mix: /32 and /24
//       source blocks, /32 passes inside them, destination + port rules, IPv6 sources and a
//       few rules without addresses), for a packet that hits a rule and one that misses all.
//       Each figure is the median of `reps` runs of `repeat` packets.
//   guard_bench attach PIN_DIR IFNAME SRC [filler-rules]
//       Attaches the Guarder to IFNAME with one drop rule for SRC (plus filler rules of the same
//       mix), prints "ready", waits for SIGINT/SIGTERM, then removes everything it pinned.
//   guard_bench passprog IFNAME
//       Attaches the XDP_PASS-only program to IFNAME until SIGINT/SIGTERM.
//   guard_bench gen IFNAME SECONDS SRC DST DST_MAC
//       Sends 60-byte UDP frames SRC -> DST:9 out of IFNAME as fast as one CPU can, as XDP
//       frames (BPF_PROG_TEST_RUN live-frames mode redirecting to IFNAME).
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "guarder/engine.h"
#include "guarder/rule.h"

namespace g = pscope::guarder;

namespace {

g::Cidr v4(uint32_t host_order, uint8_t plen) {
  g::Cidr c;
  c.family = 4;
  c.prefix = plen;
  uint32_t n = htonl(host_order);
  std::memcpy(c.addr.data(), &n, 4);
  return c;
}

void add(std::vector<g::Rule>& rules, g::Action act, int prio, g::Match m) {
  g::Rule r;
  r.id = static_cast<uint32_t>(rules.size() + 1);
  r.action = act;
  r.priority = prio;
  if (m.src) m.family = m.src->family;
  if (m.dst) m.family = m.dst->family;
  r.match = std::move(m);
  rules.push_back(std::move(r));
}

// n rules: 4 without addresses, then 55 % /32 source drops (10.0.0.0 + 7i), 30 % /24 source
// drops (20.0.0.0/24 + i), 5 % /32 passes inside those /24s, 5 % destination /32 + UDP port,
// 5 % IPv6 /128 sources.
std::vector<g::Rule> rule_mix(uint32_t n) {
  std::vector<g::Rule> rules;
  if (n == 0) return rules;
  auto proto = [](uint8_t p) {
    g::Match m;
    m.protocol = p;
    return m;
  };
  add(rules, g::Action::kDrop, 50, proto(47));
  g::Match chargen = proto(17), ssdp = proto(17), telnet = proto(6);
  chargen.sport = g::Range<uint16_t>{19, 19};
  ssdp.sport = g::Range<uint16_t>{1900, 1900};
  telnet.dport = g::Range<uint16_t>{23, 23};
  add(rules, g::Action::kDrop, 50, chargen);
  add(rules, g::Action::kDrop, 50, ssdp);
  add(rules, g::Action::kDrop, 50, telnet);
  uint32_t rest = n > 4 ? n - 4 : 0;
  uint32_t n32 = rest * 55 / 100, n24 = rest * 30 / 100, npass = rest * 5 / 100,
           ndst = rest * 5 / 100, n6 = rest - n32 - n24 - npass - ndst;
  auto src = [](const g::Cidr& c) {
    g::Match m;
    m.src = c;
    return m;
  };
  for (uint32_t i = 0; i < n32; i++) add(rules, g::Action::kDrop, 100, src(v4(0x0A000000u + 7 * i, 32)));
  for (uint32_t i = 0; i < n24; i++) add(rules, g::Action::kDrop, 100, src(v4(0x14000000u + 256 * i, 24)));
  for (uint32_t i = 0; i < npass; i++)
    add(rules, g::Action::kPass, 10, src(v4(0x14000000u + 256 * (i % std::max(1u, n24)) + 5, 32)));
  for (uint32_t i = 0; i < ndst; i++) {
    g::Match m = proto(17);
    m.dst = v4(0xC6120000u + i, 32);
    m.dport = g::Range<uint16_t>{53, 53};
    add(rules, g::Action::kDrop, 200, m);
  }
  for (uint32_t i = 0; i < n6; i++) {
    g::Cidr c;
    c.family = 6;
    c.prefix = 128;
    c.addr = {0x20, 0x01, 0x0d, 0xb8};
    c.addr[12] = static_cast<uint8_t>(i >> 24);
    c.addr[13] = static_cast<uint8_t>(i >> 16);
    c.addr[14] = static_cast<uint8_t>(i >> 8);
    c.addr[15] = static_cast<uint8_t>(i);
    add(rules, g::Action::kDrop, 100, src(c));
  }
  return rules;
}

// A 60-byte UDP frame from `src` (dotted quad) to 192.0.2.1:53 (checksums do not matter here).
std::vector<uint8_t> udp_frame(const char* src) {
  std::vector<uint8_t> f(60, 0);
  const uint8_t head[] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,     // Ethernet
                          0x45, 0, 0, 46, 0x12, 0x34, 0, 0, 64, 17, 0, 0};  // IPv4 up to csum
  std::memcpy(f.data(), head, sizeof(head));
  inet_pton(AF_INET, src, &f[26]);
  inet_pton(AF_INET, "192.0.2.1", &f[30]);
  const uint8_t udp[] = {0x03, 0xe8, 0x00, 0x35, 0x00, 26, 0, 0};  // 1000 -> 53, length 26
  std::memcpy(&f[34], udp, sizeof(udp));
  return f;
}

// Median ns/packet of `reps` test runs of `repeat` packets each.
double ns_per_packet(int fd, const std::vector<uint8_t>& pkt, uint32_t repeat, int reps,
                     uint32_t* verdict) {
  std::vector<double> v;
  for (int i = 0; i < reps; i++) {
    bpf_test_run_opts o{};
    o.sz = sizeof(o);
    o.data_in = pkt.data();
    o.data_size_in = static_cast<uint32_t>(pkt.size());
    o.repeat = repeat;
    if (int err = bpf_prog_test_run_opts(fd, &o); err) {
      std::fprintf(stderr, "BPF_PROG_TEST_RUN: %s\n", std::strerror(-err));
      return -1;
    }
    *verdict = o.retval;
    v.push_back(o.duration);
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int xdp_pass_prog() {
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = XDP_PASS
  insns[0].imm = XDP_PASS;
  insns[1].code = BPF_JMP | BPF_EXIT;
  int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_pass", "GPL", insns, 2, nullptr);
  if (fd < 0) std::fprintf(stderr, "load the XDP_PASS program: %s\n", std::strerror(errno));
  return fd;
}

int cmd_testrun(uint32_t repeat, int reps) {
  int empty = xdp_pass_prog();
  if (empty < 0) return 1;
  g::EngineOptions opt;
  opt.pin_dir = "/sys/fs/bpf/psbench" + std::to_string(getpid());
  auto eng = g::Engine::open(opt);
  if (!eng) {
    std::fprintf(stderr, "Engine::open: %s\n", eng.error().what.c_str());
    return 1;
  }
  auto hit = udp_frame("10.0.0.7"), miss = udp_frame("11.1.1.1");
  uint32_t verdict = 0;
  double base = ns_per_packet(empty, miss, repeat, reps, &verdict);
  std::printf("%-30s %10s %10s %10s %10s %12s\n", "program", "hit ns", "ratio", "miss ns", "ratio",
              "apply ms");
  std::printf("%-30s %10.1f %10s %10.1f %10s %12s\n", "XDP_PASS only", base, "1.00", base, "1.00", "-");
  int rc = 0;
  for (uint32_t n : {0u, 10u, 1000u, 10000u, 100000u}) {
    auto rules = rule_mix(n);
    auto rep = (*eng)->apply(rules);
    if (!rep) {
      std::fprintf(stderr, "apply %u rules: %s\n", n, rep.error().what.c_str());
      rc = 1;
      break;
    }
    uint32_t vh = 0, vm = 0;
    double h = ns_per_packet((*eng)->prog_fd(), hit, repeat, reps, &vh);
    double m = ns_per_packet((*eng)->prog_fd(), miss, repeat, reps, &vm);
    if (n && vh != XDP_DROP) std::fprintf(stderr, "warning: the hit packet was not dropped (%u)\n", vh);
    if (vm != XDP_PASS) std::fprintf(stderr, "warning: the miss packet was not passed (%u)\n", vm);
    std::printf("%-30s %10.1f %10.2f %10.1f %10.2f %12.0f\n",
                ("guarder, " + std::to_string(n) + " rules").c_str(), h, h / base, m, m / base,
                rep->compile_ms + rep->write_ms);
  }
  std::printf("median of %d runs of %u packets (BPF_PROG_TEST_RUN repeat); hit: 10.0.0.7 is in a "
              "/32 drop rule (no rule with 0 rules); miss: 11.1.1.1 is in none\n", reps, repeat);
  eng->reset();
  (void)g::Engine::remove_all(opt);
  close(empty);
  return rc;
}

// A traffic generator that hands frames to a device the way a NIC driver's XDP would: an XDP
// program redirecting to IFNAME, run by BPF_PROG_TEST_RUN in live-frames mode (as
// xdp-trafficgen does). Frames reach the veth peer as xdp_frames, so an XDP program there runs
// before any skb exists, as on a physical NIC; without one the peer builds skbs (needs GRO on).
int cmd_gen(const std::string& ifname, double seconds, const char* src, const char* dst,
            const std::string& dst_mac) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (!ifindex) {
    std::fprintf(stderr, "no interface %s in this namespace\n", ifname.c_str());
    return 1;
  }
  bpf_insn insns[4] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r1 = ifindex
  insns[0].dst_reg = BPF_REG_1;
  insns[0].imm = static_cast<int32_t>(ifindex);
  insns[1].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r2 = 0
  insns[1].dst_reg = BPF_REG_2;
  insns[2].code = BPF_JMP | BPF_CALL;           // r0 = bpf_redirect(r1, r2)
  insns[2].imm = BPF_FUNC_redirect;
  insns[3].code = BPF_JMP | BPF_EXIT;
  int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "psg_gen", "GPL", insns, 4, nullptr);
  if (fd < 0) {
    std::fprintf(stderr, "load the generator program: %s\n", std::strerror(errno));
    return 1;
  }
  std::vector<uint8_t> frame = udp_frame(src);
  inet_pton(AF_INET, dst, &frame[30]);
  frame[37] = 9;  // UDP destination port 9 (discard)
  unsigned m[6];
  if (std::sscanf(dst_mac.c_str(), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
    std::fprintf(stderr, "bad MAC %s\n", dst_mac.c_str());
    return 2;
  }
  for (int i = 0; i < 6; i++) frame[i] = static_cast<uint8_t>(m[i]);
  // IPv4 header checksum (the receiving stack checks it in the baseline).
  frame[24] = frame[25] = 0;
  uint32_t sum = 0;
  for (int i = 14; i < 34; i += 2) sum += static_cast<uint32_t>(frame[i] << 8 | frame[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  frame[24] = static_cast<uint8_t>(~sum >> 8);
  frame[25] = static_cast<uint8_t>(~sum);
  uint64_t sent = 0;
  timespec t0{}, t1{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double elapsed = 0;
  while (elapsed < seconds) {
    bpf_test_run_opts o{};
    o.sz = sizeof(o);
    o.data_in = frame.data();
    o.data_size_in = static_cast<uint32_t>(frame.size());
    o.repeat = 200000;
    o.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
    if (int err = bpf_prog_test_run_opts(fd, &o); err) {
      std::fprintf(stderr, "BPF_PROG_TEST_RUN (live frames): %s\n", std::strerror(-err));
      close(fd);
      return 1;
    }
    sent += o.repeat;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed = static_cast<double>(t1.tv_sec - t0.tv_sec) + static_cast<double>(t1.tv_nsec - t0.tv_nsec) / 1e9;
  }
  std::printf("sent %llu in %.3f s: %.0f pkt/s\n", static_cast<unsigned long long>(sent), elapsed,
              static_cast<double>(sent) / elapsed);
  close(fd);
  return 0;
}

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Attaches the XDP_PASS-only program to IFNAME (native) until SIGINT/SIGTERM: a veth accepts
// redirected XDP frames only while an XDP program (or GRO) gives it NAPI, so the modes without
// the Guarder get this one, and their frames go on to the stack as skbs.
int cmd_passprog(const std::string& ifname) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  int fd = xdp_pass_prog();
  if (!ifindex || fd < 0) {
    std::fprintf(stderr, "passprog: no interface %s or no program\n", ifname.c_str());
    return 1;
  }
  if (int err = bpf_xdp_attach(static_cast<int>(ifindex), fd, XDP_FLAGS_DRV_MODE, nullptr); err) {
    std::fprintf(stderr, "attach XDP_PASS to %s: %s\n", ifname.c_str(), std::strerror(-err));
    return 1;
  }
  std::printf("ready %s mode=native rules=none\n", ifname.c_str());
  std::fflush(stdout);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  while (!g_stop) pause();
  bpf_xdp_detach(static_cast<int>(ifindex), XDP_FLAGS_DRV_MODE, nullptr);
  close(fd);
  return 0;
}

int cmd_attach(const std::string& pin_dir, const std::string& ifname, const char* src,
               uint32_t filler) {
  g::EngineOptions opt;
  opt.pin_dir = pin_dir;
  auto eng = g::Engine::open(opt);
  if (!eng) {
    std::fprintf(stderr, "Engine::open: %s\n", eng.error().what.c_str());
    return 1;
  }
  auto rules = rule_mix(filler);
  g::Rule drop;
  drop.id = static_cast<uint32_t>(rules.size() + 1);
  drop.action = g::Action::kDrop;
  drop.match.family = 4;
  drop.match.src = v4(ntohl(inet_addr(src)), 32);
  rules.push_back(drop);
  int rc = 0;
  if (auto r = (*eng)->apply(rules); !r) {
    std::fprintf(stderr, "apply: %s\n", r.error().what.c_str());
    rc = 1;
  } else if (auto a = (*eng)->attach(ifname, std::nullopt); !a) {
    std::fprintf(stderr, "attach %s: %s\n", ifname.c_str(), a.error().what.c_str());
    rc = 1;
  } else {
    std::printf("ready %s mode=%s rules=%zu\n", ifname.c_str(),
                std::string(g::to_string(a->mode)).c_str(), rules.size());
    std::fflush(stdout);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (!g_stop) pause();
  }
  eng->reset();
  (void)g::Engine::remove_all(opt);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "testrun") {
    uint32_t repeat = argc > 2 ? static_cast<uint32_t>(std::stoul(argv[2])) : 1000000;
    int reps = argc > 3 ? std::stoi(argv[3]) : 5;
    if (repeat == 0 || reps <= 0) {
      std::fprintf(stderr, "repeat and reps must be positive\n");
      return 2;
    }
    return cmd_testrun(repeat, reps);
  }
  if (cmd == "attach" && argc >= 5) {
    in_addr a{};
    if (inet_pton(AF_INET, argv[4], &a) != 1) {
      std::fprintf(stderr, "SRC must be an IPv4 address, got '%s'\n", argv[4]);
      return 2;
    }
    return cmd_attach(argv[2], argv[3], argv[4], argc > 5 ? static_cast<uint32_t>(std::stoul(argv[5])) : 0);
  }
  if (cmd == "passprog" && argc >= 3) return cmd_passprog(argv[2]);
  if (cmd == "gen" && argc >= 7) {
    double secs = std::stod(argv[3]);
    in_addr a{};
    if (secs <= 0 || inet_pton(AF_INET, argv[4], &a) != 1 || inet_pton(AF_INET, argv[5], &a) != 1) {
      std::fprintf(stderr, "gen: SECONDS must be positive and SRC, DST IPv4 addresses\n");
      return 2;
    }
    return cmd_gen(argv[2], secs, argv[4], argv[5], argv[6]);
  }
  std::fprintf(stderr,
               "usage: guard_bench testrun [repeat] [reps]\n"
               "       guard_bench attach PIN_DIR IFNAME SRC [filler-rules]\n"
               "       guard_bench gen IFNAME SECONDS SRC DST DST_MAC\n"
               "       guard_bench passprog IFNAME\n");
  return 2;
}
