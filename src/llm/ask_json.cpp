// ask_json / extract_json (see ask_json.h).
#include "llm/ask_json.h"

#include <fmt/format.h>

#include "llm/json_schema.h"

namespace pscope::llm {
namespace {

using nlohmann::json;

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 5: syntax
// error while parsing ..."; keep the part after the position (ours is a byte offset).
std::string parse_detail(const std::string& what) {
  size_t at = what.find("syntax error");
  std::string d = at == std::string::npos ? what : what.substr(at);
  if (d.size() > 160) d = d.substr(0, 160) + "...";
  for (char& c : d)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return d;
}

std::string bounded(std::string s, size_t max) {
  if (s.size() > max) s = s.substr(0, max) + "...";
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return s;
}

}  // namespace

Result<json> extract_json(std::string_view content) {
  size_t begin = 0, end = content.size();
  while (begin < end && is_space(content[begin])) ++begin;
  while (end > begin && is_space(content[end - 1])) --end;
  if (begin == end) return fail("the model returned an empty answer");
  bool bare = content[begin] == '{' || content[begin] == '[';
  size_t fence = bare ? std::string_view::npos : content.find("```", begin);
  if (fence != std::string_view::npos && fence < end) {
    // Skip the info string ("json") on the fence line; the body ends at the next fence.
    size_t line_end = content.find('\n', fence);
    if (line_end == std::string_view::npos || line_end >= end) return fail("the answer's ``` fence holds nothing");
    size_t close = content.find("```", line_end + 1);
    if (close == std::string_view::npos || close > end) return fail("the answer's ``` fence is not closed");
    begin = line_end + 1;
    end = close;
  }
  try {
    return json::parse(content.substr(begin, end - begin));
  } catch (const json::parse_error& e) {
    size_t byte = begin + (e.byte > 0 ? e.byte - 1 : 0);
    return fail(fmt::format("malformed JSON at byte {}: {}", byte, parse_detail(e.what())));
  }
}

Result<json> ask_json(ChatClient& client, std::string_view system, std::string_view user, const json& schema,
                      ChatResponse* raw) {
  if (auto s = check_schema(schema); !s) return fail("the response schema is not supported: " + s.error().what);
  ChatRequest req;
  req.messages = {{"system", std::string(system)}, {"user", std::string(user)}};
  req.schema = schema;
  auto reply = client.complete(req);
  if (!reply) return tl::unexpected(reply.error());
  if (raw != nullptr) *raw = *reply;
  if (!reply->refusal.empty()) return fail("the model refused to answer: " + bounded(reply->refusal, 200));
  if (reply->finish_reason == "length")
    return fail("answer truncated (finish_reason=length): raise llm.max_tokens or shorten the prompt");
  if (reply->finish_reason == "content_filter")
    return fail("the provider's content filter withheld the answer (finish_reason=content_filter)");
  auto value = extract_json(reply->content);
  if (!value) return value;
  if (auto v = validate_json(schema, *value); !v) return tl::unexpected(v.error());
  return value;
}

}  // namespace pscope::llm
