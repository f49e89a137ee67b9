// Live socket table over NETLINK_SOCK_DIAG: request building, a bounds-checked decoder for the
// kernel's dump answers, the /proc/net/raw{,6} fallback for kernels without raw_diag, /proc fd
// scanning for owners, and the netns helper thread.
#include "tracer/sockets.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>
#include <tuple>

#include "core/fd.h"
#include "core/log.h"

namespace pscope::tracer {
namespace {

// One datagram of a dump is at most a few pages; anything past this is not a sock_diag answer.
constexpr size_t kMaxDatagram = 1 << 20;
// Guards against a dump that never ends (a kernel bug or a hostile peer).
constexpr size_t kMaxSockets = 4'000'000;
constexpr int kRecvTimeoutSec = 5;
// A /proc/net/raw row is about 150 bytes (raw6: 180); this bounds memory, not a real table.
constexpr size_t kMaxProcTable = 64u << 20;
// TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12). TCP_BOUND_INACTIVE (13) is left out, as in `ss -a`.
constexpr uint32_t kAllStates = 0x1ffeu;
constexpr uint8_t kTcpEstablished = 1, kTcpClose = 7, kTcpListen = 10;

template <class T>
T load(std::span<const uint8_t> b, size_t off = 0) {  // memcpy: the buffer has no alignment promise
  T v;
  std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}

std::string errno_name(int e) {
  const char* n = strerrorname_np(e);
  return n ? n : "errno " + std::to_string(e);
}

tl::unexpected<Error> netlink_error(int e, std::string_view proto) {
  return tl::unexpected<Error>(Error{-e, "sock_diag dump of " + std::string(proto) + " sockets failed: " +
                                             errno_name(e) + " (" + std::strerror(e) + ")"});
}

std::string addr_text(uint8_t af, const uint32_t (&a)[4]) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(af, a, buf, sizeof(buf))) return "?";
  return buf;
}

TcpInfoLite tcp_info_from(std::span<const uint8_t> p) {
  tcp_info ti{};  // a shorter (older) tcp_info leaves the rest 0; a longer one is cut
  std::memcpy(&ti, p.data(), std::min(p.size(), sizeof(ti)));
  TcpInfoLite t;
  t.srtt_us = ti.tcpi_rtt;
  t.rttvar_us = ti.tcpi_rttvar;
  t.snd_cwnd = ti.tcpi_snd_cwnd;
  t.retransmits = ti.tcpi_retransmits;
  t.total_retrans = ti.tcpi_total_retrans;
  t.lost = ti.tcpi_lost;
  t.unacked = ti.tcpi_unacked;
  t.rto_us = ti.tcpi_rto;
  t.delivery_rate = ti.tcpi_delivery_rate;
  t.bytes_acked = ti.tcpi_bytes_acked;
  t.bytes_received = ti.tcpi_bytes_received;
  t.pacing_rate = ti.tcpi_pacing_rate;
  t.snd_mss = ti.tcpi_snd_mss;
  t.rcv_space = ti.tcpi_rcv_space;
  return t;
}

// A congestion control name (at most TCP_CA_NAME_MAX) shown as-is; anything else is replaced.
std::string cong_text(std::span<const uint8_t> p) {
  size_t n = std::min<size_t>(p.size(), 16);
  std::string s;
  for (size_t i = 0; i < n && p[i] != 0; ++i) s += (p[i] >= 0x21 && p[i] < 0x7f) ? static_cast<char>(p[i]) : '?';
  return s;
}

Result<void> parse_attrs(std::span<const uint8_t> a, SocketInfo& s, size_t at) {
  size_t off = 0;
  while (a.size() - off >= sizeof(rtattr)) {
    auto h = load<rtattr>(a, off);
    if (h.rta_len < sizeof(rtattr) || h.rta_len > a.size() - off)
      return fail("sock_diag: attribute at offset " + std::to_string(at + off) + " claims " +
                  std::to_string(h.rta_len) + " bytes, " + std::to_string(a.size() - off) + " left");
    auto payload = a.subspan(off + sizeof(rtattr), h.rta_len - sizeof(rtattr));
    switch (h.rta_type & NLA_TYPE_MASK) {
      case INET_DIAG_INFO:
        if (s.proto == "tcp" && !payload.empty()) s.tcp = tcp_info_from(payload);
        break;
      case INET_DIAG_CONG: s.congestion = cong_text(payload); break;
      default: break;
    }
    off += std::min<size_t>(RTA_ALIGN(h.rta_len), a.size() - off);
  }
  return {};  // fewer than 4 trailing bytes: padding
}

