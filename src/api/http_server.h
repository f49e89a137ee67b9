// The HTTP + WebSocket server (Boost.Beast behind a pimpl: the only translation unit that pays
// Beast's compile time). Serves /api/v1/* through the Router with bearer-token auth, the live
// stream on /api/v1/stream (WebSocket, Origin-checked), and the built web UI as static files.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/http.h"
#include "api/stream_hub.h"
#include "core/result.h"

namespace pscope::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9470;  // 0: pick a free port (tests)
  std::string web_root;  // directory with index.html; empty: no UI
  std::string token;
  std::vector<std::string> allowed_origins;
  size_t body_limit = 1 << 20;
  // Routes (exact paths) that may take up to bulk_body_limit, e.g. a rule import: only from a
  // caller whose headers already carry the token, so an anonymous client can never make the
  // server buffer more than body_limit.
  std::vector<std::string> bulk_paths;
  size_t bulk_body_limit = 64 << 20;
};

class HttpServer {
 public:
  // hello() is sent as the first frame of every stream connection.
  HttpServer(ServerOptions opts, const Router& router, StreamHub& hub,
             std::function<nlohmann::json()> hello);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Result<void> start();  // binds and starts the I/O thread
  uint16_t port() const noexcept;
  void stop() noexcept;  // closes the listener and every connection

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pscope::api
