// pcapng writer: files are read back by tshark/capinfos (Wireshark's own parser is the oracle),
// plus a structural walk of the blocks and the error paths.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "tracer/pcapng.h"

namespace pscope::tracer {
namespace {

constexpr const char* kTshark = "/usr/bin/tshark";
constexpr const char* kCapinfos = "/usr/bin/capinfos";

bool have(const char* tool) { return ::access(tool, X_OK) == 0; }

struct Shell {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs a shell command, capturing stdout and stderr; drops the harmless warning tshark prints
// when run as root.
Shell run(const std::string& cmd, const std::string& dir) {
  Shell r;
  const std::string err_path = dir + "/stderr.txt";
  FILE* p = ::popen((cmd + " 2>" + err_path).c_str(), "r");
  if (p == nullptr) return r;
  char chunk[4096];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, p)) > 0) r.out.append(chunk, n);
  r.status = ::pclose(p);
  std::istringstream es(slurp(err_path));
  for (std::string line; std::getline(es, line);) {
    if (line.find("Running as user \"root\"") == std::string::npos) r.err += line + "\n";
  }
  return r;
}

std::vector<std::vector<std::string>> tsv(const std::string& out) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cols;
    size_t pos = 0;
    for (size_t tab; (tab = line.find('\t', pos)) != std::string::npos; pos = tab + 1) {
      cols.push_back(line.substr(pos, tab - pos));
    }
    cols.push_back(line.substr(pos));
    rows.push_back(std::move(cols));
  }
  return rows;
}

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v & 0xFF);
}

// IPv4 + UDP (checksum 0 = none) + payload, with a correct header checksum.
std::vector<uint8_t> ipv4_udp(const char* src, const char* dst, size_t payload) {
  std::vector<uint8_t> b(20 + 8 + payload, 0);
  b[0] = 0x45;
  put16(b, 2, static_cast<uint16_t>(b.size()));
  b[8] = 64;
  b[9] = 17;
  inet_pton(AF_INET, src, &b[12]);
  inet_pton(AF_INET, dst, &b[16]);
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += (uint32_t{b[i]} << 8) | b[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  put16(b, 10, static_cast<uint16_t>(~sum & 0xFFFF));
  put16(b, 20, 40000);
  put16(b, 22, 33333);  // no dissector claims it: the payload stays opaque data
  put16(b, 24, static_cast<uint16_t>(8 + payload));
  for (size_t i = 0; i < payload; ++i) b[28 + i] = static_cast<uint8_t>('a' + i % 26);
  return b;
}

std::vector<uint8_t> ethernet(std::vector<uint8_t> l3, uint16_t ethertype) {
  // Built in place (GCC 12 misreports a vector-to-vector insert as out of bounds).
  std::vector<uint8_t> b(14 + l3.size(), 0);
  const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  std::copy(std::begin(macs), std::end(macs), b.begin());
  put16(b, 12, ethertype);
  std::copy(l3.begin(), l3.end(), b.begin() + 14);
  return b;
}

// IPv6 header with "No Next Header" (59) and a few opaque payload bytes.
std::vector<uint8_t> ipv6(const char* src, const char* dst) {
  std::vector<uint8_t> b(40 + 4, 0);
  b[0] = 0x60;
  put16(b, 4, 4);
  b[6] = 59;
  b[7] = 64;
  inet_pton(AF_INET6, src, &b[8]);
  inet_pton(AF_INET6, dst, &b[24]);
  return b;
}

std::string epoch_text(int64_t ns) {
  char s[64];
  std::snprintf(s, sizeof s, "%lld.%09lld", static_cast<long long>(ns / 1000000000),
                static_cast<long long>(ns % 1000000000));
  return s;
}

class Pcapng : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/pcapng-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string dir_;
};

struct Pkt {
  LinkType lt;
  std::string ifname;
  std::vector<uint8_t> data;
  std::string comment;
  std::string src4, src6;
  int64_t ns;
};