Result<void> decode_socket(std::span<const uint8_t> body, std::string_view proto, size_t at,
                           std::vector<SocketInfo>& out) {
  if (body.size() < sizeof(inet_diag_msg))
    return fail("sock_diag: socket record at offset " + std::to_string(at) + " is " + std::to_string(body.size()) +
                " bytes, shorter than inet_diag_msg (" + std::to_string(sizeof(inet_diag_msg)) + ")");
  auto m = load<inet_diag_msg>(body);
  if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) return {};
  SocketInfo s;
  s.proto = std::string(proto);
  s.family = m.idiag_family == AF_INET ? 4 : 6;
  s.state = socket_state_name(proto, m.idiag_state);
  s.local_addr = addr_text(m.idiag_family, m.id.idiag_src);
  s.remote_addr = addr_text(m.idiag_family, m.id.idiag_dst);
  s.local_port = ntohs(m.id.idiag_sport);
  s.remote_port = ntohs(m.id.idiag_dport);
  s.rx_queue = m.idiag_rqueue;
  s.tx_queue = m.idiag_wqueue;
  s.inode = m.idiag_inode;
  s.uid = m.idiag_uid;
  s.ifindex = m.id.idiag_if;
  s.cookie = static_cast<uint64_t>(m.id.idiag_cookie[1]) << 32 | m.id.idiag_cookie[0];
  size_t attrs_at = NLMSG_ALIGN(sizeof(inet_diag_msg));
  if (attrs_at < body.size()) {
    if (auto r = parse_attrs(body.subspan(attrs_at), s, at + attrs_at); !r) return r;
  }
  out.push_back(std::move(s));
  return {};
}

// ---- The netlink conversation ----

class DiagSocket {
 public:
  static Result<DiagSocket> open() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!fd.valid())
      return errno_error("open NETLINK_SOCK_DIAG socket (kernel needs CONFIG_INET_DIAG)");
    timeval tv{kRecvTimeoutSec, 0};
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
      return errno_error("set a receive timeout on the sock_diag socket");
    return DiagSocket(std::move(fd));
  }

  Result<void> send(const std::vector<uint8_t>& req) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
      ssize_t n = ::sendto(fd_.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
      if (n == static_cast<ssize_t>(req.size())) return {};
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno_error("send sock_diag request");
      return fail("sock_diag request sent only partly");
    }
  }

  // One datagram into buf_; the returned span stays valid until the next call.
  Result<std::span<const uint8_t>> recv() {
    ssize_t len = retry([&] { return ::recv(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC); });
    if (len < 0) return recv_error();
    if (static_cast<size_t>(len) > kMaxDatagram)
      return fail("sock_diag answer of " + std::to_string(len) + " bytes is larger than the " +
                  std::to_string(kMaxDatagram) + "-byte limit");
    buf_.resize(std::max<size_t>(static_cast<size_t>(len), 1));
    sockaddr_nl from{};
    iovec iov{buf_.data(), buf_.size()};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof(from);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = retry([&] { return ::recvmsg(fd_.get(), &mh, 0); });
    if (n < 0) return recv_error();
    if (mh.msg_flags & MSG_TRUNC) return fail("sock_diag answer was truncated (MSG_TRUNC)");
    if (from.nl_pid != 0) return std::span<const uint8_t>();  // not from the kernel: ignore
    return std::span<const uint8_t>(buf_.data(), static_cast<size_t>(n));
  }

 private:
  explicit DiagSocket(UniqueFd fd) : fd_(std::move(fd)) {}

  template <class F>
  static ssize_t retry(F f) {
    ssize_t n;
    do n = f();
    while (n < 0 && errno == EINTR);
    return n;
  }

  static tl::unexpected<Error> recv_error() {
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return fail("sock_diag: no answer from the kernel within " + std::to_string(kRecvTimeoutSec) + " s");
    if (errno == ENOBUFS) return errno_error("sock_diag: answers were dropped (socket buffer full); try again");
    return errno_error("receive sock_diag answer");
  }

  UniqueFd fd_;
  std::vector<uint8_t> buf_;
};

