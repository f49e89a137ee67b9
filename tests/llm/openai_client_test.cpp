// OpenAiChatClient + ask_json against FakeOpenAiServer on 127.0.0.1: the OpenAI wire format,
// answers good and bad, retries, Retry-After, timeouts, the deadline, the body cap, and a key
// that never leaks into an error or a log line.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cstdlib>
#include <sstream>

#include "fake_openai_server.h"
#include "llm/ask_json.h"
#include "llm/openai_client.h"

using namespace pscope::llm;
using namespace pscope::llm::testing;
using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kKey = "sk-CANARY-7f3a9c0d1e2b";
const json kSchema = json::parse(R"({"type":"object","additionalProperties":false,"required":["rules"],
  "properties":{"rules":{"type":"array","maxItems":4,"items":{"type":"object","additionalProperties":false,
  "required":["action"],"properties":{"action":{"type":"string","enum":["drop","rate_limit"]}}}}}})");

long ms_since(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

class OpenAiClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("PS_LLM_TEST_KEY", kKey, 1); }
  void TearDown() override { ::unsetenv("PS_LLM_TEST_KEY"); }

  LlmConfig cfg() const {
    LlmConfig c;
    c.base_url = server_.base_url();
    c.model = "test-model";
    c.api_key_env = "PS_LLM_TEST_KEY";
    c.timeout = 2000ms;
    c.deadline = 10'000ms;
    c.max_retries = 2;
    c.backoff = 10ms;
    c.max_tokens = 321;
    return c;
  }
  pscope::Result<json> ask(const LlmConfig& c) {
    auto client = OpenAiChatClient::create(c);
    if (!client) return tl::unexpected(client.error());
    return ask_json(**client, "you are the analyst", "the evidence", kSchema, &raw_);
  }
  pscope::Result<json> ask() { return ask(cfg()); }
  std::string error(const LlmConfig& c) {
    auto r = ask(c);
    return r ? "no error" : r.error().what;
  }
  void reply(const std::string& content, const std::string& finish = "stop") {
    server_.push({200, FakeOpenAiServer::chat_body(content, finish), {}, {}});
  }

  FakeOpenAiServer server_;
  ChatResponse raw_;
};

}  // namespace

TEST_F(OpenAiClientTest, ValidAnswerBecomesJson) {
  reply(R"({"rules":[{"action":"drop"}]})");
  auto r = ask();
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ((*r)["rules"][0]["action"], "drop");
  EXPECT_EQ(raw_.total_tokens, 42);
  EXPECT_EQ(raw_.attempts, 1);
  EXPECT_EQ(raw_.finish_reason, "stop");
}

