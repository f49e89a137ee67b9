#include "tracer/pcapng.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pscope::tracer {
namespace {

constexpr uint32_t kShbType = 0x0A0D0D0A;
constexpr uint32_t kIdbType = 0x00000001;
constexpr uint32_t kEpbType = 0x00000006;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;

constexpr uint16_t kOptEndOfOpt = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kShbHardware = 2;
constexpr uint16_t kShbOs = 3;
constexpr uint16_t kShbUserAppl = 4;
constexpr uint16_t kIfName = 2;
constexpr uint16_t kIfTsresol = 9;

constexpr size_t kMaxIfNameBytes = 256;

std::string uname_os() {
  struct utsname u {};
  if (::uname(&u) != 0) return "Linux";
  return std::string(u.sysname) + " " + u.release;
}

std::string uname_machine() {
  struct utsname u {};
  if (::uname(&u) != 0) return {};
  return u.machine;
}

}  // namespace

std::string_view PcapngWriter::utf8_prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  // Back off while the first dropped byte is a continuation byte (10xxxxxx): the sequence it
  // belongs to started before the cut and would be split.
  while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

PcapngWriter::PcapngWriter(UniqueFd fd, std::string path, uint32_t snaplen)
    : fd_(std::move(fd)), path_(std::move(path)), snaplen_(snaplen) {
  buf_.reserve(kBufferBytes + 1024);
}

PcapngWriter::PcapngWriter(PcapngWriter&& o) noexcept
    : fd_(std::move(o.fd_)),
      path_(std::move(o.path_)),
      snaplen_(o.snaplen_),
      packets_(std::exchange(o.packets_, 0)),
      broken_(std::exchange(o.broken_, true)),
      buf_(std::move(o.buf_)),
      ifaces_(std::move(o.ifaces_)) {
  o.buf_.clear();
}

PcapngWriter& PcapngWriter::operator=(PcapngWriter&& o) noexcept {
  if (this != &o) {
    (void)flush();
    fd_ = std::move(o.fd_);
    path_ = std::move(o.path_);
    snaplen_ = o.snaplen_;
    packets_ = std::exchange(o.packets_, 0);
    broken_ = std::exchange(o.broken_, true);
    buf_ = std::move(o.buf_);
    o.buf_.clear();
    ifaces_ = std::move(o.ifaces_);
  }
  return *this;
}

PcapngWriter::~PcapngWriter() {
  if (fd_.valid()) (void)flush();
}

Result<PcapngWriter> PcapngWriter::create(const std::string& path, uint32_t snaplen) {
  if (snaplen == 0 || snaplen > kMaxSnaplen) {
    return fail("pcapng snaplen " + std::to_string(snaplen) + " for " + path +
                " is out of range: use 1.." + std::to_string(kMaxSnaplen));
  }
  int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (raw < 0) return errno_error("cannot create capture file " + path);
  PcapngWriter w(UniqueFd(raw), path, snaplen);

  // Section Header Block: byte-order magic, version 1.0, section length -1 (unknown).
  const size_t start = w.buf_.size();
  w.put_u32(kShbType);
  w.put_u32(0);  // block total length, patched below
  w.put_u32(kByteOrderMagic);
  w.put_u16(1);
  w.put_u16(0);
  const uint64_t unknown_len = ~uint64_t{0};
  w.put_bytes(&unknown_len, sizeof unknown_len);
  if (std::string hw = uname_machine(); !hw.empty()) w.put_option(kShbHardware, hw);
  w.put_option(kShbOs, uname_os());
  w.put_option(kShbUserAppl, "PacketScope");
  w.put_u16(kOptEndOfOpt);
  w.put_u16(0);
  const auto total = static_cast<uint32_t>(w.buf_.size() - start + 4);
  w.put_u32(total);
  w.patch_u32(start + 4, total);

  // Surface a read-only or full file system now rather than at the first packet.
  if (auto r = w.flush(); !r) return tl::unexpected(r.error());
  return w;
}

