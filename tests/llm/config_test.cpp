// LlmConfig validation and API key loading: every bound refused with a sentence naming the field,
// and key errors that name the source but never the key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "llm/config.h"

using namespace pscope::llm;
using namespace std::chrono_literals;

namespace {

LlmConfig good() {
  LlmConfig c;
  c.base_url = "https://api.deepseek.com/v1";
  c.model = "deepseek-chat";
  return c;
}

std::string why(LlmConfig c) {
  auto r = validate(c);
  return r ? "ok" : r.error().what;
}

struct TempFile {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("ps_llm_key_" + std::to_string(::getpid()));
  explicit TempFile(const std::string& content) { std::ofstream(path, std::ios::binary) << content; }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST(LlmConfig, AcceptsSaneSettings) {
  EXPECT_EQ(why(good()), "ok");
  auto c = good();
  c.base_url = "http://127.0.0.1:11434/v1/";
  c.model = "llama3.1:8b";
  c.api_key_env = "OPENAI_API_KEY";
  EXPECT_EQ(why(c), "ok");
}

TEST(LlmConfig, RefusesBadValuesWithTheFieldName) {
  auto with = [](auto edit) { auto c = good(); edit(c); return why(c); };
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = ""; }), "llm.base_url is empty: set it, e.g. https://api.openai.com/v1");
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = "ftp://x/v1"; }), "llm.base_url 'ftp://x/v1' must start with http:// or https://");
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = "file:///etc/passwd"; }),
            "llm.base_url 'file:///etc/passwd' must start with http:// or https://");
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = "https:///v1"; }), "llm.base_url 'https:///v1' has no host");
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = "https://u:sk-secret@api.x/v1"; }),
            "llm.base_url must not contain user:password@; put the key in llm.api_key_file or llm.api_key_env");
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = "https://api.x/v1?key=1"; }),
            "llm.base_url 'https://api.x/v1?key=1' must not contain a query or fragment");
  EXPECT_EQ(with([](LlmConfig& c) { c.base_url = "https://api.x/v1\r\nX: y"; }),
            "llm.base_url contains spaces or control characters");
  EXPECT_EQ(with([](LlmConfig& c) { c.model = ""; }), "llm.model is empty: name the model, e.g. deepseek-chat");
  EXPECT_EQ(with([](LlmConfig& c) { c.api_key_env = "K"; c.api_key_file = "/k"; }),
            "set only one of llm.api_key_file and llm.api_key_env");
  EXPECT_EQ(with([](LlmConfig& c) { c.api_key_env = "1BAD-NAME"; }),
            "llm.api_key_env '1BAD-NAME' is not a valid environment variable name");
  EXPECT_EQ(with([](LlmConfig& c) { c.timeout = 10ms; }), "llm.timeout_ms = 10 is outside [100, 600000]");
  EXPECT_EQ(with([](LlmConfig& c) { c.timeout = 5000ms; c.deadline = 1000ms; }),
            "llm.deadline_ms = 1000 is outside [5000, 3600000] (it must be at least llm.timeout_ms)");
  EXPECT_EQ(with([](LlmConfig& c) { c.max_retries = 11; }), "llm.max_retries = 11 is outside [0, 10]");
  EXPECT_EQ(with([](LlmConfig& c) { c.backoff = -1ms; }), "llm.backoff_ms = -1 is outside [0, 60000]");
  EXPECT_EQ(with([](LlmConfig& c) { c.max_tokens = 0; }), "llm.max_tokens = 0 is outside [1, 131072]");
  EXPECT_EQ(with([](LlmConfig& c) { c.max_prompt_bytes = 10; }), "llm.max_prompt_bytes = 10 is outside [256, 16777216]");
  EXPECT_EQ(with([](LlmConfig& c) { c.max_response_bytes = 100; }),
            "llm.max_response_bytes = 100 is outside [4096, 67108864]");
  EXPECT_EQ(with([](LlmConfig& c) { c.temperature = 3; }), "llm.temperature = 3 is outside [0, 2]");
}

TEST(LlmConfig, LoadsTheKeyFromAFileOrAnEnvVar) {
  auto c = good();
  EXPECT_EQ(load_api_key(c).value(), "");  // no key: a local server
  TempFile f("sk-from-file-123\n");
  c.api_key_file = f.path.string();
  EXPECT_EQ(load_api_key(c).value(), "sk-from-file-123");
  c.api_key_file.clear();
  c.api_key_env = "PS_LLM_TEST_ENV_KEY";
  ::setenv("PS_LLM_TEST_ENV_KEY", "sk-from-env-456", 1);
  EXPECT_EQ(load_api_key(c).value(), "sk-from-env-456");
  ::unsetenv("PS_LLM_TEST_ENV_KEY");
  EXPECT_EQ(load_api_key(c).error().what, "environment variable PS_LLM_TEST_ENV_KEY is not set");
}

TEST(LlmConfig, KeyErrorsNeverQuoteTheKey) {
  auto c = good();
  c.api_key_file = "/nonexistent/ps-key";
  EXPECT_EQ(load_api_key(c).error().what, "cannot read llm.api_key_file /nonexistent/ps-key: No such file or directory");
  for (const std::string& bad : std::vector<std::string>{"sk-SECRET-1\nInjected: header", "sk-SECRET 2",
                                                         std::string(5000, 'S'), "\n\n"}) {
    TempFile f(bad);
    c.api_key_file = f.path.string();
    auto r = load_api_key(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what.find("SECRET"), std::string::npos) << r.error().what;
    EXPECT_EQ(r.error().what.find("SSSS"), std::string::npos);
    EXPECT_NE(r.error().what.find(f.path.string()), std::string::npos);
  }
}
