// Route table, query parsing and the error shape every API answer shares.
#include <gtest/gtest.h>

#include "api/http.h"

namespace pscope::api {
namespace {

Request make(std::string method, std::string path, std::map<std::string, std::string> query = {}) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

TEST(Router, MatchesCapturesAndMethods) {
  Router router;
  router.add("GET", "/api/v1/things/{id}", [](const Request& r) { return Response::ok({{"id", r.params.at("id")}}); });
  router.add("DELETE", "/api/v1/things/{id}", [](const Request&) { return Response::json(204, nullptr); });
  auto req = make("GET", "/api/v1/things/42");
  auto resp = router.dispatch(req);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(nlohmann::json::parse(resp.body)["id"], "42");

  auto post = make("POST", "/api/v1/things/42");
  resp = router.dispatch(post);
  EXPECT_EQ(resp.status, 405);
  ASSERT_EQ(resp.headers.size(), 1u);
  EXPECT_EQ(resp.headers[0].second, "GET, DELETE");

  auto missing = make("GET", "/api/v1/nothing");
  resp = router.dispatch(missing);
  EXPECT_EQ(resp.status, 404);
  auto j = nlohmann::json::parse(resp.body);
  EXPECT_EQ(j["error"]["code"], "not_found");
  EXPECT_TRUE(j["error"]["message"].is_string());
}

TEST(Router, HandlerExceptionsBecome500) {
  Router router;
  router.add("GET", "/x", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  auto req = make("GET", "/x");
  auto resp = router.dispatch(req);
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.body.find("boom"), std::string::npos);
}

TEST(Query, ParsesAndDecodes) {
  auto q = parse_query("a=1&b=hello+world&c=%2Fx%2f&d&a=2&e=%zz&=v");
  EXPECT_EQ(q["a"], "1");  // first occurrence wins
  EXPECT_EQ(q["b"], "hello world");
  EXPECT_EQ(q["c"], "/x/");
  EXPECT_EQ(q["d"], "");
  EXPECT_EQ(q["e"], "%zz");  // invalid escapes are kept literally
  EXPECT_TRUE(parse_query("").empty());
}

TEST(Query, IntegerParametersAreBounded) {
  auto r = make("GET", "/", {{"limit", "50"}, {"bad", "5x"}, {"big", "100000"}, {"neg", "-1"}});
  EXPECT_EQ(*r.q_int("limit", 10, 1, 1000), 50);
  EXPECT_EQ(*r.q_int("absent", 10, 1, 1000), 10);
  for (const char* name : {"bad", "big", "neg"}) {
    auto v = r.q_int(name, 10, 1, 1000);
    ASSERT_FALSE(v) << name;
    EXPECT_NE(v.error().what.find(name), std::string::npos);
  }
}

}  // namespace
}  // namespace pscope::api
