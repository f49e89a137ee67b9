// facts_from_path_detail over detail JSON made by the Tracer's own serialiser
// (tracer::path_detail_json), so a change of the stored shape breaks this test, not dry-runs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "guarder/matcher.h"
#include "packet_builder.h"
#include "tracer/path.h"

using namespace pscope;
using guarder::PacketFacts;
using guarder::test::PacketBuilder;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1767225600LL * 1000000000LL;

// A stored path as the Tracer records it: summary fields as its decoder fills them.
tracer::PathRecord record(std::vector<uint8_t> bytes, const char* proto, const char* src,
                          const char* dst, bool l2 = true) {
  tracer::PathRecord r;
  r.id = 1;
  r.wall_ns = kNow;
  r.direction = "rx";
  r.pkt.protocol = proto;
  r.pkt.src = src;
  r.pkt.dst = dst;
  r.pkt.ttl = 64;
  r.pkt.length = static_cast<uint32_t>(bytes.size());
  r.pkt.flags = l2 ? PS_META_L2 : 0;
  r.hops = {tracer::Hop{PS_HOOK_NETIF_RECEIVE, 0, 0, 7, 4026531840u, 0, 0, tracer::Layer::kLink},
            tracer::Hop{PS_HOOK_TCP_RCV, 1000, 1000, 1, 4026531840u, 0, 0, tracer::Layer::kTransport}};
  r.bytes = std::move(bytes);
  return r;
}

PacketFacts from_detail(const tracer::PathRecord& r) {
  auto f = guarder::facts_from_path_detail(tracer::path_detail_json(r));
  EXPECT_TRUE(f);
  return f.value_or(PacketFacts{});
}

void expect_same(const PacketFacts& a, const PacketFacts& b) {
  EXPECT_EQ(a.family, b.family);
  EXPECT_EQ(a.saddr, b.saddr);
  EXPECT_EQ(a.daddr, b.daddr);
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.sport, b.sport);
  EXPECT_EQ(a.dport, b.dport);
  EXPECT_EQ(a.tcp_flags, b.tcp_flags);
  EXPECT_EQ(a.icmp_type, b.icmp_type);
  EXPECT_EQ(a.icmp_code, b.icmp_code);
  EXPECT_EQ(a.ttl, b.ttl);
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.ifindex, b.ifindex);
  EXPECT_EQ(a.vlan, b.vlan);
  EXPECT_EQ(a.malformed, b.malformed);
  EXPECT_EQ(a.has_l3, b.has_l3);
  EXPECT_EQ(a.inner.has_value(), b.inner.has_value());
}

}  // namespace

TEST(PathFacts, WholeCapturedFrameGivesTheXdpFacts) {
  auto frame = PacketBuilder().vlan(42).ipv4("198.51.100.7", "10.0.0.1", 6, 57).tcp(40000, 22, 0x12).frame();
  auto r = record(frame, "tcp", "198.51.100.7", "10.0.0.1");
  r.pkt.vlan = 42;
  r.pkt.flags |= PS_META_VLAN;
  auto p = from_detail(r);
  expect_same(p, *guarder::facts_from_frame(frame, true, 7));  // ifindex of the first hop
  EXPECT_EQ(p.vlan, 42);
  EXPECT_EQ(p.tcp_flags, 0x12);
  EXPECT_EQ(p.ttl, 57);
}

TEST(PathFacts, CaptureCutToItsFirstBytesIsNotMalformed) {
  std::vector<uint8_t> payload(1400, 0xab);
  auto frame = PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 17, 9).udp(5353, 53).bytes(payload).frame();
  std::vector<uint8_t> capture(frame.begin(), frame.begin() + 256);  // the Tracer keeps 256 bytes
  auto p = from_detail(record(capture, "udp", "2001:db8::1", "2001:db8::2"));
  EXPECT_FALSE(p.malformed);
  EXPECT_EQ(p.length, 40 + 8 + 1400);  // from the IPv6 header, not the capture
  EXPECT_EQ(p.dport, 53);
  EXPECT_EQ(p.ttl, 9);
  // The same bytes as a whole XDP frame would be a packet cut short.
  EXPECT_TRUE(guarder::facts_from_frame(capture)->malformed);
  // Lengths the headers themselves make impossible are malformed in a capture too.
  auto bad = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1, 2, 2, 3).frame();
  EXPECT_TRUE(from_detail(record(bad, "tcp", "10.0.0.1", "10.0.0.2")).malformed);
}