Result<void> dump(DiagSocket& sock, uint8_t af, uint8_t protocol, std::string_view proto, uint32_t states,
                  uint32_t seq, std::vector<SocketInfo>& out) {
  if (auto r = sock.send(build_inet_diag_request(af, protocol, states, seq)); !r) return r;
  for (;;) {
    auto dgram = sock.recv();
    if (!dgram) return tl::unexpected(dgram.error());
    auto chunk = parse_inet_diag_chunk(*dgram, proto);
    if (!chunk) return tl::unexpected(chunk.error());
    if (out.size() + chunk->sockets.size() > kMaxSockets)
      return fail("sock_diag: more than " + std::to_string(kMaxSockets) + " sockets; giving up");
    std::move(chunk->sockets.begin(), chunk->sockets.end(), std::back_inserter(out));
    if (chunk->done) return {};
  }
}

// ---- /proc/net/raw{,6}: raw sockets on kernels without raw_diag (what `ss` falls back to) ----

// A whole number made of exactly `digits` digits in `base` (any count when digits is 0), nothing else.
template <class T>
std::optional<T> number(std::string_view t, int base, size_t digits = 0) {
  T v{};
  if (t.empty() || (digits && t.size() != digits)) return std::nullopt;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

std::optional<std::pair<std::string_view, std::string_view>> split_colon(std::string_view t) {
  auto c = t.find(':');
  if (c == std::string_view::npos) return std::nullopt;
  return std::make_pair(t.substr(0, c), t.substr(c + 1));
}

// "0100007F:0011" or 32 hex digits + ":003A". The kernel prints each 32-bit word of the address
// as a native-endian number (%08X), so storing the words back natively restores its bytes.
std::optional<std::pair<std::string, uint16_t>> proc_endpoint(std::string_view t, uint8_t family) {
  auto parts = split_colon(t);
  size_t words = family == 4 ? 1 : 4;
  if (!parts || parts->first.size() != words * 8) return std::nullopt;
  auto port = number<uint16_t>(parts->second, 16, 4);
  uint32_t a[4] = {};
  for (size_t i = 0; i < words; ++i) {
    auto w = number<uint32_t>(parts->first.substr(i * 8, 8), 16, 8);
    if (!w) return std::nullopt;
    a[i] = *w;
  }
  if (!port) return std::nullopt;
  return std::make_pair(addr_text(family == 4 ? AF_INET : AF_INET6, a), *port);
}

// Columns: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout
// inode ref pointer drops. Columns a later kernel appends are ignored; every known one but the
// pointer (%pK: hashed, zeroed or a placeholder) must have its format, so a row with a column
// lost or shifted is rejected rather than misread.
std::optional<SocketInfo> proc_raw_row(std::string_view line, uint8_t family) {
  std::array<std::string_view, 13> f;
  size_t n = 0;
  for (size_t at = 0; n < f.size();) {
    at = line.find_first_not_of(" \t\r", at);
    if (at == std::string_view::npos) break;
    size_t end = std::min(line.find_first_of(" \t\r", at), line.size());
    f[n++] = line.substr(at, end - at);
    at = end;
  }
  if (n < f.size() || !f[0].ends_with(':') || !number<uint32_t>(f[0].substr(0, f[0].size() - 1), 10)) return {};
  auto local = proc_endpoint(f[1], family), remote = proc_endpoint(f[2], family);
  auto st = number<uint8_t>(f[3], 16, 2);
  auto queues = split_colon(f[4]), timer = split_colon(f[5]);
  if (!local || !remote || !st || !queues || !timer) return {};
  auto tx = number<uint32_t>(queues->first, 16, 8), rx = number<uint32_t>(queues->second, 16, 8);
  auto uid = number<uint32_t>(f[7], 10);
  auto inode = number<uint64_t>(f[9], 10);
  bool rest_ok = number<uint8_t>(timer->first, 16) && number<uint64_t>(timer->second, 16) &&
                 number<uint32_t>(f[6], 16) && number<int32_t>(f[8], 10) && number<uint32_t>(f[10], 10) &&
                 number<uint32_t>(f[12], 10);
  if (!tx || !rx || !uid || !inode || !rest_ok) return {};
  SocketInfo s;
  s.proto = "raw";
  s.source = "proc";
  s.family = family;
  s.state = socket_state_name("raw", *st);
  std::tie(s.local_addr, s.local_port) = std::move(*local);  // the port column is the protocol
  std::tie(s.remote_addr, s.remote_port) = std::move(*remote);
  s.tx_queue = *tx;
  s.rx_queue = *rx;
  s.uid = *uid;
  s.inode = *inode;
  return s;
}

Result<std::string> read_proc_table(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + path);
  std::string text;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("read " + path);
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > kMaxProcTable)
      return fail(path + " is larger than " + std::to_string(kMaxProcTable) + " bytes; not a raw socket table");
    text.append(buf.data(), static_cast<size_t>(n));
  }
}