Result<uint32_t> PcapngWriter::interface_id(LinkType lt, const std::string& if_name) {
  auto key = std::make_pair(static_cast<uint16_t>(lt), if_name);
  if (auto it = ifaces_.find(key); it != ifaces_.end()) return it->second;
  const auto id = static_cast<uint32_t>(ifaces_.size());

  const size_t start = buf_.size();
  put_u32(kIdbType);
  put_u32(0);
  put_u16(static_cast<uint16_t>(lt));
  put_u16(0);  // reserved
  put_u32(snaplen_);
  if (!if_name.empty()) put_option(kIfName, utf8_prefix(if_name, kMaxIfNameBytes));
  const char tsresol = 9;  // 10^-9 s
  put_option(kIfTsresol, std::string_view(&tsresol, 1));
  put_u16(kOptEndOfOpt);
  put_u16(0);
  const auto total = static_cast<uint32_t>(buf_.size() - start + 4);
  put_u32(total);
  patch_u32(start + 4, total);

  ifaces_.emplace(std::move(key), id);
  return id;
}

Result<void> PcapngWriter::write(int64_t wall_ns, LinkType lt, const std::string& if_name,
                                 std::span<const uint8_t> data, uint32_t orig_len,
                                 std::string_view comment) {
  if (broken_) return fail("capture file " + path_ + " is unusable after an earlier write error");
  if (wall_ns < 0) {
    return fail("packet timestamp " + std::to_string(wall_ns) + " for " + path_ +
                " is before the epoch");
  }
  auto id = interface_id(lt, if_name);
  if (!id) return tl::unexpected(id.error());

  const auto cap_len = static_cast<uint32_t>(std::min<size_t>(data.size(), snaplen_));
  const uint32_t wire_len = std::max(orig_len, cap_len);
  const auto ts = static_cast<uint64_t>(wall_ns);

  const size_t start = buf_.size();
  put_u32(kEpbType);
  put_u32(0);
  put_u32(*id);
  put_u32(static_cast<uint32_t>(ts >> 32));
  put_u32(static_cast<uint32_t>(ts & 0xFFFFFFFFu));
  put_u32(cap_len);
  put_u32(wire_len);
  put_bytes(data.data(), cap_len);
  pad32();
  if (!comment.empty()) {
    put_option(kOptComment, utf8_prefix(comment, kMaxCommentBytes));
    put_u16(kOptEndOfOpt);
    put_u16(0);
  }
  const auto total = static_cast<uint32_t>(buf_.size() - start + 4);
  put_u32(total);
  patch_u32(start + 4, total);
  ++packets_;
  return maybe_flush();
}

Result<void> PcapngWriter::maybe_flush() {
  if (buf_.size() < kBufferBytes) return {};
  return flush();
}

Result<void> PcapngWriter::flush() {
  if (broken_) return fail("capture file " + path_ + " is unusable after an earlier write error");
  if (!fd_.valid()) return fail("capture file " + path_ + " is not open");
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_.get(), buf_.data() + off, buf_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      broken_ = true;
      buf_.clear();
      return errno_error("cannot write capture file " + path_);
    }
    if (n == 0) {  // not expected from a regular file; don't spin
      broken_ = true;
      buf_.clear();
      return fail("cannot write capture file " + path_ + ": write returned 0 bytes");
    }
    off += static_cast<size_t>(n);
  }
  buf_.clear();
  return {};
}

void PcapngWriter::put_bytes(const void* p, size_t n) {
  if (n == 0) return;
  const auto* b = static_cast<const uint8_t*>(p);
  buf_.insert(buf_.end(), b, b + n);
}

void PcapngWriter::put_u16(uint16_t v) { put_bytes(&v, sizeof v); }
void PcapngWriter::put_u32(uint32_t v) { put_bytes(&v, sizeof v); }

void PcapngWriter::pad32() {
  static constexpr uint8_t kZero[4] = {};
  put_bytes(kZero, (4 - buf_.size() % 4) % 4);
}

void PcapngWriter::put_option(uint16_t code, std::string_view value) {
  put_u16(code);
  put_u16(static_cast<uint16_t>(value.size()));
  put_bytes(value.data(), value.size());
  pad32();
}

void PcapngWriter::patch_u32(size_t at, uint32_t v) { std::memcpy(buf_.data() + at, &v, sizeof v); }

}  // namespace pscope::tracer
