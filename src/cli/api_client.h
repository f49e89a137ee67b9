// A small client of the running daemon's API (libcurl), for CLI commands that change daemon
// state: the base URL comes from --api or the config's listen address, the bearer token from
// <data_dir>/token. Errors say whether the daemon is down or the token unreadable.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/result.h"

namespace pscope::cli {

struct ApiResponse {
  long status = 0;
  std::string body;
  // The body as JSON (discarded when it is not JSON, e.g. a 204).
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  // "message" of an error answer, or the status line when the body has none.
  std::string error_message() const;
};

// Error::code of a call that never reached the daemon (connection refused, timeout).
inline constexpr int kUnreachable = -111;  // -ECONNREFUSED

// "http://127.0.0.1:9470" from the listen address; a wildcard listen address means loopback.
std::string default_api_url(const Config& cfg);
// Reads <data_dir>/token; the error names the file and what to do (root, --data-dir).
Result<std::string> read_token(const std::string& data_dir);

class ApiClient {
 public:
  ApiClient(std::string base_url, std::string token) : base_(std::move(base_url)), token_(std::move(token)) {}
  // One request with the token; body sent as JSON when not empty. A transport failure is an
  // error (code kUnreachable when nothing answered); any HTTP status is a response.
  Result<ApiResponse> call(const std::string& method, const std::string& path, const std::string& body = "") const;
  const std::string& base_url() const { return base_; }

 private:
  std::string base_;
  std::string token_;
};

}  // namespace pscope::cli
