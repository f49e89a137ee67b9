// Live socket table over NETLINK_SOCK_DIAG: request building, a bounds-checked decoder for the
// kernel's dump answers, the listing (sorted, with owners) and the netns helper thread. The
// /proc/net/raw{,6} fallback is in proc_net_raw.cpp, the owner scan in socket_owners.cpp.
#include "tracer/sockets.h"

#include <arpa/inet.h>
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
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <tuple>

#include "core/fd.h"
#include "core/log.h"
#include "tracer/sockets_internal.h"

namespace pscope::tracer {
namespace {

using detail::addr_text;
using detail::kMaxSockets;
using detail::no_raw_diag;
using detail::raw_from_proc;

// One datagram of a dump is at most a few pages; anything past this is not a sock_diag answer.
constexpr size_t kMaxDatagram = 1 << 20;
constexpr int kRecvTimeoutSec = 5;
// TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12). TCP_BOUND_INACTIVE (13) is left out, as in `ss -a`.
constexpr uint32_t kAllStates = 0x1ffeu;
constexpr uint8_t kTcpEstablished = 1, kTcpClose = 7, kTcpListen = 10;
constexpr uint8_t kInfoAndCong = (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1));

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

// The SOCK_DIAG_BY_FAMILY dump request; `ext` is the idiag_ext bit set (INET_DIAG_* - 1).
std::vector<uint8_t> diag_request(uint8_t af, uint8_t protocol, uint32_t states, uint32_t seq, uint8_t ext) {
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
  msg.req.idiag_ext = ext;
  msg.req.idiag_states = states;
  std::vector<uint8_t> out(sizeof(msg));
  std::memcpy(out.data(), &msg, sizeof(msg));
  return out;
}

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

// Looks for `cookie` in one dump without extensions. A match ends the reading with the rest of
// the dump unread, so `sock` must not be used after one.
Result<std::optional<SocketInfo>> find_in_dump(DiagSocket& sock, uint8_t af, uint8_t protocol, std::string_view proto,
                                               uint32_t seq, uint64_t cookie) {
  if (auto r = sock.send(diag_request(af, protocol, kAllStates, seq, 0)); !r) return tl::unexpected(r.error());
  for (size_t seen = 0;;) {
    auto dgram = sock.recv();
    if (!dgram) return tl::unexpected(dgram.error());
    auto chunk = parse_inet_diag_chunk(*dgram, proto);
    if (!chunk) return tl::unexpected(chunk.error());
    for (auto& s : chunk->sockets)
      if (s.cookie == cookie) return std::optional<SocketInfo>(std::move(s));
    if ((seen += chunk->sockets.size()) > kMaxSockets)
      return fail("sock_diag: more than " + std::to_string(kMaxSockets) + " sockets; giving up");
    if (chunk->done) return std::optional<SocketInfo>();
  }
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

void add_owners(std::vector<SocketInfo>& socks) {
  std::unordered_set<uint64_t> wanted;
  for (const auto& s : socks)
    if (s.inode) wanted.insert(s.inode);
  auto owners = scan_socket_owners(&wanted);
  for (auto& s : socks)
    if (auto it = owners.find(s.inode); s.inode && it != owners.end()) s.owners = it->second;
}

void finish(std::vector<SocketInfo>& socks, const SocketQuery& q) {
  if (q.owners) add_owners(socks);
  std::sort(socks.begin(), socks.end(), [](const SocketInfo& a, const SocketInfo& b) {
    auto key = [](const SocketInfo& s) {
      return std::make_tuple(proto_rank(s.proto), s.local_port, s.family, addr_key(s, s.local_addr),
                             addr_key(s, s.remote_addr), s.remote_port, s.inode, s.cookie);
    };
    return key(a) < key(b);
  });
}

tl::unexpected<Error> setns_error(const std::string& path) {
  if (errno == EINVAL) return fail(path + " is not a network namespace (expected /run/netns/NAME or /proc/PID/ns/net)");
  if (errno == EPERM) return errno_error("joining network namespace " + path + " needs CAP_SYS_ADMIN (run as root)");
  return errno_error("join network namespace " + path);
}

}  // namespace

namespace detail {

std::string addr_text(uint8_t af, const uint32_t (&a)[4]) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(af, a, buf, sizeof(buf))) return "?";
  return buf;
}

}  // namespace detail

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

std::vector<uint8_t> build_inet_diag_request(uint8_t af, uint8_t protocol, uint32_t states, uint32_t seq) {
  return diag_request(af, protocol, states, seq, kInfoAndCong);
}

Result<std::vector<SocketInfo>> list_sockets(const SocketQuery& q) {
  auto socks = dump_all(q);
  if (!socks) return socks;
  finish(*socks, q);
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
  finish(*socks, q);  // /proc is per PID namespace, not per network namespace
  return socks;
}

Result<std::optional<SocketInfo>> find_socket(uint64_t cookie) {
  if (cookie == 0) return std::optional<SocketInfo>();  // no socket has cookie 0 (only /proc rows)
  auto sock = DiagSocket::open();
  if (!sock) return tl::unexpected(sock.error());
  const std::pair<uint8_t, const char*> protos[] = {{IPPROTO_TCP, "tcp"}, {IPPROTO_UDP, "udp"}, {IPPROTO_RAW, "raw"}};
  uint32_t seq = 1;
  for (const auto& [num, name] : protos)
    for (uint8_t af : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
      auto found = find_in_dump(*sock, af, num, name, seq++, cookie);
      if (!found && !(num == IPPROTO_RAW && no_raw_diag(found.error()))) return found;
      if (found && *found) return found;
    }
  return std::optional<SocketInfo>();
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