TEST_F(OpenAiClientTest, RequestHasTheExactOpenAiShape) {
  reply(R"({"rules":[]})");
  ASSERT_TRUE(ask());
  auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& q = reqs[0];
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.path, "/v1/chat/completions");
  EXPECT_EQ(q.headers.at("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(q.headers.at("content-type"), "application/json");
  json body = json::parse(q.body);
  json want = {{"model", "test-model"},
               {"messages", {{{"role", "system"}, {"content", "you are the analyst"}},
                             {{"role", "user"}, {"content", "the evidence"}}}},
               {"max_tokens", 321},
               {"temperature", 0.0},
               {"response_format", {{"type", "json_schema"},
                                    {"json_schema", {{"name", "answer"}, {"schema", kSchema}, {"strict", true}}}}}};
  EXPECT_EQ(body, want) << body.dump(2);
}

TEST_F(OpenAiClientTest, NoKeyConfiguredSendsNoAuthorization) {
  reply(R"({"rules":[]})");
  auto c = cfg();
  c.api_key_env.clear();
  ASSERT_TRUE(ask(c));
  EXPECT_FALSE(server_.requests().at(0).headers.contains("authorization"));
}

TEST_F(OpenAiClientTest, FencedMalformedWrongTruncatedAnswersAreRefusedPrecisely) {
  reply("```json\n{\"rules\":[{\"action\":\"rate_limit\"}]}\n```");
  EXPECT_TRUE(ask());
  reply(R"({"rules":[{"action": allow}]})");
  EXPECT_EQ(error(cfg()).substr(0, 27), "malformed JSON at byte 21: ");
  reply(R"({"rules":[{"action":"drop"},{"action":"drop"},{"action":"allow_all"}]})");
  EXPECT_EQ(error(cfg()), "rules[2].action: \"allow_all\" is not one of [\"drop\",\"rate_limit\"]");
  reply(R"({"verdict":"drop"})");
  EXPECT_EQ(error(cfg()), "missing required 'rules'");
  reply(R"({"rules":[{"act)", "length");
  EXPECT_EQ(error(cfg()), "answer truncated (finish_reason=length): raise llm.max_tokens or shorten the prompt");
  server_.push({200, "<html>proxy error</html>", {}, {}});
  EXPECT_EQ(error(cfg()), "the endpoint answered HTTP 200 with a body that is not a JSON object");
  EXPECT_EQ(server_.requests().size(), 6u);  // none of these is retried
}

TEST_F(OpenAiClientTest, OversizedBodyIsAnErrorWithOrWithoutContentLength) {
  std::string huge = FakeOpenAiServer::chat_body(std::string(1536 * 1024, 'x'));
  server_.push({200, huge, {}, {}});
  EXPECT_NE(error(cfg()).find("is larger than llm.max_response_bytes (1048576 bytes)"), std::string::npos);
  server_.push({200, huge, {}, {}, false});
  EXPECT_NE(error(cfg()).find("is larger than llm.max_response_bytes (1048576 bytes)"), std::string::npos);
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OpenAiClientTest, ServerErrorIsRetriedThenSucceeds) {
  server_.push({500, R"({"error":{"message":"overloaded"}})", {}, {}});
  server_.push({503, "busy", {}, {}});
  reply(R"({"rules":[]})");
  auto r = ask();
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(raw_.attempts, 3);
  EXPECT_EQ(server_.requests().size(), 3u);
  EXPECT_EQ(server_.requests()[2].body, server_.requests()[0].body);
}

TEST_F(OpenAiClientTest, GivesUpAfterMaxRetries) {
  for (int i = 0; i < 3; ++i) server_.push({502, R"({"error":{"message":"bad gateway"}})", {}, {}});
  EXPECT_EQ(error(cfg()), "HTTP 502 from " + server_.base_url() + "/chat/completions: bad gateway (gave up after 3 attempts)");
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(OpenAiClientTest, RateLimitHonoursASmallRetryAfter) {
  server_.push({429, R"({"error":{"message":"slow down"}})", {{"Retry-After", "1"}}, {}});
  reply(R"({"rules":[]})");
  auto t0 = Clock::now();
  ASSERT_TRUE(ask());
  EXPECT_GE(ms_since(t0), 950);  // not the 10 ms back-off
  EXPECT_EQ(raw_.attempts, 2);
  server_.push({429, "{}", {{"Retry-After", "3600"}}, {}});
  t0 = Clock::now();
  EXPECT_NE(error(cfg()).find("the server asks to retry after 3600 s, longer than the 10 s we wait"), std::string::npos);
  EXPECT_LT(ms_since(t0), 500);
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(OpenAiClientTest, UnauthorizedIsNotRetriedAndDoesNotEchoTheKey) {
  server_.push({401, std::string(R"({"error":{"message":"Incorrect API key provided: )") + kKey + "\"}}", {}, {}});
  std::string e = error(cfg());
  EXPECT_EQ(e, server_.base_url() + "/chat/completions refused the API key (HTTP 401): check llm.api_key_file or "
                "llm.api_key_env");
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OpenAiClientTest, OtherClientErrorsAreNotRetried) {
  server_.push({400, R"({"error":{"message":"response_format json_schema is not supported"}})", {}, {}});
  EXPECT_EQ(error(cfg()), "HTTP 400 from " + server_.base_url() +
                              "/chat/completions: response_format json_schema is not supported");
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OpenAiClientTest, SlowServerTimesOut) {
  server_.push({200, FakeOpenAiServer::chat_body("{}"), {}, 3000ms});
  auto c = cfg();
  c.timeout = 300ms;
  c.max_retries = 0;
  auto t0 = Clock::now();
  EXPECT_EQ(error(c), "no answer from " + server_.base_url() +
                          "/chat/completions within 300 ms (llm.timeout_ms) (gave up after 1 attempt)");
  EXPECT_LT(ms_since(t0), 1500);
}

TEST_F(OpenAiClientTest, DeadlineBoundsAllAttempts) {
  for (int i = 0; i < 10; ++i) server_.push({200, "{}", {}, 3000ms});
  auto c = cfg();
  c.timeout = 300ms;
  c.deadline = 800ms;
  c.max_retries = 10;
  auto t0 = Clock::now();
  std::string e = error(c);
  EXPECT_NE(e.find("llm.deadline_ms (800 ms)"), std::string::npos) << e;
  EXPECT_LT(ms_since(t0), 1300);
  EXPECT_LE(server_.requests().size(), 3u);
}

TEST_F(OpenAiClientTest, ConnectionRefusedIsRetriedThenReported) {
  auto c = cfg();
  c.base_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1";
  std::string e = error(c);
  EXPECT_NE(e.find("Couldn't connect to server (gave up after 3 attempts)"), std::string::npos) << e;
}

TEST_F(OpenAiClientTest, OversizedPromptIsNeverSent) {
  auto c = cfg();
  c.max_prompt_bytes = 256;
  auto client = OpenAiChatClient::create(c);
  ASSERT_TRUE(client);
  auto r = ask_json(**client, "s", std::string(300, 'p'), kSchema);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what, "the prompt is 301 bytes, over llm.max_prompt_bytes (256): nothing was sent");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(OpenAiClientTest, KeyNeverAppearsInAnyErrorOrLogLine) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto capture = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  capture->set_level(spdlog::level::trace);
  spdlog::set_default_logger(capture);
  const std::string echo = std::string(R"({"error":{"message":"bad key )") + kKey + "\"}}";
  std::vector<std::string> errors;
  auto run = [&](LlmConfig c) { errors.push_back(error(c)); };
  auto c = cfg();
  server_.push({401, echo, {}, {}});
  run(c);
  server_.push({403, echo, {}, {}});
  run(c);
  server_.push({400, echo, {}, {}});
  run(c);
  for (int i = 0; i < 3; ++i) server_.push({500, echo, {}, {}});
  run(c);
  server_.push({429, echo, {{"Retry-After", "999"}}, {}});
  run(c);
  server_.push({200, std::string(2 << 20, 'k'), {}, {}});
  run(c);
  server_.push({200, echo, {}, {}});
  run(c);
  reply(std::string("{\"rules\": ") + kKey + "}");
  run(c);
  reply(kKey, "length");
  run(c);
  reply(std::string(R"({"rules":[{"action":")") + kKey + "\"}]}");
  run(c);
  auto slow = c;
  slow.timeout = 200ms;
  slow.max_retries = 0;
  server_.push({200, "{}", {}, 1000ms});
  run(slow);
  auto refused = c;
  refused.base_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/v1";
  run(refused);
  auto bad = c;
  bad.base_url = std::string("https://x:") + kKey + "@api.example/v1";
  run(bad);
  spdlog::set_default_logger(previous);

  ASSERT_EQ(errors.size(), 13u);
  bool redacted = false;
  for (const auto& e : errors) {
    EXPECT_NE(e, "no error");
    EXPECT_EQ(e.find("CANARY"), std::string::npos) << e;
    redacted = redacted || e.find("[redacted]") != std::string::npos;
  }
  EXPECT_TRUE(redacted);  // the echoing server did exercise redaction
  EXPECT_NE(log.str().find("retrying"), std::string::npos);
  EXPECT_EQ(log.str().find("CANARY"), std::string::npos) << log.str();
}
