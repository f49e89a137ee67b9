// PathRepo: batches, newest-first paging, socket-tuple matching in both directions (wildcard,
// IPv4-mapped and listening sockets included), detail only on get(), retention.
#include <gtest/gtest.h>

#include <vector>

#include "store/path_repo.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

class PathRepoTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    db_ = open_db();
  }
  static PathRow row(std::int64_t ts, std::string src, std::int64_t sport, std::string dst, std::int64_t dport) {
    PathRow r;
    r.ts_ns = ts;
    r.direction = "rx";
    r.protocol = "tcp";
    r.family = 4;
    r.l4_proto = 6;
    r.src = std::move(src);
    r.sport = sport;
    r.dst = std::move(dst);
    r.dport = dport;
    r.length = 60;
    r.hops = 5;
    r.latency_ns = 1234;
    r.ifindexes = ",2,";
    r.netns = ",4026531840,";
    r.detail = R"({"hops":[]})";
    return r;
  }
  std::optional<Database> db_;
};

TEST_F(PathRepoTest, InsertListGet) {
  PathRepo repo(*db_);
  std::vector<PathRow> rows = {row(1, "10.0.0.1", 1000, "10.0.0.2", 80), row(2, "10.0.0.2", 80, "10.0.0.1", 1000),
                               row(3, "10.0.0.3", 5, "10.0.0.4", 6)};
  rows[1].dropped = true;
  rows[1].reason = "NETFILTER_DROP";
  ASSERT_TRUE(repo.insert_batch(rows));
  auto all = repo.recent(10);
  ASSERT_TRUE(all) << all.error().what;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].ts_ns, 3);
  EXPECT_TRUE((*all)[0].detail.empty()) << "lists never carry the detail JSON";
  EXPECT_TRUE((*all)[1].dropped);
  EXPECT_EQ((*all)[1].reason, "NETFILTER_DROP");

  PathQuery older;
  older.before_id = (*all)[0].id;
  auto page = repo.recent(10, older);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->size(), 2u);

  auto one = repo.get((*all)[2].id);
  ASSERT_TRUE(one && one->has_value());
  EXPECT_EQ((*one)->detail, R"({"hops":[]})");
  auto none = repo.get(999999);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(PathRepoTest, TupleMatchesBothDirections) {
  PathRepo repo(*db_);
  ASSERT_TRUE(repo.insert_batch(std::vector<PathRow>{row(1, "10.0.0.1", 1000, "10.0.0.2", 80),
                                                     row(2, "10.0.0.2", 80, "10.0.0.1", 1000),
                                                     row(3, "10.0.0.1", 1001, "10.0.0.2", 80)}));
  PathQuery q;
  q.addr_a = "10.0.0.1";
  q.port_a = 1000;
  q.addr_b = "10.0.0.2";
  q.port_b = 80;
  auto got = repo.recent(10, q);
  ASSERT_TRUE(got) << got.error().what;
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].ts_ns, 2);
  EXPECT_EQ((*got)[1].ts_ns, 1);
}

// The ts_ns of what `q` selects, newest first.
std::vector<std::int64_t> selected(PathRepo& repo, const PathQuery& q) {
  auto got = repo.recent(100, q);
  EXPECT_TRUE(got) << got.error().what;
  std::vector<std::int64_t> ts;
  if (got)
    for (const auto& r : *got) ts.push_back(r.ts_ns);
  return ts;
}

class SocketMatchTest : public PathRepoTest {
 protected:
  void SetUp() override {
    PathRepoTest::SetUp();
    auto v6 = [](PathRow r) {
      r.family = 6;
      return r;
    };
    auto udp = [](PathRow r) {
      r.protocol = "udp";
      r.l4_proto = 17;
      return r;
    };
    ASSERT_TRUE(repo_.insert_batch(std::vector<PathRow>{
        row(1, "10.0.0.1", 40000, "10.0.0.2", 7200),     // client -> listener port
        row(2, "10.0.0.2", 7200, "10.0.0.1", 40000),     // the reply
        row(3, "10.0.0.3", 40001, "10.0.0.9", 7200),     // another client, another local address
        row(4, "10.0.0.2", 5000, "10.0.0.1", 80),        // other ports
        udp(row(5, "10.0.0.1", 40000, "10.0.0.2", 7200)),  // same port, other protocol
        v6(row(6, "fd00::1", 40002, "fd00::2", 7200)),     // same port over IPv6
    }));
  }
  PathRepo repo_{*db_};
};