TEST(PathFacts, NetworkLayerCaptureAndOffloadedVlan) {
  auto ip = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17).udp(1000, 2000).ip();
  auto p = from_detail(record(ip, "udp", "10.0.0.1", "10.0.0.2", false));
  EXPECT_EQ(p.sport, 1000);
  EXPECT_FALSE(p.vlan);
  // A NIC that strips the tag leaves it only in the Tracer's metadata.
  auto frame = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17).udp(1000, 2000).frame();
  auto r = record(frame, "udp", "10.0.0.1", "10.0.0.2");
  r.pkt.vlan = 300;
  r.pkt.flags |= PS_META_VLAN;
  EXPECT_EQ(from_detail(r).vlan, 300);
}

TEST(PathFacts, IcmpEchoIdIsNotAPort) {
  auto frame = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 1).icmp(8, 0, 4242).frame();
  auto r = record(frame, "icmp", "10.0.0.1", "10.0.0.2");
  r.pkt.sport = 4242;  // the Tracer shows the echo id in sport
  r.pkt.icmp_type = 8;
  auto p = from_detail(r);
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_FALSE(p.sport);
  r.bytes.clear();  // also from the decoded headers alone
  p = from_detail(r);
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_FALSE(p.sport);
}

TEST(PathFacts, DecodedHeadersWhenNothingWasCaptured) {
  auto r = record({}, "tcp", "2001:db8::1", "2001:db8::2");
  r.pkt.sport = 443;
  r.pkt.dport = 50000;
  r.pkt.tcp_flags = 0x18;  // PSH|ACK
  r.pkt.ttl = 60;
  auto p = from_detail(r);
  EXPECT_EQ(p.family, 6);
  EXPECT_EQ(p.protocol, 6);
  EXPECT_EQ(p.sport, 443);
  EXPECT_EQ(p.dport, 50000);
  EXPECT_EQ(p.tcp_flags, 0x18);
  EXPECT_EQ(p.ttl, 60);
  EXPECT_EQ(p.ifindex, 7u);
  EXPECT_EQ(p.daddr[15], 2);
  auto other = record({}, "ipv4", "10.0.0.1", "10.0.0.2");
  EXPECT_FALSE(from_detail(other).has_l3);  // protocol unknown: protocol rules cannot match
}

TEST(PathFacts, MalformedNoteNonIpAndJunk) {
  auto frame = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17).udp(1, 2).frame();
  auto r = record(frame, "udp", "10.0.0.1", "10.0.0.2");
  r.pkt.flags |= PS_META_MALFORMED;
  EXPECT_TRUE(from_detail(r).malformed);
  auto arp = record({2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 6}, "arp", "10.0.0.1", "10.0.0.2");
  EXPECT_FALSE(guarder::facts_from_path_detail(tracer::path_detail_json(arp)));
  EXPECT_FALSE(guarder::facts_from_path_detail(json::array()));
  EXPECT_FALSE(guarder::facts_from_path_detail(json::object()));
  auto udp = record(frame, "udp", "10.0.0.1", "10.0.0.2");
  udp.pkt.sport = 1;
  udp.pkt.dport = 2;
  json j = tracer::path_detail_json(udp);
  j["bytes_hex"] = "zz";  // unreadable bytes: the decoded headers still answer
  auto p = guarder::facts_from_path_detail(j);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->dport, 2);
}

TEST(PathFacts, DryRunStyleEvaluation) {
  auto frame = PacketBuilder().ipv4("203.0.113.9", "10.0.0.1", 6).tcp(40000, 22, 0x02).frame();
  auto facts = from_detail(record(frame, "tcp", "203.0.113.9", "10.0.0.1"));
  auto rule = guarder::parse_rule({{"action", "drop"}, {"match", {{"src", "203.0.113.0/24"},
                                   {"protocol", "tcp"}, {"dport", 22}, {"tcp_flags", "SYN,!ACK"}}}},
                                  guarder::ParseOptions{kNow, false});
  ASSERT_TRUE(rule.rule);
  EXPECT_TRUE(guarder::matches(rule.rule->match, facts));
}
