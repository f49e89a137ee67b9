// Drop reason name -> layer, and the names read from this kernel's BTF.
#include <gtest/gtest.h>

#include <map>

#include "analyzer/drop_layers.h"

namespace pscope::analyzer {
namespace {

TEST(analyzer_drop_layers, KnownReasons) {
  const std::map<std::string, Layer> want = {
      {"NETFILTER_DROP", Layer::kNetwork}, {"IP_INHDR", Layer::kNetwork},    {"IPV6DISABLED", Layer::kNetwork},
      {"OTHERHOST", Layer::kNetwork},      {"TCP_CSUM", Layer::kTransport},  {"UDP_CSUM", Layer::kTransport},
      {"NO_SOCKET", Layer::kTransport},    {"TCP_OFO_DROP", Layer::kTransport}, {"SOCKET_RCVBUFF", Layer::kSocket},
      {"SOCKET_FILTER", Layer::kSocket},   {"PROTO_MEM", Layer::kSocket},    {"QDISC_DROP", Layer::kLink},
      {"TC_INGRESS", Layer::kLink},        {"NEIGH_FAILED", Layer::kLink},   {"CPU_BACKLOG", Layer::kLink},
      {"XDP", Layer::kLink},               {"DEV_READY", Layer::kLink},      {"FULL_RING", Layer::kLink},
  };
  for (const auto& [name, layer] : want) EXPECT_EQ(drop_reason_layer(name), layer) << name;
}

TEST(analyzer_drop_layers, UnknownCountsAsNetwork) {
  EXPECT_EQ(drop_reason_layer("NOT_SPECIFIED"), Layer::kNetwork);
  EXPECT_EQ(drop_reason_layer("SOMETHING_NEW_IN_7_0"), Layer::kNetwork);
  EXPECT_EQ(drop_reason_layer(""), Layer::kNetwork);
}

TEST(analyzer_drop_layers, PrefixesNeedTheirUnderscore) {
  EXPECT_EQ(drop_reason_layer("TCP_FLAGS"), Layer::kTransport);  // not "TC_"
  EXPECT_EQ(drop_reason_layer("CAKE_FLOOD"), Layer::kLink);
}

TEST(analyzer_drop_layers, SlotNames) {
  std::map<int64_t, std::string> names{{12, "NETFILTER_DROP"}};
  EXPECT_EQ(drop_reason_name(names, 12, 255), "NETFILTER_DROP");
  EXPECT_EQ(drop_reason_name(names, 13, 255), "reason_13");
  EXPECT_EQ(drop_reason_name(names, 255, 255), "OTHER");
}

// The running kernel names its reasons (BTF is world-readable: no root needed).
TEST(analyzer_drop_layers, NamesFromKernelBtf) {
  auto names = load_drop_reason_names();
  if (!names) GTEST_SKIP() << "no kernel BTF: " << names.error().what;
  bool netfilter = false;
  for (const auto& [v, n] : *names) netfilter |= n == "NETFILTER_DROP";
  EXPECT_TRUE(netfilter);
}

}  // namespace
}  // namespace pscope::analyzer
