// Path decoding: hop timing, layers, direction, drop naming, renderings.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "tracer/path.h"

namespace pscope::tracer {
namespace {

struct FakeNamer : Namer {
  std::string drop_reason(uint32_t code) const override { return code == 5 ? "NO_SOCKET" : "r" + std::to_string(code); }
  std::string symbol(uint64_t addr) const override { return addr ? "udp_rcv+0x10" : ""; }
};

ps_path_event make_event(std::initializer_list<std::pair<uint16_t, uint64_t>> hops) {
  ps_path_event ev{};
  ev.meta.family = 4;
  ev.meta.l3_proto = 0x0800;
  ev.meta.l4_proto = 17;
  inet_pton(AF_INET, "10.0.0.1", ev.meta.saddr);
  inet_pton(AF_INET, "10.0.0.2", ev.meta.daddr);
  ev.meta.sport = 5000;
  ev.meta.dport = 53;
  ev.meta.pkt_len = 70;
  for (auto [hook, ts] : hops) {
    ev.hops[ev.nhops] = ps_hop{ts, 2, 4026531840u, hook, 0, 1};
    ++ev.nhops;
  }
  return ev;
}

TEST(PathDecode, TimesLayersAndDirection) {
  auto ev = make_event({{PS_HOOK_NETIF_RECEIVE, 1000}, {PS_HOOK_FIB_LOOKUP, 1500}, {PS_HOOK_COPY_TO_USER, 4000},
                        {PS_HOOK_CONSUME, 4100}});
  FakeNamer names;
  auto r = decode_path(ev, 1'700'000'000'000'000'000LL, names);
  ASSERT_EQ(r.hops.size(), 4u);
  EXPECT_EQ(r.wall_ns, 1'700'000'000'000'001'000LL);
  EXPECT_EQ(r.direction, "rx");
  EXPECT_EQ(r.hops[1].dt_ns, 500);
  EXPECT_EQ(r.hops[3].t_ns, 3100);
  EXPECT_EQ(r.latency_ns(), 3100);
  EXPECT_EQ(r.hops[0].layer, Layer::kLink);
  EXPECT_EQ(r.hops[1].layer, Layer::kNetwork);
  EXPECT_EQ(r.hops[2].layer, Layer::kSocket);
  EXPECT_EQ(r.hops[3].layer, Layer::kSocket) << "an end hop is drawn where the packet was";
  EXPECT_FALSE(r.dropped);
  EXPECT_EQ(r.pkt.protocol, "udp");
}

TEST(PathDecode, LocalOriginAndForwarded) {
  FakeNamer names;
  auto tx = make_event({{PS_HOOK_NET_DEV_QUEUE, 1}, {PS_HOOK_DEV_XMIT, 2}, {PS_HOOK_CONSUME, 3}});
  tx.flags = PS_PATH_TX_ORIGIN;
  EXPECT_EQ(decode_path(tx, 0, names).direction, "tx");
  auto fwd = make_event({{PS_HOOK_NETIF_RECEIVE, 1}, {PS_HOOK_NET_DEV_QUEUE, 2}, {PS_HOOK_CONSUME, 3}});
  EXPECT_EQ(decode_path(fwd, 0, names).direction, "fwd");
}

TEST(PathDecode, DropIsNamedAndRendered) {
  auto ev = make_event({{PS_HOOK_NETIF_RECEIVE, 10}, {PS_HOOK_ICMP_SEND, 20}, {PS_HOOK_KFREE, 30}});
  ev.flags = PS_PATH_DROPPED;
  ev.reason = 5;
  ev.location = 0xffffffff81000000ULL;
  FakeNamer names;
  auto r = decode_path(ev, 0, names);
  EXPECT_TRUE(r.dropped);
  EXPECT_EQ(r.reason, "NO_SOCKET");
  EXPECT_EQ(r.location, "udp_rcv+0x10");
  auto line = summary_line(r);
  EXPECT_NE(line.find("udp 10.0.0.1:5000 > 10.0.0.2:53"), std::string::npos) << line;
  EXPECT_NE(line.find("DROPPED NO_SOCKET"), std::string::npos) << line;
  auto tl = timeline(r);
  EXPECT_NE(tl.find("icmp_send"), std::string::npos) << tl;
  EXPECT_NE(tl.find("dropped: NO_SOCKET at udp_rcv+0x10"), std::string::npos) << tl;
  auto comment = pcap_comment(r);
  EXPECT_NE(comment.find("kfree_skb@2"), std::string::npos) << comment;
  auto j = path_detail_json(r);
  EXPECT_EQ(j["hops"].size(), 3u);
  EXPECT_EQ(j["hops"][2]["hook"], "kfree_skb");
  EXPECT_EQ(j["reason"], "NO_SOCKET");
  EXPECT_EQ(j["headers"]["udp"]["dport"], 53);
  EXPECT_EQ(j["flags"][0], "dropped");
}

TEST(PathDecode, HopCountIsBoundedAndBytesKept) {
  auto ev = make_event({{PS_HOOK_NETIF_RECEIVE, 1}});
  ev.nhops = 1000;  // hostile or overflowed count: never read past the array
  ev.flags = PS_PATH_HOPS_OVERFLOW;
  ev.caplen = 9999;
  ev.data[0] = 0x45;
  FakeNamer names;
  auto r = decode_path(ev, 0, names);
  EXPECT_EQ(r.hops.size(), static_cast<size_t>(PS_MAX_HOPS));
  EXPECT_EQ(r.bytes.size(), static_cast<size_t>(PS_HDR_CAP));
  EXPECT_EQ(path_detail_json(r)["bytes_hex"].get<std::string>().substr(0, 2), "45");
}

TEST(PathDecode, EveryHookHasANameAndLayer) {
  for (uint16_t h = 1; h < PS_HOOK_MAX; ++h) {
    EXPECT_NE(hook_name(h), "unknown") << h;
    EXPECT_FALSE(layer_name(hook_layer(h)).empty());
  }
  EXPECT_EQ(hook_name(999), "unknown");
}

}  // namespace
}  // namespace pscope::tracer
