// pcapng capture-file writer (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html):
// one Section Header Block, Interface Description Blocks emitted lazily per (link type, name),
// then one Enhanced Packet Block per packet. Host byte order (the byte-order magic says which),
// nanosecond timestamps (if_tsresol = 9), buffered writes with explicit errors.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fd.h"
#include "core/result.h"

namespace pscope::tracer {

enum class LinkType : uint16_t {
  kEthernet = 1,  // LINKTYPE_ETHERNET
  kRaw = 101,     // LINKTYPE_RAW: packet starts at the IPv4/IPv6 header
};

class PcapngWriter {
 public:
  static constexpr uint32_t kMaxSnaplen = 262144;
  static constexpr size_t kMaxCommentBytes = 65000;
  static constexpr size_t kBufferBytes = 64 * 1024;

  // Creates (or truncates) `path` with mode 0644 and writes the Section Header Block.
  // Refuses snaplen 0 or > kMaxSnaplen.
  static Result<PcapngWriter> create(const std::string& path, uint32_t snaplen);

  // Writes one Enhanced Packet Block. wall_ns: UTC nanoseconds since the epoch (must be >= 0).
  // data is truncated to snaplen; orig_len is the packet's real length (raised to the captured
  // length if smaller). A non-empty comment becomes opt_comment (UTF-8; longer than
  // kMaxCommentBytes is cut at a UTF-8 character boundary). An Interface Description Block is
  // emitted the first time a (lt, if_name) pair is seen. After a failed write the writer is
  // broken: every later call returns an error.
  Result<void> write(int64_t wall_ns, LinkType lt, const std::string& if_name,
                     std::span<const uint8_t> data, uint32_t orig_len, std::string_view comment);

  // Writes buffered blocks to the file.
  Result<void> flush();

  uint64_t packets() const { return packets_; }
  const std::string& path() const { return path_; }

  PcapngWriter(PcapngWriter&& o) noexcept;
  PcapngWriter& operator=(PcapngWriter&& o) noexcept;
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;
  ~PcapngWriter();  // flushes (errors are lost: call flush() to see them) and closes

  // Longest prefix of s of at most max bytes that does not split a UTF-8 sequence.
  static std::string_view utf8_prefix(std::string_view s, size_t max);

 private:
  PcapngWriter(UniqueFd fd, std::string path, uint32_t snaplen);
  Result<uint32_t> interface_id(LinkType lt, const std::string& if_name);
  void put_u16(uint16_t v);
  void put_u32(uint32_t v);
  void put_bytes(const void* p, size_t n);
  void put_option(uint16_t code, std::string_view value);  // value padded to 32 bits
  void pad32();
  void patch_u32(size_t at, uint32_t v);
  Result<void> maybe_flush();

  UniqueFd fd_;
  std::string path_;
  uint32_t snaplen_ = 0;
  uint64_t packets_ = 0;
  bool broken_ = false;
  std::vector<uint8_t> buf_;
  std::map<std::pair<uint16_t, std::string>, uint32_t> ifaces_;
};

}  // namespace pscope::tracer
