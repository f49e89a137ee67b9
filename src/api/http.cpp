// Route matching, query parsing and response helpers (see http.h).
#include "api/http.h"

#include <charconv>

namespace pscope::api {
namespace {

std::vector<std::string> split_path(std::string_view p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.emplace_back(p.substr(i, j - i));
    i = j;
  }
  return out;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= q.size() && !q.empty()) {
    size_t j = q.find('&', i);
    if (j == std::string_view::npos) j = q.size();
    auto part = q.substr(i, j - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string k = url_decode(part.substr(0, eq), true);
      std::string v = eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1), true);
      out.emplace(std::move(k), std::move(v));  // first occurrence wins
    }
    if (j == q.size()) break;
    i = j + 1;
  }
  return out;
}

std::optional<std::string> Request::q(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Result<int64_t> Request::q_int(const std::string& name, int64_t def, int64_t lo, int64_t hi) const {
  auto v = q(name);
  if (!v) return def;
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || p != v->data() + v->size() || x < lo || x > hi)
    return fail("query parameter '" + name + "' must be a whole number from " + std::to_string(lo) +
                " to " + std::to_string(hi));
  return x;
}

Response Response::json(int status, const nlohmann::json& j) {
  Response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::error(int status, const std::string& code, const std::string& message) {
  return json(status, {{"error", {{"code", code}, {"message", message}}}});
}

void Router::add(std::string method, std::string pattern, Handler h) {
  routes_.push_back({std::move(method), split_path(pattern), std::move(h)});
}

Response Router::dispatch(Request& req) const {
  auto segs = split_path(req.path);
  std::string allow;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t i = 0; i < segs.size() && match; ++i) {
      const auto& s = r.segments[i];
      if (s.size() > 2 && s.front() == '{' && s.back() == '}')
        params[s.substr(1, s.size() - 2)] = segs[i];
      else
        match = s == segs[i];
    }
    if (!match) continue;
    if (r.method != req.method) {
      allow += (allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    req.params = std::move(params);
    try {
      return r.handler(req);
    } catch (const std::exception& e) {
      return Response::error(500, "internal", std::string("internal error: ") + e.what());
    }
  }
  if (!allow.empty()) {
    auto resp = Response::error(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  return Response::error(404, "not_found", "no API route " + req.path);
}

}  // namespace pscope::api
