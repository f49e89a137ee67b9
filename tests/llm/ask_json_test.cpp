// ask_json and extract_json with a scripted ChatClient (no HTTP): fences, malformed JSON with its
// byte offset, refusals and truncation, and the schema's verdict.
#include <gtest/gtest.h>

#include "llm/ask_json.h"

using namespace pscope::llm;
using nlohmann::json;

namespace {

class ScriptedClient : public ChatClient {
 public:
  explicit ScriptedClient(ChatResponse r) : reply_(std::move(r)) {}
  pscope::Result<ChatResponse> complete(const ChatRequest& req) override {
    last_ = req;
    return reply_;
  }
  ChatRequest last_;

 private:
  ChatResponse reply_;
};

const json kSchema = {{"type", "object"},
                      {"additionalProperties", false},
                      {"required", {"verdict"}},
                      {"properties", {{"verdict", {{"type", "string"}, {"enum", {"drop", "ignore"}}}}}}};

std::string ask(const std::string& content, const std::string& finish = "stop", const std::string& refusal = "") {
  ScriptedClient c(ChatResponse{content, finish, refusal, 10, 1});
  auto r = ask_json(c, "sys", "user", kSchema);
  return r ? r->dump() : r.error().what;
}

}  // namespace

TEST(ExtractJson, TakesBareOrFencedJson) {
  EXPECT_EQ(extract_json(" \n{\"a\":1}\n").value(), json({{"a", 1}}));
  EXPECT_EQ(extract_json("```json\n{\"a\":1}\n```").value(), json({{"a", 1}}));
  EXPECT_EQ(extract_json("```\n{\"a\":1}\n```\n").value(), json({{"a", 1}}));
  EXPECT_EQ(extract_json("Here it is:\n```json\n{\"a\":1}\n```\nDone.").value(), json({{"a", 1}}));
  // A fence inside a JSON string is content, not a fence.
  EXPECT_EQ(extract_json("{\"a\":\"```\"}").value(), json({{"a", "```"}}));
}

TEST(ExtractJson, SaysWhereTheJsonBreaks) {
  EXPECT_EQ(extract_json("{\"a\": drop}").error().what.substr(0, 26), "malformed JSON at byte 6: ");
  // Offsets count from the start of the content, fence included.
  EXPECT_EQ(extract_json("```json\n{\"a\": x}\n```").error().what.substr(0, 26), "malformed JSON at byte 14:");
  EXPECT_EQ(extract_json("{\"a\":1},{\"b\":2}").error().what.substr(0, 25), "malformed JSON at byte 7:");
  EXPECT_EQ(extract_json("   ").error().what, "the model returned an empty answer");
  EXPECT_EQ(extract_json("```json\n{\"a\":1}").error().what, "the answer's ``` fence is not closed");
}

TEST(AskJson, ReturnsOnlyValidatedAnswers) {
  EXPECT_EQ(ask("{\"verdict\":\"drop\"}"), "{\"verdict\":\"drop\"}");
  EXPECT_EQ(ask("```json\n{\"verdict\":\"ignore\"}\n```"), "{\"verdict\":\"ignore\"}");
  EXPECT_EQ(ask("{\"verdict\":\"allow_all\"}"), "verdict: \"allow_all\" is not one of [\"drop\",\"ignore\"]");
  EXPECT_EQ(ask("{}"), "missing required 'verdict'");
  EXPECT_EQ(ask("{\"verdict\":\"drop\",\"also\":1}"), "unexpected property \"also\"");
  EXPECT_EQ(ask("{\"verdict\":\"dr", "length"),
            "answer truncated (finish_reason=length): raise llm.max_tokens or shorten the prompt");
  EXPECT_EQ(ask("", "content_filter"),
            "the provider's content filter withheld the answer (finish_reason=content_filter)");
  EXPECT_EQ(ask("", "stop", "I can't help\nwith that"), "the model refused to answer: I can't help with that");
}

TEST(AskJson, SendsSystemUserAndSchemaAndReportsTheRawReply) {
  ScriptedClient c(ChatResponse{"{\"verdict\":\"x\"}", "stop", "", 77, 2});
  ChatResponse raw;
  auto r = ask_json(c, "you are an analyst", "the graph", kSchema, &raw);
  ASSERT_FALSE(r);
  EXPECT_EQ(raw.total_tokens, 77);  // kept for the transcript even though the answer was refused
  EXPECT_EQ(raw.attempts, 2);
  ASSERT_EQ(c.last_.messages.size(), 2u);
  EXPECT_EQ(c.last_.messages[0].role, "system");
  EXPECT_EQ(c.last_.messages[0].content, "you are an analyst");
  EXPECT_EQ(c.last_.messages[1].role, "user");
  EXPECT_EQ(*c.last_.schema, kSchema);
}

TEST(AskJson, RefusesAnUnsupportedSchemaBeforeAsking) {
  ScriptedClient c(ChatResponse{"{}", "stop", "", 1, 1});
  auto r = ask_json(c, "s", "u", {{"type", "object"}, {"patternProperties", json::object()}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what, "the response schema is not supported: schema uses unsupported keyword 'patternProperties'");
  EXPECT_TRUE(c.last_.messages.empty());
}
