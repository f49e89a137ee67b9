// ChatClient over HTTP(S) for any OpenAI-compatible /chat/completions endpoint (OpenAI,
// DeepSeek, vLLM, Ollama, llama.cpp server), with retries, a total deadline and a body cap.
#pragma once

#include <memory>
#include <string>

#include "llm/chat_client.h"
#include "llm/config.h"

namespace pscope::llm {

class OpenAiChatClient final : public ChatClient {
 public:
  // Validates cfg and loads the key (see load_api_key).
  static Result<std::unique_ptr<OpenAiChatClient>> create(const LlmConfig& cfg);

  // Retries connect errors, timeouts, HTTP 429 and 5xx with exponential back-off (Retry-After
  // honoured up to kMaxRetryAfter); never other 4xx. Stops at cfg.deadline.
  Result<ChatResponse> complete(const ChatRequest& req) override;

  const LlmConfig& config() const noexcept { return cfg_; }

 private:
  OpenAiChatClient(LlmConfig cfg, std::string key);
  struct Attempt;
  Attempt perform(const std::string& body, long timeout_ms) const;
  std::string redact(std::string text) const;

  LlmConfig cfg_;
  std::string endpoint_;
  std::string key_;  // never copied into messages: every error passes through redact()
};

}  // namespace pscope::llm
