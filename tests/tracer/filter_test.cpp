// Filter language: matches over crafted packets, errors with their columns, the text() round
// trip, and the kernel prefilter checked with the kernel's own evaluation code.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tracer/filter.h"

// The kernel's prefilter code is plain C over ps_pkt_meta/ps_filter, so it is compiled here and
// the test checks the real evaluation, not a copy. It is C: silence the C++-only warnings.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "../../bpf/parse.bpf.h"
#include "../../bpf/path.bpf.h"
#pragma GCC diagnostic pop

namespace pscope::tracer {
namespace {

constexpr uint64_t kHostNetns = 4026531840u;

// ---- packets ------------------------------------------------------------------------------

std::array<uint8_t, 16> ip(const char* text) {
  std::array<uint8_t, 16> a{};
  if (inet_pton(AF_INET, text, a.data()) != 1 && inet_pton(AF_INET6, text, a.data()) != 1) ADD_FAILURE() << text;
  return a;
}

FilterInput packet(uint8_t family, uint8_t l4, const char* src, const char* dst, uint16_t sport = 0,
                   uint16_t dport = 0) {
  FilterInput in;
  in.family = family;
  in.l4_proto = l4;
  in.src = ip(src);
  in.dst = ip(dst);
  in.sport = sport;
  in.dport = dport;
  in.ifindexes = {1};
  in.netns = {4026532000u};
  return in;
}

FilterInput arp_packet() {
  FilterInput in = packet(0, 0, "10.0.0.1", "10.0.0.254");
  in.is_arp = true;
  return in;
}

FilterInput dropped_packet() {
  FilterInput in = packet(4, IPPROTO_UDP, "192.168.1.10", "10.0.0.2", 40000, 53);
  in.dropped = true;
  return in;
}

FilterInput crossing_packet() {  // seen on two interfaces of the host namespace
  FilterInput in = packet(4, IPPROTO_TCP, "172.16.0.1", "10.1.2.3", 443, 50000);
  in.ifindexes = {2, 5};
  in.netns = {kHostNetns};
  return in;
}

// Column order of the `expect` strings below.
const std::vector<FilterInput>& packets() {
  static const std::vector<FilterInput> all = {
      packet(4, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1234, 80),  // 0 tcp4
      packet(6, IPPROTO_UDP, "fd00::1", "fd00::2", 5353, 53),    // 1 udp6
      packet(4, IPPROTO_ICMP, "10.0.0.1", "192.168.1.1", 7),     // 2 icmp echo (id 7)
      packet(6, IPPROTO_ICMPV6, "fe80::1", "ff02::1"),           // 3 icmp6
      arp_packet(),                                              // 4 arp 10.0.0.1 -> 10.0.0.254
      dropped_packet(),                                          // 5 udp4, dropped
      crossing_packet(),                                         // 6 tcp4, dev {2,5}, host netns
  };
  return all;
}

std::optional<uint32_t> resolve(std::string_view name) {
  if (name == "eth0") return 5;
  if (name == "lo") return 1;
  return std::nullopt;
}

Filter parse_ok(const std::string& expr) {
  auto f = Filter::parse(expr, resolve);
  EXPECT_TRUE(f.has_value()) << expr << ": " << (f ? "" : f.error().what);
  return f ? *f : Filter{};
}

std::string match_vector(const Filter& f) {
  std::string out;
  for (const auto& in : packets()) out += f.matches(in) ? '1' : '0';
  return out;
}

// ---- the kernel's view ------------------------------------------------------------------------

ps_pkt_meta kernel_meta(const FilterInput& in) {
  ps_pkt_meta m{};
  m.l3_proto = in.is_arp ? PS_ETH_P_ARP : in.family == 4 ? PS_ETH_P_IP : in.family == 6 ? PS_ETH_P_IPV6 : 0;
  m.family = in.is_arp ? 0 : in.family;  // pkt__parse_arp leaves family 0
  m.l4_proto = in.l4_proto;
  std::memcpy(m.saddr, in.src.data(), 16);
  std::memcpy(m.daddr, in.dst.data(), 16);
  m.sport = in.sport;
  m.dport = in.dport;
  return m;
}

// What the kernel keeps: filter__headers() at first sight, then path__leave()'s path terms
// (tracer.bpf.c: drop_only, a hop on f.ifindex, a hop in f.netns).
bool kernel_keeps(const ps_filter& f, const FilterInput& in) {
  if (!f.enabled) return true;
  ps_pkt_meta m = kernel_meta(in);
  if (!filter__headers(&f, &m)) return false;
  if (f.drop_only && !in.dropped) return false;
  auto has = [](const auto& v, uint64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  if (f.ifindex && !has(in.ifindexes, f.ifindex)) return false;
  return !f.netns || has(in.netns, f.netns);
}

// ---- good expressions -------------------------------------------------------------------------

struct Good {
  std::string expr;
  std::string expect;  // one digit per packets() entry
};

const std::vector<Good> kGood = {
    {"", "1111111"},
    {"   \t\n", "1111111"},
    {"tcp", "1000001"},
    {"udp", "0100010"},
    {"icmp", "0010000"},
    {"icmp6", "0001000"},
    {"arp", "0000100"},
    {"ip", "1010011"},
    {"ip6", "0101000"},
    {"drop", "0000010"},
    {"not tcp", "0111110"},
    {"! arp", "1111011"},
    {"not not icmp", "0010000"},
    {"tcp or udp", "1100011"},
    {"tcp || icmp", "1010001"},
    {"ip && udp", "0000010"},
    {"tcp and udp", "0000000"},
    {"TCP AND Port 80", "1000000"},
    {"host 10.0.0.1", "1010100"},
    {"src host 10.0.0.1", "1010100"},
    {"dst host 10.0.0.2", "1000010"},
    {"host fd00::2", "0100000"},
    {"src host FD00:0:0::1", "0100000"},
    {"dst host fd00::1", "0000000"},
    {"host ::ffff:10.0.0.1", "0000000"},
    {"net 10.0.0.0/8", "1010111"},
    {"src net 10.0.0.0/8", "1010100"},
    {"dst net 10.0.0.0/24", "1000110"},
    {"src net fd00::/8", "0100000"},
    {"net fe80::/10", "0001000"},
    {"net 0.0.0.0/0", "1010111"},
    {"net ::/0", "0101000"},
    {"net 10.0.0.1", "1010100"},
    {"src 172.16.0.1", "0000001"},
    {"dst 192.168.1.0/24", "0010000"},
    {"port 80", "1000000"},
    {"port 53", "0100010"},
    {"port 0", "0000000"},
    {"port 7", "0000000"},
    {"src port 1234", "1000000"},
    {"dst port 1234", "0000000"},
    {"portrange 1-1024", "1100011"},
    {"dst portrange 50000-65535", "0000001"},
    {"src portrange 1000-2000", "1000000"},
    {"tcp port 80", "1000000"},
    {"udp dst port 53", "0100010"},
    {"tcp portrange 1-1024", "1000001"},
    {"udp port 80 or tcp src port 443", "0000001"},
    {"not tcp port 80", "0111111"},
    {"port 80 or icmp", "1010000"},
    {"dev 2", "0000001"},
    {"dev 1", "1111110"},
    {"dev eth0", "0000001"},
    {"netns 4026531840", "0000001"},
    {"dev 2 and dev 5 and netns 4026531840", "0000001"},
    {"drop and udp", "0000010"},
    {"drop or arp", "0000110"},
    {"not (tcp or udp)", "0011100"},
    {"tcp and not port 80", "0000001"},
    {"(tcp or udp) and net 10.0.0.0/8", "1000011"},
    {"tcp or udp and port 53", "1100011"},
    {"ip and not icmp", "1000011"},
    {"ip6 and not icmp6", "0100000"},
    {"arp and host 10.0.0.254", "0000100"},
    {"host 10.0.0.1 and host 10.0.0.2 and port 80 and src port 1234", "1000000"},
    {"ip6 or (ip and (tcp or (udp and drop)))", "1101011"},
    {"((((tcp))))", "1000001"},
};

TEST(FilterMatch, TableOfExpressionsOverCraftedPackets) {
  for (const auto& g : kGood) {
    Filter f = parse_ok(g.expr);
    EXPECT_EQ(match_vector(f), g.expect) << "expr: " << g.expr << "\ntext: " << f.text();
  }
}

TEST(FilterText, ParsingTheTextGivesTheSameFilter) {
  for (const auto& g : kGood) {
    Filter f = parse_ok(g.expr);
    Filter again = parse_ok(f.text());
    EXPECT_EQ(again.text(), f.text()) << g.expr;
    EXPECT_EQ(match_vector(again), g.expect) << g.expr << " -> " << f.text();
  }
}

TEST(FilterText, IsNormalised) {
  const std::pair<const char*, const char*> cases[] = {
      {"TCP Port 80", "tcp and port 80"},
      {"tcp && udp || arp", "(tcp and udp) or arp"},
      {"! (tcp || udp)", "not (tcp or udp)"},
      {"src 10.0.0.0/8", "src net 10.0.0.0/8"},
      {"dst 10.0.0.1", "dst host 10.0.0.1"},
      {"host FD00:0:0::1", "host fd00::1"},
      {"net 10.0.0.1", "net 10.0.0.1/32"},
      {"port 080", "port 80"},
      {"tcp port 80 or udp dst portrange 53-54", "(tcp and port 80) or (udp and dst portrange 53-54)"},
      {"not tcp port 80", "not (tcp and port 80)"},
      {"host 10.0.0.1 and tcp port 80", "host 10.0.0.1 and tcp and port 80"},
      {"(tcp and (udp and arp))", "tcp and udp and arp"},
      {"dev eth0 or dev 7", "dev eth0 or dev 7"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(parse_ok(in).text(), out) << in;
}

// ---- bad expressions ------------------------------------------------------------------------

struct Bad {
  std::string expr;
  int col;
  std::string fragment;
};

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

const std::vector<Bad>& bad_expressions() {
  static const std::vector<Bad> all = {
      {"()", 2, "expected a primitive after '(', got ')'"},
      {"tcp and", 8, "expected a primitive after 'and', got end of expression"},
      {"tcp or or udp", 8, "expected a primitive after 'or'"},
      {"!", 2, "expected a primitive after '!'"},
      {")", 1, "expected a primitive, got ')'"},
      {"foo", 1, "unknown word 'foo'"},
      {"tcp and tcpp", 9, "did you mean 'tcp'?"},
      {"10.0.0.1", 1, "did you mean 'host 10.0.0.1'?"},
      {"tcp foo", 5, "expected 'and' or 'or' before 'foo'"},
      {"tcp host 10.0.0.1", 5, "expected 'and' or 'or' before 'host'"},
      {"tcp src host 10.0.0.1", 5, "expected 'and' or 'or' before 'src'"},
      {"icmp port 80", 6, "expected 'and' or 'or' before 'port'"},
      {"arp portrange 1-2", 5, "expected 'and' or 'or'"},
      {"src tcp", 5, "expected 'host', 'net', 'port', 'portrange' or an address after 'src'"},
      {"host 10.0.0.256", 6, "expected an IPv4 or IPv6 address after 'host'"},
      {"host", 5, "expected an address after 'host', got end of expression"},
      {"host 10.0.0.0/8", 6, "use 'net'"},
      {"host fe80::1%eth0", 6, "IPv6 zone '%eth0' is not supported"},
      {"src fe80::1%2", 5, "IPv6 zone '%2'"},
      {"net 10.0.0.0/33", 5, "prefix length 33 is out of range 0-32"},
      {"net fd00::/129", 5, "prefix length 129 is out of range 0-128"},
      {"net 10.0.0.0/99999999999999999999999", 5, "is out of range 0-32"},
      {"net 10.0.0.0/", 5, "expected a prefix length after '/'"},
      {"net 10.0.0.1/8", 5, "non-network bits set (did you mean 10.0.0.0/8?)"},
      {"port 70000", 6, "port 70000 is out of range 0-65535"},
      {"dst port 65536", 10, "port 65536 is out of range 0-65535"},
      {"port 99999999999999999999999", 6, "is out of range 0-65535"},
      {"port http", 6, "expected a port number after 'port'"},
      {"portrange 9-3", 11, "portrange 9-3 is reversed"},
      {"tcp portrange 90-80", 15, "portrange 90-80 is reversed"},
      {"portrange 80", 11, "expected a port range A-B"},
      {"portrange 1-70000", 11, "port 70000 is out of range"},
      {"(tcp", 1, "'(' is never closed"},
      {"(tcp or (udp)", 1, "'(' is never closed"},
      {"tcp)", 4, "unmatched ')'"},
      {"(tcp udp)", 6, "expected 'and', 'or' or ')' before 'udp'"},
      {"tcp & udp", 5, "'&' is not an operator"},
      {"tcp | udp", 5, "'|' is not an operator"},
      {std::string("tcp\0udp", 7), 4, "control character 0x00"},
      {"dev nosuch0", 5, "unknown interface 'nosuch0'"},
      {"dev 0", 5, "out of range 1-4294967295"},
      {"dev averyveryverylongname", 5, "longer than 15 characters"},
      {"netns 0", 7, "out of range"},
      {"netns 4294967296", 7, "out of range"},
      {"netns abc", 7, "expected a network namespace inode number"},
      {"tcp" + std::string(1022, ' '), 1025, "the limit is 1024"},
      {repeat("not ", 33) + "tcp", 4 * 32 + 1, "nested deeper than 32 levels"},
      {repeat("(", 33) + "tcp" + repeat(")", 33), 33, "nested deeper than 32 levels"},
      {repeat("tcp or ", 64) + "tcp", 7 * 64 + 1, "too many primitives (the limit is 64)"},
      {repeat("tcp port 1 or ", 32) + "tcp", 14 * 32 + 1, "too many primitives"},
      // Valid as written, but the normalised text() would break a limit when parsed back.
      {repeat("not ", 31) + "(tcp and udp or arp)", 1, "once 'and' inside 'or' is parenthesised"},
      {repeat("src 1.2.3.4&&", 63) + "src 1.2.3.4", 1, "characters long once normalised"},
  };
  return all;
}

TEST(FilterErrors, ReportColumnAndReason) {
  for (const auto& b : bad_expressions()) {
    auto f = Filter::parse(b.expr, resolve);
    ASSERT_FALSE(f.has_value()) << "accepted: " << b.expr.substr(0, 80);
    const std::string& what = f.error().what;
    std::string prefix = "filter: column " + std::to_string(b.col) + ": ";
    EXPECT_EQ(what.substr(0, prefix.size()), prefix) << what;
    EXPECT_NE(what.find(b.fragment), std::string::npos) << "want '" << b.fragment << "' in: " << what;
  }
}

TEST(FilterErrors, LimitsAreInclusive) {
  parse_ok(repeat("not ", 32) + "tcp");
  parse_ok(repeat("(", 32) + "tcp" + repeat(")", 32));
  parse_ok(repeat("tcp or ", 63) + "tcp");
  parse_ok("tcp" + std::string(kFilterMaxLength - 3, ' '));
  parse_ok(repeat("not ", 30) + "(tcp and udp or arp)");
}

TEST(FilterErrors, DevNeedsAResolverForNames) {
  auto f = Filter::parse("dev eth0");
  ASSERT_FALSE(f.has_value());
  EXPECT_NE(f.error().what.find("give its index instead"), std::string::npos) << f.error().what;
  EXPECT_TRUE(Filter::parse("dev 3").has_value());
}

// Random token soup: never crashes or hangs, and whatever parses round-trips.
TEST(FilterErrors, HostileTokenSoup) {
  const char* parts[] = {"tcp", "udp",     "port",  "portrange", "1-2",   "80",   "host", "net",  "10.0.0.0/8",
                         "::1", "src",     "dst",   "(",         ")",     "!",    "&&",   "||",   "and",
                         "or",  "not",     "dev",   "eth0",      "netns", "drop", "&",    "|",    "9-3",
                         "%",   "/",       "70000", "fe80::1%x", " ",     "\t",   "arp",  "ip6"};
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    std::string expr;
    int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) expr += std::string(parts[rng() % std::size(parts)]) + (rng() % 3 ? " " : "");
    auto f = Filter::parse(expr, resolve);
    if (!f) {
      EXPECT_EQ(f.error().what.rfind("filter: column ", 0), 0u) << expr;
      continue;
    }
    auto again = Filter::parse(f->text(), resolve);
    ASSERT_TRUE(again.has_value()) << expr << " -> " << f->text();
    EXPECT_EQ(again->text(), f->text());
    EXPECT_EQ(match_vector(*again), match_vector(*f)) << expr;
  }
}

// ---- kernel prefilter -------------------------------------------------------------------------

// Every packet the full expression matches, the kernel must keep (run through the kernel code).
TEST(FilterPrefilter, IsANecessaryConditionOfEveryGoodExpression) {
  std::vector<FilterInput> extra = packets();
  FilterInput other = packet(0, 0, "0.0.0.0", "0.0.0.0");  // neither IP nor ARP
  extra.push_back(other);
  FilterInput gre = packet(4, 47, "10.0.0.1", "10.0.0.2");
  extra.push_back(gre);
  for (const auto& g : kGood) {
    Filter f = parse_ok(g.expr);
    ps_filter k = f.kernel_prefilter();
    for (size_t i = 0; i < extra.size(); ++i) {
      if (!f.matches(extra[i])) continue;
      EXPECT_TRUE(kernel_keeps(k, extra[i])) << g.expr << " packet " << i;
    }
  }
}

// The prefilter does real work: the kernel drops what it can tell cannot match.
TEST(FilterPrefilter, KernelDropsWhatCannotMatch) {
  const auto& p = packets();
  EXPECT_FALSE(kernel_keeps(parse_ok("tcp").kernel_prefilter(), p[1]));
  EXPECT_FALSE(kernel_keeps(parse_ok("tcp and port 443").kernel_prefilter(), p[0]));
  EXPECT_FALSE(kernel_keeps(parse_ok("src net fd00::/8").kernel_prefilter(), p[0]));
  EXPECT_FALSE(kernel_keeps(parse_ok("dev eth0").kernel_prefilter(), p[0]));
  EXPECT_FALSE(kernel_keeps(parse_ok("netns 4026531840").kernel_prefilter(), p[0]));
  EXPECT_FALSE(kernel_keeps(parse_ok("drop").kernel_prefilter(), p[0]));
  EXPECT_FALSE(kernel_keeps(parse_ok("port 53 or icmp").kernel_prefilter(), p[4]));
  for (const auto& in : p) EXPECT_FALSE(kernel_keeps(parse_ok("tcp and udp").kernel_prefilter(), in));
}

uint32_t bits(std::initializer_list<int> classes) {
  uint32_t m = 0;
  for (int c : classes) m |= 1u << c;
  return m;
}

TEST(FilterPrefilter, ProtoMask) {
  const uint32_t ip4 = bits({PS_PC_TCP, PS_PC_UDP, PS_PC_ICMP, PS_PC_OTHER});
  const uint32_t ip6 = bits({PS_PC_TCP, PS_PC_UDP, PS_PC_ICMP, PS_PC_IPV6_OTHER});
  const std::pair<const char*, uint32_t> cases[] = {
      {"tcp", bits({PS_PC_TCP})},
      {"icmp6", bits({PS_PC_ICMP})},
      {"tcp or udp", bits({PS_PC_TCP, PS_PC_UDP})},
      {"ip", ip4},
      {"ip6 and udp", bits({PS_PC_UDP})},
      {"ip or ip6", ip4 | ip6},  // all but ARP
      {"tcp and udp", kProtoMaskNothing},
      {"host fd00::1 and arp", kProtoMaskNothing},
      {"port 80 or icmp", bits({PS_PC_TCP, PS_PC_UDP, PS_PC_ICMP})},
      {"tcp port 80", bits({PS_PC_TCP})},
      {"host 10.0.0.1", ip4 | bits({PS_PC_ARP})},
      {"src net fd00::/8", ip6},
      {"not tcp", 0},
      {"not icmp", 0},
      {"tcp or dev 2", 0},
      {"drop and (tcp or udp)", bits({PS_PC_TCP, PS_PC_UDP})},
      {"", 0},
  };
  for (const auto& [expr, mask] : cases) EXPECT_EQ(parse_ok(expr).kernel_prefilter().proto_mask, mask) << expr;
}

TEST(FilterPrefilter, TopLevelTermsOnly) {
  ps_filter f = parse_ok("src net 10.0.0.0/8 and dst port 53 and dev eth0 and netns 4026531840 and drop")
                    .kernel_prefilter();
  EXPECT_EQ(f.enabled, 1u);
  ASSERT_EQ(f.n_addr, 1u);
  EXPECT_EQ(f.addr[0].family, 4);
  EXPECT_EQ(f.addr[0].dir, PS_DIR_SRC);
  EXPECT_EQ(f.addr[0].prefix_len, 8);
  EXPECT_EQ(std::memcmp(f.addr[0].addr, ip("10.0.0.0").data(), 16), 0);
  ASSERT_EQ(f.n_port, 1u);
  EXPECT_EQ(f.port[0].lo, 53);
  EXPECT_EQ(f.port[0].hi, 53);
  EXPECT_EQ(f.port[0].dir, PS_DIR_DST);
  EXPECT_EQ(f.ifindex, 5u);
  EXPECT_EQ(f.netns, kHostNetns);
  EXPECT_EQ(f.drop_only, 1u);

  f = parse_ok("host fd00::1 and portrange 1000-2000").kernel_prefilter();
  ASSERT_EQ(f.n_addr, 1u);
  EXPECT_EQ(f.addr[0].family, 6);
  EXPECT_EQ(f.addr[0].dir, PS_DIR_ANY);
  EXPECT_EQ(f.addr[0].prefix_len, 128);
  ASSERT_EQ(f.n_port, 1u);
  EXPECT_EQ(f.port[0].lo, 1000);
  EXPECT_EQ(f.port[0].hi, 2000);

  // Under "or" and "not" nothing but the protocol mask reaches the kernel.
  for (const char* e : {"host 10.0.0.1 or port 80", "not host 10.0.0.1", "not (dev 2 and drop)", "dev 2 or drop",
                        "not port 80", "netns 1 or tcp"}) {
    f = parse_ok(e).kernel_prefilter();
    EXPECT_EQ(f.enabled, 1u) << e;
    EXPECT_EQ(f.n_addr + f.n_port + f.ifindex + f.netns + f.drop_only, 0u) << e;
  }
}

TEST(FilterPrefilter, CapsTermCounts) {
  ps_filter f = parse_ok("net 10.0.0.0/8 and net 10.1.0.0/16 and net 10.1.2.0/24 and host 10.1.2.3 and "
                         "src host 10.1.2.3 and port 1 and port 1 and port 1 and port 1 and port 1 and "
                         "dev 2 and dev 5 and netns 7 and netns 8")
                     .kernel_prefilter();
  EXPECT_EQ(f.n_addr, static_cast<uint32_t>(PS_FILTER_MAX_ADDR));
  EXPECT_EQ(f.n_port, static_cast<uint32_t>(PS_FILTER_MAX_PORT));
  EXPECT_EQ(f.ifindex, 2u);  // the first; the rest are checked in user space
  EXPECT_EQ(f.netns, 7u);
}

TEST(FilterPrefilter, EmptyFilterKeepsEverything) {
  ps_filter f = Filter{}.kernel_prefilter();
  EXPECT_EQ(f.enabled, 0u);
  EXPECT_TRUE(Filter{}.empty());
  EXPECT_TRUE(Filter{}.matches(packets()[3]));
  EXPECT_EQ(parse_ok(" ").kernel_prefilter().enabled, 0u);
}

}  // namespace
}  // namespace pscope::tracer