TEST_F(Pcapng, MixedPacketsReadBackByTshark) {
  if (!have(kTshark)) GTEST_SKIP() << kTshark << " is not installed (apt-get install tshark)";
  const int64_t t0 = 1700000000123456789;
  std::vector<Pkt> pkts = {
      {LinkType::kEthernet, "lo", ethernet(ipv4_udp("10.0.0.1", "10.0.0.2", 5), 0x0800),
       "first", "10.0.0.1", "", t0},
      {LinkType::kRaw, "ifindex 3", ipv4_udp("192.168.1.7", "8.8.8.8", 0), "", "192.168.1.7",
       "", t0 + 1},
      {LinkType::kRaw, "ifindex 3", ipv6("2001:db8::1", "2001:db8::2"),
       "Grüße, 日本語, emoji 🚀", "", "2001:db8::1", t0 + 1000},
      {LinkType::kEthernet, "lo", ethernet(ipv6("fe80::1", "fe80::2"), 0x86DD), "v6 on lo", "",
       "fe80::1", t0 + 999999999},
      {LinkType::kEthernet, "eth0", ethernet(ipv4_udp("172.16.0.9", "172.16.0.1", 3), 0x0800),
       "x", "172.16.0.9", "", t0 + 1000000000},
      {LinkType::kRaw, "ifindex 3", ipv4_udp("10.9.8.7", "10.9.8.6", 1), "pad 1",
       "10.9.8.7", "", t0 + 2000000001},
      {LinkType::kRaw, "lo", ipv4_udp("127.0.0.1", "127.0.0.1", 2), "raw lo", "127.0.0.1", "",
       t0 + 3000000002},
      {LinkType::kEthernet, "lo", ethernet(ipv4_udp("10.0.0.2", "10.0.0.1", 7), 0x0800),
       "", "10.0.0.2", "", t0 + 4000000003},
      {LinkType::kRaw, "ifindex 3", ipv6("::1", "::1"), "ünïcödé", "", "::1", t0 + 5000000004},
      {LinkType::kEthernet, "eth0", ethernet(ipv4_udp("172.16.0.1", "172.16.0.9", 100), 0x0800),
       "last", "172.16.0.1", "", 1000000},  // early timestamp: files need not be ordered
  };
  const std::string file = dir_ + "/mixed.pcapng";
  {
    auto w = PcapngWriter::create(file, 65535);
    ASSERT_TRUE(w) << w.error().what;
    for (const auto& p : pkts) {
      auto r = w->write(p.ns, p.lt, p.ifname, p.data, static_cast<uint32_t>(p.data.size()),
                        p.comment);
      ASSERT_TRUE(r) << r.error().what;
    }
    EXPECT_EQ(w->packets(), pkts.size());
    ASSERT_TRUE(w->flush());
  }

  Shell r = run(std::string(kTshark) + " -r '" + file +
                  "' -T fields -e frame.number -e frame.comment -e ip.src -e ipv6.src"
                  " -e frame.time_epoch -e frame.interface_id",
              dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto rows = tsv(r.out);
  ASSERT_EQ(rows.size(), pkts.size()) << r.out;
  for (size_t i = 0; i < pkts.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i + 1));
    ASSERT_EQ(rows[i].size(), 6u) << r.out;
    EXPECT_EQ(rows[i][0], std::to_string(i + 1));
    EXPECT_EQ(rows[i][1], pkts[i].comment);
    EXPECT_EQ(rows[i][2], pkts[i].src4);
    EXPECT_EQ(rows[i][3], pkts[i].src6);
    EXPECT_EQ(rows[i][4], epoch_text(pkts[i].ns));
  }
  // Interfaces in first-use order: (eth, lo), (raw, ifindex 3), (eth, eth0), (raw, lo).
  const char* want_if[] = {"0", "1", "1", "0", "2", "1", "3", "0", "1", "2"};
  for (size_t i = 0; i < pkts.size(); ++i) EXPECT_EQ(rows[i][5], want_if[i]) << i + 1;

  // Nothing malformed, no expert warnings/errors from any dissector.
  Shell bad = run(std::string(kTshark) + " -r '" + file +
                    "' -Y '_ws.malformed || _ws.expert.severity >= warning' -T fields"
                    " -e frame.number -e _ws.expert.message",
                dir_);
  EXPECT_EQ(bad.status, 0) << bad.err;
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(bad.err, "");

  if (!have(kCapinfos)) GTEST_SKIP() << kCapinfos << " missing; tshark checks passed";
  Shell ci = run(std::string(kCapinfos) + " -M '" + file + "'", dir_);
  EXPECT_EQ(ci.status, 0) << ci.err;
  EXPECT_EQ(ci.err, "");
  EXPECT_NE(ci.out.find("File encapsulation:  per-packet"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find("Number of packets:   10"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find("Number of interfaces in file: 4"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find("Capture application: PacketScope"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find("Name = ifindex 3"), std::string::npos) << ci.out;
  EXPECT_NE(ci.out.find("Time precision = nanoseconds"), std::string::npos) << ci.out;
}

TEST_F(Pcapng, SnaplenTruncatesButKeepsOriginalLength) {
  if (!have(kTshark)) GTEST_SKIP() << kTshark << " is not installed (apt-get install tshark)";
  const std::string file = dir_ + "/snap.pcapng";
  const std::vector<size_t> sizes = {10, 60, 64, 65, 1500};
  {
    auto w = PcapngWriter::create(file, 64);
    ASSERT_TRUE(w) << w.error().what;
    for (size_t n : sizes) {
      auto eth = ethernet(ipv4_udp("10.1.1.1", "10.1.1.2", n > 42 ? n - 42 : 0), 0x0800);
      eth.resize(n);  // the short ones become truncated frames: fine for a length check
      ASSERT_TRUE(w->write(1, LinkType::kEthernet, "lo", eth, static_cast<uint32_t>(n) + 4, ""));
    }
  }
  Shell r = run(std::string(kTshark) + " -r '" + file + "' -T fields -e frame.len -e frame.cap_len",
              dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto rows = tsv(r.out);
  ASSERT_EQ(rows.size(), sizes.size()) << r.out;
  for (size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 2u);
    EXPECT_EQ(rows[i][0], std::to_string(sizes[i] + 4));
    EXPECT_EQ(rows[i][1], std::to_string(std::min<size_t>(sizes[i], 64)));
  }
}

TEST_F(Pcapng, LongCommentIsCutAtUtf8Boundary) {
  // 3-byte characters: 65000 is not a multiple of 3, so a byte cut would split one.
  std::string comment;
  while (comment.size() < 70000) comment += "€";
  auto cut = PcapngWriter::utf8_prefix(comment, PcapngWriter::kMaxCommentBytes);
  EXPECT_EQ(cut.size(), 64998u);
  EXPECT_EQ(PcapngWriter::utf8_prefix("a€", 2), "a");
  EXPECT_EQ(PcapngWriter::utf8_prefix("a€", 4), "a€");
  EXPECT_EQ(PcapngWriter::utf8_prefix("abc", 2), "ab");

  if (!have(kTshark)) GTEST_SKIP() << kTshark << " is not installed (apt-get install tshark)";
  const std::string file = dir_ + "/long.pcapng";
  {
    auto w = PcapngWriter::create(file, 1500);
    ASSERT_TRUE(w) << w.error().what;
    auto p = ipv4_udp("10.2.2.2", "10.2.2.3", 1);
    ASSERT_TRUE(w->write(5, LinkType::kRaw, "any", p, static_cast<uint32_t>(p.size()), comment));
  }
  Shell r = run(std::string(kTshark) + " -r '" + file + "' -T fields -e frame.comment", dir_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, std::string(cut) + "\n");
}

// Walks the blocks: every block's leading and trailing total lengths agree and are multiples
// of 4, the file starts with a little/big-endian SHB, and blocks are SHB, IDB, EPB, EPB, IDB, EPB.
TEST_F(Pcapng, BlockStructure) {
  const std::string file = dir_ + "/walk.pcapng";
  {
    auto w = PcapngWriter::create(file, 200);
    ASSERT_TRUE(w) << w.error().what;
    const std::vector<uint8_t> odd = {0x45, 1, 2};  // 3 bytes: needs padding
    ASSERT_TRUE(w->write(1, LinkType::kRaw, "a", odd, 3, "c"));
    ASSERT_TRUE(w->write(2, LinkType::kRaw, "a", odd, 3, ""));
    PcapngWriter moved = std::move(*w);  // moved-from writer must not write on destruction
    ASSERT_TRUE(moved.write(3, LinkType::kEthernet, "a", odd, 3, "dd"));
    EXPECT_EQ(moved.packets(), 3u);
  }
  const std::string bytes = slurp(file);
  std::vector<uint32_t> types;
  size_t off = 0;
  while (off + 12 <= bytes.size()) {
    uint32_t type, len, tail;
    std::memcpy(&type, bytes.data() + off, 4);
    std::memcpy(&len, bytes.data() + off + 4, 4);
    ASSERT_EQ(len % 4, 0u) << "block at " << off;
    ASSERT_LE(off + len, bytes.size()) << "block at " << off;
    std::memcpy(&tail, bytes.data() + off + len - 4, 4);
    EXPECT_EQ(tail, len) << "block at " << off;
    types.push_back(type);
    off += len;
  }
  EXPECT_EQ(off, bytes.size());
  EXPECT_EQ(types, (std::vector<uint32_t>{0x0A0D0D0A, 1, 6, 6, 1, 6}));
  uint32_t magic;
  std::memcpy(&magic, bytes.data() + 8, 4);
  EXPECT_EQ(magic, 0x1A2B3C4Du);
}

TEST_F(Pcapng, CreateInMissingDirectoryNamesPath) {
  const std::string file = dir_ + "/no/such/dir/x.pcapng";
  auto w = PcapngWriter::create(file, 65535);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().what.find(file), std::string::npos) << w.error().what;
  EXPECT_NE(w.error().what.find("No such file or directory"), std::string::npos)
      << w.error().what;
  EXPECT_EQ(w.error().code, -ENOENT);
}

TEST_F(Pcapng, RejectsBadSnaplen) {
  for (uint32_t s : {0u, PcapngWriter::kMaxSnaplen + 1}) {
    auto w = PcapngWriter::create(dir_ + "/s.pcapng", s);
    ASSERT_FALSE(w) << s;
    EXPECT_NE(w.error().what.find("snaplen"), std::string::npos) << w.error().what;
  }
  EXPECT_TRUE(PcapngWriter::create(dir_ + "/s.pcapng", PcapngWriter::kMaxSnaplen));
}

TEST_F(Pcapng, FullDiskIsAnExplicitError) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "/dev/full is not writable here";
  auto w = PcapngWriter::create("/dev/full", 65535);  // the SHB is flushed at create
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, -ENOSPC) << w.error().what;
  EXPECT_NE(w.error().what.find("/dev/full"), std::string::npos) << w.error().what;
}

TEST_F(Pcapng, NegativeTimestampIsRejected) {
  auto w = PcapngWriter::create(dir_ + "/neg.pcapng", 100);
  ASSERT_TRUE(w) << w.error().what;
  const std::vector<uint8_t> p = {0x45};
  auto r = w->write(-1, LinkType::kRaw, "lo", p, 1, "");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what.find("before the epoch"), std::string::npos) << r.error().what;
  EXPECT_EQ(w->packets(), 0u);
}

}  // namespace
}  // namespace pscope::tracer
