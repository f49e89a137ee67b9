// Settings of an OpenAI-compatible chat-completions backend, their validation and the API key
// loader. The key itself is never a config value: only where to read it (a file or an env var).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/result.h"

namespace pscope::llm {

struct LlmConfig {
  std::string base_url;      // e.g. https://api.deepseek.com/v1 ; "/chat/completions" is appended
  std::string model;         // e.g. deepseek-chat, gpt-4o-mini, llama3.1:8b
  std::string api_key_file;  // path of a file holding the key, or
  std::string api_key_env;   // name of an environment variable holding it; neither = no key (local servers)
  std::chrono::milliseconds timeout{30'000};   // one attempt, connect included
  std::chrono::milliseconds deadline{90'000};  // all attempts and back-off sleeps together
  int max_retries = 2;                         // attempts = 1 + max_retries
  std::chrono::milliseconds backoff{1'000};    // first back-off; doubles per retry (capped)
  int max_tokens = 1024;                       // the answer's budget, sent as max_tokens
  size_t max_prompt_bytes = 64 * 1024;         // refuse larger prompts before sending anything
  size_t max_response_bytes = 1 << 20;         // a larger HTTP body is an error, not truncated
  double temperature = 0.0;
};

// Checks every field; the error names the field, the bad value (never a secret) and the bound.
Result<void> validate(const LlmConfig& cfg);

// Reads the key from cfg.api_key_file or the variable cfg.api_key_env. Returns "" when neither is
// set. The key must be one line of printable ASCII (it goes into an HTTP header); errors name the
// file or variable, never its content.
Result<std::string> load_api_key(const LlmConfig& cfg);

}  // namespace pscope::llm
