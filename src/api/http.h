// Library-free HTTP types and the route table. Handlers are pure functions
// Response(const Request&); the server (http_server.cpp) is the only code that knows Beast.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pscope::api {

struct Request {
  std::string method;  // GET, POST, ...
  std::string path;    // decoded path without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::map<std::string, std::string> params;   // {name} captures of the matched route
  std::string body;
  std::string remote_addr;

  std::optional<std::string> q(const std::string& name) const;
  // Integer query parameter in [lo, hi]; absent -> def; malformed -> error naming it.
  Result<int64_t> q_int(const std::string& name, int64_t def, int64_t lo, int64_t hi) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, const nlohmann::json& j);
  static Response ok(const nlohmann::json& j) { return json(200, j); }
  // Every error has one shape: {"error":{"code":"...","message":"..."}}.
  static Response error(int status, const std::string& code, const std::string& message);
};

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // pattern: "/api/v1/tracer/drops" or with captures "/api/v1/packets/{id}".
  void add(std::string method, std::string pattern, Handler h);
  // 404 for an unknown path, 405 (with Allow) for a known path and another method.
  Response dispatch(Request& req) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

std::string url_decode(std::string_view s, bool plus_is_space);
std::map<std::string, std::string> parse_query(std::string_view q);

}  // namespace pscope::api
