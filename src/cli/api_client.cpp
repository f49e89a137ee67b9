// ApiClient (see api_client.h).
#include "cli/api_client.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/version.h"

namespace pscope::cli {
namespace {

size_t collect(char* p, size_t size, size_t n, void* ud) {
  auto* s = static_cast<std::string*>(ud);
  constexpr size_t kMaxBody = 256u << 20;  // an export of the most rules fits easily
  if (s->size() + size * n > kMaxBody) return 0;  // curl fails the transfer
  s->append(p, size * n);
  return size * n;
}

struct CurlFree {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

}  // namespace

std::string ApiResponse::error_message() const {
  auto j = json();
  if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("message") &&
      j["error"]["message"].is_string())
    return j["error"]["message"].get<std::string>();
  return "the daemon answered HTTP " + std::to_string(status);
}

std::string default_api_url(const Config& cfg) {
  std::string host = cfg.listen_host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(cfg.listen_port);
}

Result<std::string> read_token(const std::string& data_dir) {
  std::string path = data_dir + "/token";
  std::ifstream in(path);
  if (!in) {
    int e = errno;
    std::string why = e == EACCES ? "permission denied: run as root (the data dir is 0700)"
                      : e == ENOENT ? "no such file: has the daemon ever run with this data dir? (--data-dir)"
                                    : std::strerror(e);
    return fail("cannot read the API token " + path + ": " + why);
  }
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty() || token.size() > 256) return fail("the API token file " + path + " holds no usable token");
  return token;
}

Result<ApiResponse> ApiClient::call(const std::string& method, const std::string& path, const std::string& body) const {
  static const bool inited = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!inited) return fail("libcurl could not be initialised");
  std::unique_ptr<CURL, CurlFree> c(curl_easy_init());
  if (!c) return fail("libcurl could not create a handle");
  curl_slist* raw = nullptr;
  raw = curl_slist_append(raw, ("Authorization: Bearer " + token_).c_str());
  if (!body.empty()) raw = curl_slist_append(raw, "Content-Type: application/json");
  std::unique_ptr<curl_slist, CurlFree> headers(raw);
  ApiResponse r;
  std::string url = base_ + path;
  std::string agent = std::string("packetscope-cli/") + kVersion;
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c.get(), CURLOPT_NOPROXY, "*");  // the daemon is local; a proxy would only leak the token
  if (!body.empty()) {
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 120L);  // a 100 000-rule import compiles for a while
  CURLcode rc = curl_easy_perform(c.get());
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_RESOLVE_HOST)
    return tl::unexpected(Error{kUnreachable, "the daemon is not running at " + base_ + " (" + curl_easy_strerror(rc) +
                                                  "): start it with `packetscope serve`, or pass --api URL"});
  if (rc != CURLE_OK) return fail("request to " + url + " failed: " + curl_easy_strerror(rc));
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

}  // namespace pscope::cli
