// Raw sockets from /proc/net/raw{,6}, for kernels without CONFIG_INET_RAW_DIAG (what `ss` falls
// back to): a strict parser of the kernel's table and the reader the listing calls.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <tuple>

#include "core/fd.h"
#include "core/log.h"
#include "tracer/sockets.h"
#include "tracer/sockets_internal.h"

namespace pscope::tracer {
namespace {

using detail::addr_text;
using detail::kMaxSockets;

// A /proc/net/raw row is about 150 bytes (raw6: 180); this bounds memory, not a real table.
constexpr size_t kMaxProcTable = 64u << 20;

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

}  // namespace

namespace detail {

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

}  // namespace detail

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

}  // namespace pscope::tracer