// raw_diag is a separate module (CONFIG_INET_RAW_DIAG); without it the dump answers ENOENT, or
// EOPNOTSUPP on some kernels (`ss` treats both alike).
bool no_raw_diag(const Error& e) { return e.code == -ENOENT || e.code == -EOPNOTSUPP; }

// thread-self, not self: in list_sockets_in_netns this runs in a thread that joined another
// network namespace, and /proc/self/net shows the main thread's.
Result<void> raw_from_proc(uint8_t af, std::vector<SocketInfo>& out) {
  static std::atomic<bool> told{false};
  if (!told.exchange(true))
    spdlog::info("sockets: raw sockets come from /proc/net/raw because the kernel lacks CONFIG_INET_RAW_DIAG");
  std::string path = af == AF_INET ? "/proc/thread-self/net/raw" : "/proc/thread-self/net/raw6";
  auto text = read_proc_table(path);
  if (!text) return tl::unexpected(text.error());
  size_t skipped = 0;
  auto socks = parse_proc_net_raw(*text, af == AF_INET ? 4 : 6, &skipped);
  if (!socks) return fail(path + ": " + socks.error().what);
  if (skipped) spdlog::warn("sockets: skipped {} unreadable line(s) of {}", skipped, path);
  if (out.size() + socks->size() > kMaxSockets)
    return fail(path + ": more than " + std::to_string(kMaxSockets) + " sockets; giving up");
  std::move(socks->begin(), socks->end(), std::back_inserter(out));
  return {};
}

bool keep(const SocketInfo& s, const SocketQuery& q) {
  if (!q.listening_only) return true;
  return s.proto == "tcp" ? s.state == "LISTEN" : s.state == "UNCONN";
}

// The kernel part of list_sockets (sock_diag, plus /proc/thread-self/net for raw sockets without
// raw_diag): runs in whatever network namespace the calling thread is in.
Result<std::vector<SocketInfo>> dump_all(const SocketQuery& q) {
  std::vector<SocketInfo> out;
  if (!(q.v4 || q.v6) || !(q.tcp || q.udp || q.raw)) return out;
  auto sock = DiagSocket::open();
  if (!sock) return tl::unexpected(sock.error());
  struct Proto {
    bool on;
    uint8_t num;
    const char* name;
    uint32_t listen_states;
  };
  const Proto protos[] = {{q.tcp, IPPROTO_TCP, "tcp", 1u << kTcpListen},
                          {q.udp, IPPROTO_UDP, "udp", 1u << kTcpClose},
                          {q.raw, IPPROTO_RAW, "raw", 1u << kTcpClose}};
  uint32_t seq = 1;
  for (const auto& p : protos) {
    if (!p.on) continue;
    for (uint8_t af : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
      if ((af == AF_INET && !q.v4) || (af == AF_INET6 && !q.v6)) continue;
      auto r = dump(*sock, af, p.num, p.name, q.listening_only ? p.listen_states : kAllStates, seq++, out);
      if (r) continue;
      if (p.num != IPPROTO_RAW || !no_raw_diag(r.error())) return tl::unexpected(r.error());
      if (auto f = raw_from_proc(af, out); !f) {
        if (!q.tcp && !q.udp)
          return tl::unexpected(Error{f.error().code, "raw sockets: the kernel lacks CONFIG_INET_RAW_DIAG (try "
                                                      "`modprobe raw_diag`) and " + f.error().what});
        spdlog::warn("sockets: raw IPv{} sockets left out: no raw_diag in the kernel and {}", af == AF_INET ? 4 : 6,
                     f.error().what);
      }
    }
  }
  std::erase_if(out, [&](const SocketInfo& s) { return !keep(s, q); });
  return out;
}

