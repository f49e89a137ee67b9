// The chat-completions interface the analyst talks to. OpenAiChatClient is the real backend;
// tests and the offline analyst can supply their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pscope::llm {

struct ChatMessage {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  // When set, sent as response_format {"type":"json_schema", "json_schema":{name, schema, strict:true}}.
  std::optional<nlohmann::json> schema;
  std::string schema_name = "answer";  // [A-Za-z0-9_-]{1,64}, as the OpenAI API requires
};

struct ChatResponse {
  std::string content;        // choices[0].message.content
  std::string finish_reason;  // "stop", "length", "content_filter", ... ("" if absent)
  std::string refusal;        // choices[0].message.refusal (structured-output refusals)
  int64_t total_tokens = -1;  // usage.total_tokens; -1 when the server did not say
  int attempts = 0;           // HTTP attempts made, retries included
};

class ChatClient {
 public:
  virtual ~ChatClient() = default;
  // One completion. Errors are sentences for the operator; they never contain the API key.
  virtual Result<ChatResponse> complete(const ChatRequest& req) = 0;
};

}  // namespace pscope::llm
