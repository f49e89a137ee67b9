// LlmConfig validation and API key loading (see config.h).
#include "llm/config.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace pscope::llm {
namespace {

constexpr size_t kMaxKeyBytes = 4096;

bool printable_no_space(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

Result<void> check_url(const std::string& url) {
  if (url.empty()) return fail("llm.base_url is empty: set it, e.g. https://api.openai.com/v1");
  if (url.size() > 2048) return fail("llm.base_url is longer than 2048 characters");
  if (!printable_no_space(url)) return fail("llm.base_url contains spaces or control characters");
  std::string_view rest;
  if (url.starts_with("http://"))
    rest = std::string_view(url).substr(7);
  else if (url.starts_with("https://"))
    rest = std::string_view(url).substr(8);
  else
    return fail(fmt::format("llm.base_url '{}' must start with http:// or https://", url));
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return fail(fmt::format("llm.base_url '{}' has no host", url));
  // Credentials in the URL would end up in logs and error messages: keys go in a file or env var.
  if (authority.find('@') != std::string_view::npos)
    return fail("llm.base_url must not contain user:password@; put the key in llm.api_key_file or llm.api_key_env");
  if (url.find_first_of("?#") != std::string::npos)
    return fail(fmt::format("llm.base_url '{}' must not contain a query or fragment", url));
  return {};
}

Result<void> check_env_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '_');
  if (!ok) return fail(fmt::format("llm.api_key_env '{}' is not a valid environment variable name", name));
  return {};
}

template <class T>
Result<void> in_range(const char* field, T v, T lo, T hi, const char* unit = "") {
  if (v < lo || v > hi) return fail(fmt::format("llm.{} = {}{} is outside [{}, {}]{}", field, v, unit, lo, hi, unit));
  return {};
}

Result<std::string> check_key(std::string key, const std::string& where) {
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ' || key.back() == '\t'))
    key.pop_back();
  if (key.empty()) return fail(where + " holds no API key");
  if (key.size() > kMaxKeyBytes) return fail(fmt::format("{} holds more than {} bytes: not an API key", where, kMaxKeyBytes));
  // A newline or control byte would let the key inject HTTP headers.
  if (!printable_no_space(key)) return fail(where + " holds spaces, control or non-ASCII characters: not an API key");
  return key;
}

}  // namespace

Result<void> validate(const LlmConfig& c) {
  if (auto r = check_url(c.base_url); !r) return r;
  if (c.model.empty()) return fail("llm.model is empty: name the model, e.g. deepseek-chat");
  if (c.model.size() > 256 || !printable_no_space(c.model))
    return fail("llm.model must be up to 256 printable characters without spaces");
  if (!c.api_key_file.empty() && !c.api_key_env.empty())
    return fail("set only one of llm.api_key_file and llm.api_key_env");
  if (!c.api_key_env.empty())
    if (auto r = check_env_name(c.api_key_env); !r) return r;
  using ms = std::chrono::milliseconds;
  if (auto r = in_range("timeout_ms", c.timeout.count(), ms{100}.count(), ms{600'000}.count()); !r) return r;
  if (auto r = in_range("deadline_ms", c.deadline.count(), c.timeout.count(), ms{3'600'000}.count()); !r)
    return fail(r.error().what + " (it must be at least llm.timeout_ms)");
  if (auto r = in_range("max_retries", c.max_retries, 0, 10); !r) return r;
  if (auto r = in_range("backoff_ms", c.backoff.count(), ms{0}.count(), ms{60'000}.count()); !r) return r;
  if (auto r = in_range("max_tokens", c.max_tokens, 1, 131'072); !r) return r;
  if (auto r = in_range("max_prompt_bytes", c.max_prompt_bytes, size_t{256}, size_t{16} << 20); !r) return r;
  if (auto r = in_range("max_response_bytes", c.max_response_bytes, size_t{4096}, size_t{64} << 20); !r) return r;
  if (!(c.temperature >= 0.0 && c.temperature <= 2.0))  // also refuses NaN
    return fail(fmt::format("llm.temperature = {} is outside [0, 2]", c.temperature));
  return {};
}

Result<std::string> load_api_key(const LlmConfig& c) {
  if (!c.api_key_env.empty()) {
    const char* v = std::getenv(c.api_key_env.c_str());
    std::string where = "environment variable " + c.api_key_env;
    if (v == nullptr) return fail(where + " is not set");
    return check_key(v, where);
  }
  if (c.api_key_file.empty()) return std::string();
  std::ifstream in(c.api_key_file, std::ios::binary);
  if (!in) return errno_error("cannot read llm.api_key_file " + c.api_key_file);
  std::string key(kMaxKeyBytes + 2, '\0');
  in.read(key.data(), static_cast<std::streamsize>(key.size()));
  key.resize(static_cast<size_t>(in.gcount()));
  return check_key(std::move(key), "llm.api_key_file " + c.api_key_file);
}

}  // namespace pscope::llm
