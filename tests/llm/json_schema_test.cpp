// The JSON Schema subset: each supported keyword accepts and refuses, with the exact reason.
#include <gtest/gtest.h>

#include "llm/json_schema.h"

using namespace pscope::llm;
using nlohmann::json;

namespace {

const json kRules = json::parse(R"({
  "type": "object", "additionalProperties": false, "required": ["rules", "summary"],
  "properties": {
    "summary": {"type": "string", "maxLength": 10},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    "rules": {"type": "array", "maxItems": 3, "minItems": 1, "items": {
      "type": "object", "additionalProperties": false, "required": ["action"],
      "properties": {
        "action": {"type": "string", "enum": ["drop", "rate_limit"]},
        "ttl_s": {"type": "integer", "minimum": 1, "maximum": 3600},
        "note": {"type": ["string", "null"]}}}}}})");

std::string why(const char* value) {
  auto r = validate_json(kRules, json::parse(value));
  return r ? "ok" : r.error().what;
}

}  // namespace

TEST(JsonSchema, AcceptsAValidAnswer) {
  EXPECT_EQ(why(R"({"summary":"syn flood","confidence":0.9,"rules":[{"action":"drop","ttl_s":60,"note":null}]})"), "ok");
  EXPECT_EQ(why(R"({"summary":"x","rules":[{"action":"rate_limit","ttl_s":60.0,"note":"n"}]})"), "ok");
}

TEST(JsonSchema, GivesThePreciseReason) {
  struct Case {
    const char* value;
    const char* reason;
  } cases[] = {
      {R"({"summary":"x"})", "missing required 'rules'"},
      {R"([])", "expected object, got array"},
      {R"({"summary":"x","rules":[],"extra":1})", "unexpected property \"extra\""},
      {R"({"summary":"x","rules":[]})", "rules: 0 items, fewer than the 1 required"},
      {R"({"summary":"x","rules":[{"action":"drop"},{"action":"drop"},{"action":"allow_all"}]})",
       "rules[2].action: \"allow_all\" is not one of [\"drop\",\"rate_limit\"]"},
      {R"({"summary":"x","rules":[{"action":"drop"},{"action":"drop"},{"action":"drop"},{"action":"drop"}]})",
       "rules: 4 items, more than the 3 allowed"},
      {R"({"summary":"x","rules":[{}]})", "rules[0]: missing required 'action'"},
      {R"({"summary":"x","rules":[{"action":"drop","ttl_s":0}]})", "rules[0].ttl_s: 0 is below the minimum 1"},
      {R"({"summary":"x","rules":[{"action":"drop","ttl_s":86400}]})", "rules[0].ttl_s: 86400 is above the maximum 3600"},
      {R"({"summary":"x","rules":[{"action":"drop","ttl_s":1.5}]})", "rules[0].ttl_s: expected integer, got number"},
      {R"({"summary":"x","rules":[{"action":"drop","note":5}]})",
       "rules[0].note: expected [\"string\",\"null\"], got number"},
      {R"({"summary":"0123456789a","rules":[{"action":"drop"}]})", "summary: 11 characters, longer than the 10 allowed"},
      {R"({"summary":"x","confidence":"high","rules":[{"action":"drop"}]})", "confidence: expected number, got string"},
  };
  for (const auto& c : cases) EXPECT_EQ(why(c.value), c.reason) << c.value;
}

TEST(JsonSchema, MaxLengthCountsCharactersNotBytes) {
  json s = {{"type", "string"}, {"maxLength", 3}};
  EXPECT_TRUE(validate_json(s, "\u00e9\u00e9\u00e9"));  // 6 bytes, 3 characters
  EXPECT_FALSE(validate_json(s, "abcd"));
}

TEST(JsonSchema, AdditionalPropertiesMayBeASchema) {
  json s = {{"type", "object"}, {"additionalProperties", {{"type", "integer"}}}};
  EXPECT_TRUE(validate_json(s, {{"a", 1}}));
  EXPECT_EQ(validate_json(s, {{"a", "x"}}).error().what, "a: expected integer, got string");
}

TEST(JsonSchema, CheckSchemaRefusesWhatItCannotEnforce) {
  EXPECT_TRUE(check_schema(kRules));
  EXPECT_EQ(check_schema({{"type", "string"}, {"pattern", "^a"}}).error().what, "schema uses unsupported keyword 'pattern'");
  EXPECT_EQ(check_schema({{"type", "object"}, {"properties", {{"a", {{"oneOf", json::array()}}}}}}).error().what,
            "schema at .a uses unsupported keyword 'oneOf'");
  EXPECT_FALSE(check_schema({{"type", "strin"}}));
  EXPECT_FALSE(check_schema({{"enum", json::array()}}));
  EXPECT_FALSE(check_schema({{"maxItems", -1}}));
  EXPECT_FALSE(check_schema({{"required", "a"}}));
  EXPECT_FALSE(check_schema(json::array()));
  json deep = {{"type", "array"}};
  for (int i = 0; i < 40; ++i) deep = {{"type", "array"}, {"items", deep}};
  EXPECT_FALSE(check_schema(deep));
}