std::array<uint8_t, 16> addr_key(const SocketInfo& s, const std::string& a) {
  std::array<uint8_t, 16> k{};
  inet_pton(s.family == 4 ? AF_INET : AF_INET6, a.c_str(), k.data());
  return k;
}

int proto_rank(std::string_view p) { return p == "tcp" ? 0 : p == "udp" ? 1 : 2; }

void finish(std::vector<SocketInfo>& socks) {
  std::unordered_set<uint64_t> wanted;
  for (const auto& s : socks)
    if (s.inode) wanted.insert(s.inode);
  auto owners = scan_socket_owners(&wanted);
  for (auto& s : socks)
    if (auto it = owners.find(s.inode); s.inode && it != owners.end()) s.owners = it->second;
  std::sort(socks.begin(), socks.end(), [](const SocketInfo& a, const SocketInfo& b) {
    auto key = [](const SocketInfo& s) {
      return std::make_tuple(proto_rank(s.proto), s.local_port, s.family, addr_key(s, s.local_addr),
                             addr_key(s, s.remote_addr), s.remote_port, s.inode, s.cookie);
    };
    return key(a) < key(b);
  });
}

// ---- /proc scanning ----

struct DirCloser {
  void operator()(DIR* d) const noexcept { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

std::optional<int32_t> parse_pid(const char* name) {
  int32_t pid = 0;
  const char* end = name + std::strlen(name);
  auto [p, ec] = std::from_chars(name, end, pid);
  if (ec != std::errc() || p != end || pid <= 0) return std::nullopt;
  return pid;
}

std::optional<uint64_t> socket_inode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with(']')) return std::nullopt;
  auto digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
  uint64_t ino = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ino);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  return ino;
}

std::string read_comm(const std::string& pid_dir) {
  UniqueFd fd(::open((pid_dir + "/comm").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return "";
  char buf[64];
  ssize_t n;
  do n = ::read(fd.get(), buf, sizeof(buf));
  while (n < 0 && errno == EINTR);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

// Socket inodes among one process's open files.
std::vector<uint64_t> process_sockets(const std::string& pid_dir, const std::unordered_set<uint64_t>* wanted) {
  std::vector<uint64_t> inodes;
  int dfd = ::open((pid_dir + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return inodes;
  DirPtr dir(::fdopendir(dfd));
  if (!dir) {
    ::close(dfd);
    return inodes;
  }
  char link[64];
  while (dirent* e = ::readdir(dir.get())) {
    if (e->d_name[0] == '.') continue;
    ssize_t n = ::readlinkat(dfd, e->d_name, link, sizeof(link));
    if (n <= 0 || static_cast<size_t>(n) >= sizeof(link)) continue;
    auto ino = socket_inode(std::string_view(link, static_cast<size_t>(n)));
    if (!ino || (wanted && !wanted->contains(*ino))) continue;
    if (std::find(inodes.begin(), inodes.end(), *ino) == inodes.end()) inodes.push_back(*ino);
  }
  return inodes;
}

tl::unexpected<Error> setns_error(const std::string& path) {
  if (errno == EINVAL) return fail(path + " is not a network namespace (expected /run/netns/NAME or /proc/PID/ns/net)");
  if (errno == EPERM) return errno_error("joining network namespace " + path + " needs CAP_SYS_ADMIN (run as root)");
  return errno_error("join network namespace " + path);
}

}  // namespace

std::string socket_state_name(std::string_view proto, uint8_t state) {
  static constexpr const char* kNames[] = {"UNKNOWN",    "ESTABLISHED", "SYN_SENT",  "SYN_RECV",      "FIN_WAIT1",
                                           "FIN_WAIT2",  "TIME_WAIT",   "CLOSE",     "CLOSE_WAIT",    "LAST_ACK",
                                           "LISTEN",     "CLOSING",     "SYN_RECV",  "BOUND_INACTIVE"};
  if (proto != "tcp" && state == kTcpClose) return "UNCONN";
  if (state == 0 || state >= std::size(kNames)) return "UNKNOWN(" + std::to_string(state) + ")";
  return kNames[state];
}

Result<InetDiagChunk> parse_inet_diag_chunk(std::span<const uint8_t> buf, std::string_view proto) {
  InetDiagChunk out;
  size_t off = 0;
  while (off < buf.size()) {
    size_t left = buf.size() - off;
    if (left < sizeof(nlmsghdr))
      return fail("sock_diag: truncated netlink header at offset " + std::to_string(off) + " (" +
                  std::to_string(left) + " bytes left)");
    auto h = load<nlmsghdr>(buf, off);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > left)
      return fail("sock_diag: netlink message at offset " + std::to_string(off) + " claims " +
                  std::to_string(h.nlmsg_len) + " bytes, " + std::to_string(left) + " left");
    auto body = buf.subspan(off + sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr));
    size_t body_at = off + sizeof(nlmsghdr);
    switch (h.nlmsg_type) {
      case NLMSG_DONE:
        // A dump that failed part-way ends with DONE carrying the negative errno.
        if (body.size() >= sizeof(int32_t)) {
          auto err = load<int32_t>(body);
          if (err < 0 && err > -4096) return netlink_error(-err, proto);
        }
        out.done = true;
        return out;
      case NLMSG_ERROR: {
        if (body.size() < sizeof(int32_t)) return fail("sock_diag: truncated NLMSG_ERROR");
        auto err = load<int32_t>(body);
        if (err == 0) break;  // an acknowledgement
        if (err > 0 || err <= -4096) return fail("sock_diag: NLMSG_ERROR with invalid code " + std::to_string(err));
        return netlink_error(-err, proto);
      }
      case NLMSG_OVERRUN: return fail("sock_diag: netlink overrun; try again");
      case SOCK_DIAG_BY_FAMILY:
        if (auto r = decode_socket(body, proto, body_at, out.sockets); !r) return tl::unexpected(r.error());
        break;
      default: break;  // NLMSG_NOOP and anything unknown
    }
    off += std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), left);
  }
  return out;
}

