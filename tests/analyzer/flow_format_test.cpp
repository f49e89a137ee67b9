// Flow key text: the stable id the API, stream and UI use.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "analyzer/flow_format.h"

namespace pscope::analyzer {
namespace {

ps_an_flow_key key4(const char* local, uint16_t lport, const char* remote, uint16_t rport, uint8_t proto) {
  ps_an_flow_key k{};
  inet_pton(AF_INET, local, k.local);
  inet_pton(AF_INET, remote, k.remote);
  k.lport = lport;
  k.rport = rport;
  k.proto = proto;
  k.family = 4;
  k.netns = 4026531840u;
  return k;
}

TEST(analyzer_flow_format, Ipv4Tcp) {
  EXPECT_EQ(flow_key_string(key4("10.0.0.1", 5201, "10.0.0.2", 40000, 6)),
            "4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000");
}

TEST(analyzer_flow_format, Ipv6InBrackets) {
  ps_an_flow_key k{};
  inet_pton(AF_INET6, "fd00::1", k.local);
  inet_pton(AF_INET6, "fd00::2", k.remote);
  k.lport = 53;
  k.rport = 33000;
  k.proto = 17;
  k.family = 6;
  k.netns = 7;
  EXPECT_EQ(flow_key_string(k), "7/udp/[fd00::1]:53-[fd00::2]:33000");
}

TEST(analyzer_flow_format, IcmpAndUnnamedProtocols) {
  EXPECT_EQ(flow_key_string(key4("10.0.0.1", 0, "10.0.0.2", 77, 1)), "4026531840/icmp/10.0.0.1:0-10.0.0.2:77");
  EXPECT_EQ(flow_key_string(key4("10.0.0.1", 0, "10.0.0.2", 0, 47)), "4026531840/47/10.0.0.1:0-10.0.0.2:0");
  EXPECT_EQ(protocol_name(58), "icmp6");
  EXPECT_EQ(protocol_name(47), "other");
}

}  // namespace
}  // namespace pscope::analyzer
