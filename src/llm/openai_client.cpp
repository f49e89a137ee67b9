// OpenAiChatClient (see openai_client.h): one libcurl easy handle per attempt, classification of
// each failure as retryable or not, and parsing of the chat-completions envelope.
#include "llm/openai_client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "core/version.h"

namespace pscope::llm {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr milliseconds kMaxRetryAfter{10'000};  // a longer Retry-After means "not now": give up
constexpr milliseconds kMaxBackoff{30'000};

struct CurlFree {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

struct Sink {
  std::string body;
  size_t cap = 0;
  bool oversize = false;
  std::optional<milliseconds> retry_after;
};

size_t on_body(char* p, size_t size, size_t n, void* ud) {
  auto* s = static_cast<Sink*>(ud);
  if (s->body.size() + size * n > s->cap) {
    s->oversize = true;
    return 0;  // curl fails the transfer with CURLE_WRITE_ERROR
  }
  s->body.append(p, size * n);
  return size * n;
}

// Only the delta-seconds form of Retry-After; an HTTP-date falls back to our own back-off.
size_t on_header(char* p, size_t size, size_t n, void* ud) {
  std::string_view line(p, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    std::string v(line.substr(kName.size()));
    char* end = nullptr;
    long secs = std::strtol(v.c_str(), &end, 10);
    if (end != v.c_str() && secs >= 0 && secs < 86'400)
      static_cast<Sink*>(ud)->retry_after = milliseconds(secs * 1000);
  }
  return size * n;
}

bool transient(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// The server's own words about an error, bounded and stripped of control bytes.
std::string server_message(const std::string& body) {
  std::string msg;
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) msg = e["message"];
    else if (e.is_string()) msg = e;
  }
  if (msg.empty() && !j.is_discarded()) msg = j.dump();
  if (msg.empty()) msg = body;
  if (msg.size() > 200) msg = msg.substr(0, 200) + "...";
  for (char& c : msg)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return msg;
}

std::string no_proxy_list() {
  std::string list = "127.0.0.1,localhost,::1";  // a local model server is never behind a proxy
  for (const char* name : {"no_proxy", "NO_PROXY"})
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return list + "," + v;
  return list;
}

bool valid_schema_name(const std::string& n) {
  return !n.empty() && n.size() <= 64 &&
         std::all_of(n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

Result<ChatResponse> parse_envelope(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("the endpoint answered HTTP 200 with a body that is not a JSON object");
  if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty() || !j["choices"][0].is_object())
    return fail("the endpoint's answer has no choices[0]: is base_url an OpenAI-compatible /v1 endpoint?");
  const json& c = j["choices"][0];
  ChatResponse r;
  if (c.contains("finish_reason") && c["finish_reason"].is_string()) r.finish_reason = c["finish_reason"];
  if (!c.contains("message") || !c["message"].is_object()) return fail("the endpoint's answer has no choices[0].message");
  const json& m = c["message"];
  if (m.contains("content") && m["content"].is_string()) r.content = m["content"];
  if (m.contains("refusal") && m["refusal"].is_string()) r.refusal = m["refusal"];
  if (j.contains("usage") && j["usage"].is_object() && j["usage"].contains("total_tokens") &&
      j["usage"]["total_tokens"].is_number_integer())
    r.total_tokens = j["usage"]["total_tokens"];
  return r;
}

}  // namespace

struct OpenAiChatClient::Attempt {
  enum class Kind { kOk, kRetry, kFatal } kind = Kind::kFatal;
  std::string body;
  std::string error;
  std::optional<milliseconds> retry_after;
};

OpenAiChatClient::OpenAiChatClient(LlmConfig cfg, std::string key) : cfg_(std::move(cfg)), key_(std::move(key)) {
  std::string base = cfg_.base_url;
  while (base.ends_with('/')) base.pop_back();
  endpoint_ = base + "/chat/completions";
}

Result<std::unique_ptr<OpenAiChatClient>> OpenAiChatClient::create(const LlmConfig& cfg) {
  if (auto v = validate(cfg); !v) return tl::unexpected(v.error());
  auto key = load_api_key(cfg);
  if (!key) return tl::unexpected(key.error());
  static const bool inited = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!inited) return fail("libcurl could not be initialised");
  return std::unique_ptr<OpenAiChatClient>(new OpenAiChatClient(cfg, std::move(*key)));
}

std::string OpenAiChatClient::redact(std::string text) const {
  if (key_.empty()) return text;
  for (size_t at = text.find(key_); at != std::string::npos; at = text.find(key_, at))
    text.replace(at, key_.size(), "[redacted]");
  return text;
}

OpenAiChatClient::Attempt OpenAiChatClient::perform(const std::string& body, long timeout_ms) const {
  using K = Attempt::Kind;
  std::unique_ptr<CURL, CurlFree> c(curl_easy_init());
  if (!c) return {K::kFatal, {}, "libcurl could not create a handle", {}};
  curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
  raw = curl_slist_append(raw, "Accept: application/json");
  raw = curl_slist_append(raw, "Expect:");  // no 100-continue round trip
  if (!key_.empty()) raw = curl_slist_append(raw, ("Authorization: Bearer " + key_).c_str());
  std::unique_ptr<curl_slist, CurlFree> headers(raw);
  Sink sink;
  sink.cap = cfg_.max_response_bytes;
  std::string agent = std::string("packetscope/") + kVersion;
  std::string no_proxy = no_proxy_list();
  CURL* h = c.get();
  curl_easy_setopt(h, CURLOPT_URL, endpoint_.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect must not carry the key elsewhere
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);        // called from daemon threads
  curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy.c_str());
  curl_easy_setopt(h, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(cfg_.max_response_bytes));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  CURLcode rc = curl_easy_perform(h);
  if (sink.oversize || rc == CURLE_FILESIZE_EXCEEDED)
    return {K::kFatal, {}, fmt::format("the answer from {} is larger than llm.max_response_bytes ({} bytes)",
                                       endpoint_, cfg_.max_response_bytes), {}};
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return {K::kRetry, {}, fmt::format("no answer from {} within {} ms (llm.timeout_ms)", endpoint_, timeout_ms), {}};
  if (rc != CURLE_OK)
    return {transient(rc) ? K::kRetry : K::kFatal, {},
            fmt::format("request to {} failed: {}", endpoint_, curl_easy_strerror(rc)), {}};
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {K::kOk, std::move(sink.body), {}, {}};
  if (status == 401 || status == 403)
    return {K::kFatal, {}, fmt::format("{} refused the API key (HTTP {}): check llm.api_key_file or llm.api_key_env",
                                       endpoint_, status), {}};
  std::string what = fmt::format("HTTP {} from {}: {}", status, endpoint_, server_message(sink.body));
  bool retry = status == 429 || status >= 500;
  return {retry ? K::kRetry : K::kFatal, {}, std::move(what), retry ? sink.retry_after : std::nullopt};
}

Result<ChatResponse> OpenAiChatClient::complete(const ChatRequest& req) {
  if (!valid_schema_name(req.schema_name)) return fail("the response schema name must match [A-Za-z0-9_-]{1,64}");
  size_t prompt_bytes = 0;
  json messages = json::array();
  for (const auto& m : req.messages) {
    prompt_bytes += m.content.size();
    messages.push_back({{"role", m.role}, {"content", m.content}});
  }
  if (prompt_bytes > cfg_.max_prompt_bytes)
    return fail(fmt::format("the prompt is {} bytes, over llm.max_prompt_bytes ({}): nothing was sent", prompt_bytes,
                            cfg_.max_prompt_bytes));
  json body = {{"model", cfg_.model}, {"messages", std::move(messages)}, {"max_tokens", cfg_.max_tokens},
               {"temperature", cfg_.temperature}};
  if (req.schema)
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema", {{"name", req.schema_name}, {"schema", *req.schema}, {"strict", true}}}};
  // Prompts may quote packet bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
  const std::string wire = body.dump(-1, ' ', false, json::error_handler_t::replace);

  const auto end = Clock::now() + cfg_.deadline;
  for (int attempt = 1;; ++attempt) {
    auto left = std::chrono::duration_cast<milliseconds>(end - Clock::now());
    if (left.count() <= 0) return fail(fmt::format("llm.deadline_ms ({} ms) passed after {} attempts", cfg_.deadline.count(), attempt - 1));
    Attempt a = perform(wire, std::min(cfg_.timeout, left).count());
    if (a.kind == Attempt::Kind::kOk) {
      auto r = parse_envelope(a.body);
      if (!r) return r;
      r->attempts = attempt;
      // A server or model that echoes the key must not carry it into errors built from the answer.
      r->content = redact(std::move(r->content));
      r->refusal = redact(std::move(r->refusal));
      return r;
    }
    std::string why = redact(std::move(a.error));
    if (a.kind == Attempt::Kind::kFatal) return fail(attempt == 1 ? why : fmt::format("{} (attempt {})", why, attempt));
    if (attempt > cfg_.max_retries) return fail(fmt::format("{} (gave up after {} attempt{})", why, attempt, attempt == 1 ? "" : "s"));
    milliseconds wait = std::min(kMaxBackoff, milliseconds(cfg_.backoff.count() << std::min(attempt - 1, 20)));
    if (a.retry_after) {
      if (*a.retry_after > kMaxRetryAfter)
        return fail(fmt::format("{}; the server asks to retry after {} s, longer than the {} s we wait", why,
                                a.retry_after->count() / 1000, kMaxRetryAfter.count() / 1000));
      wait = *a.retry_after;
    }
    if (Clock::now() + wait >= end)
      return fail(fmt::format("{}; no time left for a retry within llm.deadline_ms ({} ms) after {} attempts", why,
                              cfg_.deadline.count(), attempt));
    spdlog::warn("llm: attempt {} failed: {}; retrying in {} ms", attempt, why, wait.count());
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace pscope::llm
