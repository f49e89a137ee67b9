// Live socket table: TCP, UDP and raw sockets of a network namespace, read from the kernel over
// NETLINK_SOCK_DIAG, with TCP internals (tcp_info), the congestion control algorithm and the
// processes that hold each socket. Raw sockets fall back to /proc/net/raw{,6}, as `ss` does, on
// kernels without CONFIG_INET_RAW_DIAG.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pscope::tracer {

// The part of struct tcp_info (INET_DIAG_INFO) worth showing. Fields a kernel does not report
// (older, shorter tcp_info) are 0.
struct TcpInfoLite {
  uint32_t srtt_us = 0;
  uint32_t rttvar_us = 0;
  uint32_t snd_cwnd = 0;       // segments
  uint32_t retransmits = 0;    // current consecutive retransmissions (tcpi_retransmits)
  uint32_t total_retrans = 0;
  uint32_t lost = 0;
  uint32_t unacked = 0;
  uint32_t rto_us = 0;
  uint64_t delivery_rate = 0;  // bytes/s
  uint64_t bytes_acked = 0;
  uint64_t bytes_received = 0;
  uint64_t pacing_rate = 0;    // bytes/s; UINT64_MAX: unlimited
  uint32_t snd_mss = 0;
  uint32_t rcv_space = 0;
};

struct SocketInfo {
  std::string proto;             // "tcp", "udp", "raw"
  uint8_t family = 0;            // 4 or 6
  std::string state;             // TCP: "ESTABLISHED", "LISTEN", "TIME_WAIT", ...;
                                 // UDP/raw: "UNCONN", or "ESTABLISHED" when connected
  std::string local_addr;        // IPv4 dotted quad; IPv6 RFC 5952 (IPv4-mapped: ::ffff:a.b.c.d)
  std::string remote_addr;
  uint16_t local_port = 0;       // raw sockets: the IP protocol number (as ss shows it)
  uint16_t remote_port = 0;
  uint32_t rx_queue = 0;         // idiag_rqueue (LISTEN: accept queue length)
  uint32_t tx_queue = 0;         // idiag_wqueue (LISTEN: accept queue limit)
  uint64_t inode = 0;            // 0 for TIME_WAIT / SYN_RECV minisockets
  uint32_t uid = 0;
  uint32_t ifindex = 0;          // bound device (SO_BINDTODEVICE / scope), 0: none or unknown
  std::optional<TcpInfoLite> tcp;  // INET_DIAG_INFO (TCP full sockets only)
  std::string congestion;        // INET_DIAG_CONG, e.g. "cubic"
  std::vector<std::pair<int32_t, std::string>> owners;  // (pid, comm) holding the socket fd
  uint64_t cookie = 0;           // idiag_cookie: stable socket id (0 when source is "proc")
  // "netlink": sock_diag; "proc": the /proc/net/raw{,6} fallback, which has no cookie, bound
  // device, tcp_info or congestion algorithm.
  std::string source = "netlink";
};

struct SocketQuery {
  bool tcp = true, udp = true, raw = true;
  bool v4 = true, v6 = true;
  // TCP: LISTEN only; UDP and raw: unconnected ("UNCONN") only, as `ss -l` does.
  bool listening_only = false;
  // false: owners stay empty and /proc/[pid]/fd is not scanned, the costly part of a listing.
  bool owners = true;
};

// Sockets of the caller's network namespace, sorted by protocol, local port, family, addresses.
// When raw socket diagnostics are unavailable (kernel without CONFIG_INET_RAW_DIAG: the dump
// answers ENOENT or EOPNOTSUPP), raw sockets are read from /proc/thread-self/net/raw{,6} instead
// (source "proc"). Should that fail too, raw sockets are left out with a warning when other
// protocols were asked for, and it is the error when only raw was.
Result<std::vector<SocketInfo>> list_sockets(const SocketQuery& q = {});
// Sockets of another network namespace, e.g. /run/netns/NAME or /proc/PID/ns/net. The netlink
// query runs in a helper thread that joins the namespace (setns affects only that thread);
// needs CAP_SYS_ADMIN.
Result<std::vector<SocketInfo>> list_sockets_in_netns(const std::string& netns_path, const SocketQuery& q = {});
// The socket with this cookie in the caller's network namespace; nullopt when there is none (it
// may have closed). Much cheaper than list_sockets: the TCP, UDP and raw dumps stop at the match
// and carry no tcp_info, congestion algorithm or owners. (An exact sock_diag request cannot do
// this: the kernel finds such a socket by its addresses and ports, and only then checks the
// cookie.) Raw sockets from the /proc fallback have no cookie and are never found.
Result<std::optional<SocketInfo>> find_socket(uint64_t cookie);

// ---- Building blocks (exposed for tests and other modules) ----

// Kernel TCP state number -> name ("ESTABLISHED", "SYN_SENT", ..., NEW_SYN_RECV -> "SYN_RECV").
// For proto "udp"/"raw", TCP_CLOSE is "UNCONN".
std::string socket_state_name(std::string_view proto, uint8_t state);

// Decodes a NETLINK_SOCK_DIAG dump answer (one or more netlink messages). Stops at NLMSG_DONE;
// NLMSG_ERROR becomes an error naming the errno. Malformed lengths are errors; nothing is read
// past the buffer. Owners are not filled in.
struct InetDiagChunk {
  std::vector<SocketInfo> sockets;
  bool done = false;  // NLMSG_DONE seen
};
Result<InetDiagChunk> parse_inet_diag_chunk(std::span<const uint8_t> buf, std::string_view proto);
Result<std::vector<SocketInfo>> parse_inet_diag(std::span<const uint8_t> buf, std::string_view proto);

// Decodes the kernel's /proc/net/raw (family 4) or /proc/net/raw6 (family 6) table into sockets
// with proto "raw" and source "proc"; local_port is the IP protocol number. Lines that do not
// parse as a raw socket row are skipped and counted in *skipped (when given). Text that is not
// such a table (no header line), or a family other than 4 or 6, is an error; empty text is an
// empty table. Owners are not filled in.
Result<std::vector<SocketInfo>> parse_proc_net_raw(std::string_view text, uint8_t family,
                                                   size_t* skipped = nullptr);

// The SOCK_DIAG_BY_FAMILY dump request: inet_diag_req_v2 for (family AF_INET/AF_INET6,
// protocol IPPROTO_TCP/UDP/RAW), asking for tcp_info and the congestion algorithm.
std::vector<uint8_t> build_inet_diag_request(uint8_t af, uint8_t protocol, uint32_t states, uint32_t seq);

// socket inode -> (pid, comm) of every process with an fd on it, from /proc/[pid]/fd/* links
// "socket:[N]". Processes whose fd directory cannot be read are skipped. When `wanted` is given,
// only those inodes are kept.
using SocketOwners = std::unordered_map<uint64_t, std::vector<std::pair<int32_t, std::string>>>;
SocketOwners scan_socket_owners(const std::unordered_set<uint64_t>* wanted = nullptr,
                                const std::string& proc_root = "/proc");

nlohmann::json to_json(const TcpInfoLite& t);
nlohmann::json to_json(const SocketInfo& s);

}  // namespace pscope::tracer