Result<std::vector<SocketInfo>> parse_inet_diag(std::span<const uint8_t> buf, std::string_view proto) {
  auto chunk = parse_inet_diag_chunk(buf, proto);
  if (!chunk) return tl::unexpected(chunk.error());
  return std::move(chunk->sockets);
}

Result<std::vector<SocketInfo>> parse_proc_net_raw(std::string_view text, uint8_t family, size_t* skipped) {
  if (skipped) *skipped = 0;
  if (family != 4 && family != 6) return fail("parse_proc_net_raw: family must be 4 or 6, not " + std::to_string(family));
  std::vector<SocketInfo> out;
  size_t bad = 0;
  for (bool header = true; !text.empty(); header = false) {
    size_t nl = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(std::min(nl + 1, text.size()));
    if (header) {  // "  sl  local_address rem_address   st tx_queue ..." names the table
      auto at = line.find_first_not_of(' ');
      if (at == std::string_view::npos || !line.substr(at).starts_with("sl ") ||
          line.find("local_address") == std::string_view::npos)
        return fail("not a /proc/net/raw" + std::string(family == 6 ? "6" : "") + " table: no header line");
      continue;
    }
    auto s = proc_raw_row(line, family);
    if (!s) {
      ++bad;
      continue;
    }
    if (out.size() >= kMaxSockets) return fail("more than " + std::to_string(kMaxSockets) + " raw sockets; giving up");
    out.push_back(std::move(*s));
  }
  if (skipped) *skipped = bad;
  return out;
}

std::vector<uint8_t> build_inet_diag_request(uint8_t af, uint8_t protocol, uint32_t states, uint32_t seq) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  static_assert(sizeof(msg) == sizeof(nlmsghdr) + sizeof(inet_diag_req_v2));
  msg.nlh.nlmsg_len = sizeof(msg);
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = seq;
  msg.req.sdiag_family = af;
  // Raw sockets: IPPROTO_RAW selects raw_diag, which dumps every raw socket whatever its IP
  // protocol (the pad byte, sdiag_raw_protocol, only matters for single-socket lookups).
  msg.req.sdiag_protocol = protocol;
  msg.req.idiag_ext = (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1));
  msg.req.idiag_states = states;
  std::vector<uint8_t> out(sizeof(msg));
  std::memcpy(out.data(), &msg, sizeof(msg));
  return out;
}