TEST_F(SocketMatchTest, WildcardListenerMatchesItsPortInBothDirections) {
  PathQuery q;  // a TCP listener on 0.0.0.0:7200
  q.addr_a = "0.0.0.0";
  q.port_a = 7200;
  q.family = 4;
  q.l4_proto = 6;
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{3, 2, 1}));
  q.family.reset();  // [::]:7200 without IPV6_V6ONLY sees both families
  q.addr_a = "::";
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{6, 3, 2, 1}));
  q.l4_proto.reset();  // a caller that knows only the tuple (protocol unknown): every protocol
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{6, 5, 3, 2, 1}));
}

TEST_F(SocketMatchTest, ListenerOnOneAddressMatchesOnlyThatAddress) {
  PathQuery q;
  q.addr_a = "10.0.0.2";
  q.port_a = 7200;
  q.l4_proto = 6;
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{2, 1}));
}

TEST_F(SocketMatchTest, Ipv4MappedAddressesMatchTheIpv4Packets) {
  PathQuery q;  // a connected IPv6 socket talking to an IPv4 peer: its addresses are mapped
  q.addr_a = "::ffff:10.0.0.2";
  q.port_a = 7200;
  q.addr_b = "::FFFF:10.0.0.1";  // any spelling of the address
  q.port_b = 40000;
  q.family = 4;
  q.l4_proto = 6;
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{2, 1}));
  q.addr_a = "::ffff:0.0.0.0";  // mapped wildcard: the IPv4 wildcard
  q.addr_b.reset();
  q.port_b.reset();
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{3, 2, 1}));
}

TEST_F(SocketMatchTest, Ipv6AddressesCompareAsAddresses) {
  PathQuery q;
  q.addr_a = "FD00:0::2";
  q.port_a = 7200;
  EXPECT_EQ(selected(repo_, q), (std::vector<std::int64_t>{6}));
  q.addr_a = "not an address";  // kept as text: matches nothing stored
  EXPECT_TRUE(selected(repo_, q).empty());
}

TEST_F(PathRepoTest, RetentionByCountAndAge) {
  PathRepo repo(*db_);
  std::vector<PathRow> rows;
  for (int i = 1; i <= 50; ++i) rows.push_back(row(i * 1000, "1.1.1.1", i, "2.2.2.2", 1));
  ASSERT_TRUE(repo.insert_batch(rows));
  auto removed = repo.enforce_retention(40, 0, 0);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 10);
  removed = repo.enforce_retention(0, 20000, 50000);  // keeps ts >= 30000
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 19);
  EXPECT_EQ(*repo.count(), 21);
  EXPECT_FALSE(repo.enforce_retention(-1, 0, 0));
  EXPECT_EQ(*repo.count(), 21) << "a rejected call deletes nothing";
}

}  // namespace
}  // namespace pscope::store::test

namespace pscope::store::test {
namespace {

TEST_F(PathRepoTest, ExplicitIdsAndLastIdSurviveRetention) {
  PathRepo repo(*db_);
  EXPECT_EQ(*repo.last_id(), 0);
  auto a = row(1, "1.1.1.1", 1, "2.2.2.2", 2);
  a.id = 41;
  ASSERT_TRUE(repo.insert_batch(std::vector<PathRow>{a}));
  EXPECT_EQ(*repo.last_id(), 41);
  EXPECT_FALSE(repo.insert_batch(std::vector<PathRow>{a})) << "an id is never reused";
  ASSERT_TRUE(repo.enforce_retention(0, 1, 1000));
  EXPECT_EQ(*repo.count(), 0);
  EXPECT_EQ(*repo.last_id(), 41);
}

}  // namespace
}  // namespace pscope::store::test
