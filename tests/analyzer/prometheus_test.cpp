// Prometheus exposition: names, HELP/TYPE, escaping, cumulative histograms, bounded cardinality,
// and `promtool check metrics` on the real output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "analyzer/prometheus.h"
#include "sample_snapshot.h"

namespace pscope::analyzer {
namespace {

// The value of the sample line that starts with `series` (name plus labels), or -1.
double value_of(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0;
  return n;
}

TEST(Prometheus, CountersCarryLayerAndDirection) {
  PrometheusExporter ex;
  auto s = test::sample_snapshot();
  ex.observe(s);
  auto t = ex.render(s);
  EXPECT_NE(t.find("# HELP packetscope_layer_packets_total "), std::string::npos);
  EXPECT_NE(t.find("# TYPE packetscope_layer_packets_total counter\n"), std::string::npos);
  EXPECT_EQ(value_of(t, "packetscope_layer_packets_total{layer=\"link\",dir=\"rx\"}"), 10);
  EXPECT_EQ(value_of(t, "packetscope_layer_bytes_total{layer=\"link\",dir=\"tx\"}"), 400);
  EXPECT_EQ(value_of(t, "packetscope_drops_total{reason=\"NETFILTER_DROP\",layer=\"network\"}"), 3);
  EXPECT_EQ(value_of(t, "packetscope_tcp_events_total{event=\"retransmit\"}"), 2);
  EXPECT_EQ(value_of(t, "packetscope_map_capacity{map=\"flows\"}"), 65536);
  EXPECT_EQ(value_of(t, "packetscope_netns_drops_total{netns=\"4026531840\"}"), 3);
  EXPECT_EQ(value_of(t, "packetscope_interface_drops_total{ifindex=\"2\",netns=\"4026531840\",name=\"veth0\"}"), 1);
}

TEST(Prometheus, HistogramIsCumulativeAcrossSnapshots) {
  PrometheusExporter ex;
  auto a = test::sample_snapshot(1000);
  auto b = test::sample_snapshot(2000);
  ex.observe(a);
  ex.observe(a);  // the same snapshot again: ignored
  ex.observe(b);
  auto t = ex.render(b);
  const std::string base = "packetscope_layer_latency_seconds";
  const std::string l = "dir=\"rx\",from=\"link\",to=\"transport\"";
  // bucket 13 = [8192, 16384) ns -> counted from le = 2^14 ns on; bucket 15 from le = 2^16 ns.
  EXPECT_EQ(value_of(t, base + "_bucket{" + l + ",le=\"8.192e-06\"}"), 0);
  EXPECT_EQ(value_of(t, base + "_bucket{" + l + ",le=\"1.6384e-05\"}"), 6);
  EXPECT_EQ(value_of(t, base + "_bucket{" + l + ",le=\"3.2768e-05\"}"), 6);
  EXPECT_EQ(value_of(t, base + "_bucket{" + l + ",le=\"6.5536e-05\"}"), 10);
  EXPECT_EQ(value_of(t, base + "_bucket{" + l + ",le=\"+Inf\"}"), 10);
  EXPECT_EQ(value_of(t, base + "_count{" + l + "}"), 10);
  double expect_sum = 2 * (3 * 1.5 * 8192 + 2 * 1.5 * 32768) / 1e9;
  EXPECT_NEAR(value_of(t, base + "_sum{" + l + "}"), expect_sum, 1e-12);
  EXPECT_EQ(count_lines_starting(t, base + "_bucket{"),
            static_cast<size_t>(PrometheusExporter::kLastBucket - PrometheusExporter::kFirstBucket + 2));
}

TEST(Prometheus, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(prometheus_escape("caf\xc3\xa9\x01"), "caf???");
  PrometheusExporter ex;
  auto t = ex.render(test::sample_snapshot());
  EXPECT_NE(t.find("comm=\"we\\\"ird\\\\name\\n\""), std::string::npos) << t;
}

TEST(Prometheus, FlowCardinalityIsCapped) {
  auto s = test::sample_snapshot();
  for (int i = 0; i < 100; ++i) {
    Flow f = s.flows[0];
    f.key = "1/tcp/10.0.0.1:1-10.0.0.2:" + std::to_string(i);
    s.flows.push_back(f);
  }
  PrometheusOptions o;
  o.max_flows = 5;
  PrometheusExporter ex(o);
  auto t = ex.render(s);
  EXPECT_EQ(count_lines_starting(t, "packetscope_flow_bytes_per_second{"), 10u);  // 5 flows x 2 directions
  EXPECT_EQ(value_of(t, "packetscope_flow_bytes_per_second{flow=\"4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000\","
                        "protocol=\"tcp\",comm=\"iperf3\",dir=\"rx\"}"),
            75000);
  EXPECT_EQ(value_of(t, "packetscope_flow_srtt_seconds{flow=\"4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000\"}"),
            40e-6);
}

TEST(Prometheus, EveryFamilyHasHelpAndTypeOnce) {
  PrometheusExporter ex;
  auto t = ex.render(test::sample_snapshot());
  std::istringstream in(t);
  std::string line;
  std::map<std::string, int> help, type;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex("# HELP (\\S+) .+"))) ++help[m[1]];
    if (std::regex_match(line, m, std::regex("# TYPE (\\S+) (counter|gauge|histogram)"))) ++type[m[1]];
  }
  EXPECT_GE(help.size(), 20u);
  EXPECT_EQ(help.size(), type.size());
  for (const auto& [name, n] : help) {
    EXPECT_EQ(n, 1) << name;
    EXPECT_EQ(type[name], 1) << name;
  }
}

// The real linter from the Debian prometheus package.
TEST(Prometheus, PromtoolAcceptsTheOutput) {
  if (::access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool missing: run scripts/setup.sh";
  PrometheusExporter ex;
  auto s = test::sample_snapshot();
  ex.observe(s);
  std::string path = "/tmp/ps-prom-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << ex.render(s);
  std::string cmd = "promtool check metrics < " + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  int status = ::pclose(p);
  ::unlink(path.c_str());
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << "promtool lint findings";
}

}  // namespace
}  // namespace pscope::analyzer