SocketOwners scan_socket_owners(const std::unordered_set<uint64_t>* wanted, const std::string& proc_root) {
  SocketOwners owners;
  if (wanted && wanted->empty()) return owners;
  DirPtr proc(::opendir(proc_root.c_str()));
  if (!proc) return owners;
  while (dirent* e = ::readdir(proc.get())) {
    auto pid = parse_pid(e->d_name);
    if (!pid) continue;
    std::string pid_dir = proc_root + "/" + e->d_name;
    auto inodes = process_sockets(pid_dir, wanted);
    if (inodes.empty()) continue;
    std::string comm = read_comm(pid_dir);
    for (uint64_t ino : inodes) owners[ino].emplace_back(*pid, comm);
  }
  for (auto& [ino, list] : owners) std::sort(list.begin(), list.end());
  return owners;
}

Result<std::vector<SocketInfo>> list_sockets(const SocketQuery& q) {
  auto socks = dump_all(q);
  if (!socks) return socks;
  finish(*socks);
  return socks;
}

Result<std::vector<SocketInfo>> list_sockets_in_netns(const std::string& netns_path, const SocketQuery& q) {
  UniqueFd ns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) return errno_error("open network namespace " + netns_path);
  Result<std::vector<SocketInfo>> socks = fail("sockets: namespace helper thread did not run");
  try {
    // setns() changes only the calling thread's namespace, so a short-lived thread joins it and
    // the rest of the process stays where it is.
    std::thread helper([&]() noexcept {
      try {
        if (::setns(ns.get(), CLONE_NEWNET) == 0) socks = dump_all(q);
        else socks = setns_error(netns_path);
      } catch (const std::exception& e) {  // an escaping exception would terminate the process
        socks = fail(std::string("sockets: listing ") + netns_path + " failed: " + e.what());
      }
    });
    helper.join();
  } catch (const std::system_error& e) {
    return fail(std::string("sockets: could not start the namespace helper thread: ") + e.what());
  }
  if (!socks) return socks;
  finish(*socks);  // /proc is per PID namespace, not per network namespace
  return socks;
}

nlohmann::json to_json(const TcpInfoLite& t) {
  return {{"srtt_us", t.srtt_us},
          {"rttvar_us", t.rttvar_us},
          {"snd_cwnd", t.snd_cwnd},
          {"retransmits", t.retransmits},
          {"total_retrans", t.total_retrans},
          {"lost", t.lost},
          {"unacked", t.unacked},
          {"rto_us", t.rto_us},
          {"delivery_rate", t.delivery_rate},
          {"bytes_acked", t.bytes_acked},
          {"bytes_received", t.bytes_received},
          // UINT64_MAX means "no pacing limit"; a JSON number that large is not exact in JS.
          {"pacing_rate", t.pacing_rate == UINT64_MAX ? nlohmann::json(nullptr) : nlohmann::json(t.pacing_rate)},
          {"snd_mss", t.snd_mss},
          {"rcv_space", t.rcv_space}};
}

nlohmann::json to_json(const SocketInfo& s) {
  char hex[24];
  std::snprintf(hex, sizeof(hex), "0x%llx", static_cast<unsigned long long>(s.cookie));
  nlohmann::json owners = nlohmann::json::array();
  for (const auto& [pid, comm] : s.owners) owners.push_back({{"pid", pid}, {"comm", comm}});
  return {{"proto", s.proto},
          {"family", s.family},
          {"state", s.state},
          {"local_addr", s.local_addr},
          {"local_port", s.local_port},
          {"remote_addr", s.remote_addr},
          {"remote_port", s.remote_port},
          {"rx_queue", s.rx_queue},
          {"tx_queue", s.tx_queue},
          {"inode", s.inode},
          {"uid", s.uid},
          {"ifindex", s.ifindex},
          // Numbers above 2^53 are not exact in JavaScript: cookie_hex is the lossless form.
          {"cookie", s.cookie},
          {"cookie_hex", hex},
          {"congestion", s.congestion},
          {"owners", std::move(owners)},
          {"source", s.source},
          {"tcp", s.tcp ? to_json(*s.tcp) : nlohmann::json(nullptr)}};
}

}  // namespace pscope::tracer
