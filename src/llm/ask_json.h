// One schema-constrained question to a model: send, extract the JSON answer, validate it.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "llm/chat_client.h"

namespace pscope::llm {

// Asks `client` with a system and a user message and response_format json_schema = `schema`
// (which must pass check_schema). Returns the answer object only if it parses and validates;
// otherwise one precise reason: "malformed JSON at byte N: ...", "missing required 'rules'",
// "rules[2].action: ... is not one of [...]", "answer truncated (finish_reason=length) ...".
// `raw`, when given, receives the model's reply (content, tokens, attempts) whenever one arrived,
// for the transcript summary, even if the answer was refused.
Result<nlohmann::json> ask_json(ChatClient& client, std::string_view system, std::string_view user,
                                const nlohmann::json& schema, ChatResponse* raw = nullptr);

// The JSON value in a reply: the whole text, or the body of a ``` / ```json fence. Byte offsets
// in errors count from the start of `content`.
Result<nlohmann::json> extract_json(std::string_view content);

}  // namespace pscope::llm
