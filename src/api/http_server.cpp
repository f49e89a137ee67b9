// Boost.Beast implementation of HttpServer (see http_server.h). One I/O thread: handlers are
// short (map reads, indexed SQLite queries) and this keeps every session single-threaded.
#include "api/http_server.h"

#include <algorithm>

#include <net/if.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/token.h"
#include "tracer/filter.h"

namespace pscope::api {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace fs = std::filesystem;

namespace {

constexpr const char* kStreamPath = "/api/v1/stream";
constexpr const char* kSubprotocol = "packetscope.v1";
constexpr size_t kMaxQueuedFrames = 256;

struct Shared {
  ServerOptions opts;
  const Router& router;
  StreamHub& hub;
  std::function<nlohmann::json()> hello;
  fs::path web_root;  // canonical
  std::set<std::string> hosts;  // accepted Host header values (DNS-rebinding defence)
};

using StrRequest = http::request<http::string_body>;
using StrResponse = http::response<http::string_body>;

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

void security_headers(StrResponse& res) {
  res.set(http::field::server, "packetscope");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy",
          "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
          "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
}

StrResponse to_beast(const Response& r, const StrRequest& req) {
  StrResponse res{static_cast<http::status>(r.status), req.version()};
  security_headers(res);
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(req.keep_alive());
  res.body() = req.method() == http::verb::head ? std::string() : r.body;
  res.prepare_payload();
  return res;
}

bool bearer_ok(const Shared& sh, const StrRequest& req) {
  auto auth = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() > kBearer.size() && lower(std::string_view(auth.data(), kBearer.size())) == "bearer ")
    return token_equal(std::string_view(auth.data() + kBearer.size(), auth.size() - kBearer.size()),
                       sh.opts.token);
  return false;
}

// Browsers cannot set headers on a WebSocket: the token travels as a subprotocol "bearer.<tok>".
bool subprotocol_token_ok(const Shared& sh, const StrRequest& req) {
  std::string protos(req[http::field::sec_websocket_protocol]);
  std::stringstream ss(protos);
  std::string p;
  while (std::getline(ss, p, ',')) {
    p.erase(0, p.find_first_not_of(' '));
    p.erase(p.find_last_not_of(' ') + 1);
    if (p.rfind("bearer.", 0) == 0 && token_equal(std::string_view(p).substr(7), sh.opts.token)) return true;
  }
  return false;
}

bool origin_ok(const Shared& sh, const StrRequest& req) {
  auto origin = req[http::field::origin];
  if (origin.empty()) return true;  // not a browser: cross-site hijacking needs one
  std::string o(origin);
  for (const auto& h : sh.hosts)
    if (o == "http://" + h || o == "https://" + h) return true;
  for (const auto& a : sh.opts.allowed_origins)
    if (o == a) return true;
  return false;
}

std::string mime_type(const fs::path& p) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".woff2", "font/woff2"},
      {".map", "application/json"},          {".txt", "text/plain; charset=utf-8"}};
  auto it = types.find(p.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

Response serve_static(const Shared& sh, const std::string& path) {
  if (sh.web_root.empty())
    return Response::error(404, "no_ui", "the web UI is not built: run scripts/setup.sh");
  if (path.find('\0') != std::string::npos || path.find("..") != std::string::npos)
    return Response::error(400, "bad_path", "invalid path");
  fs::path rel = path == "/" ? fs::path("index.html") : fs::path(path.substr(1));
  fs::path file = sh.web_root / rel;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    if (rel.has_extension()) return Response::error(404, "not_found", "no file " + path);
    file = sh.web_root / "index.html";  // client-side routes
  }
  fs::path canon = fs::weakly_canonical(file, ec);
  auto root = sh.web_root.string();
  if (ec || canon.string().compare(0, root.size(), root) != 0)
    return Response::error(404, "not_found", "no file " + path);
  std::ifstream in(canon, std::ios::binary);
  if (!in) return Response::error(404, "not_found", "no file " + path);
  Response r;
  r.content_type = mime_type(canon);
  r.body.assign(std::istreambuf_iterator<char>(in), {});
  bool immutable = rel.string().rfind("assets/", 0) == 0;
  r.headers.emplace_back("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

Response handle(const Shared& sh, const StrRequest& breq, const std::string& remote) {
  std::string target(breq.target());
  auto qpos = target.find('?');
  Request req;
  req.method = std::string(breq.method_string());
  req.path = url_decode(std::string_view(target).substr(0, qpos), false);
  if (qpos != std::string::npos) req.query = parse_query(std::string_view(target).substr(qpos + 1));
  req.remote_addr = remote;
  // GET /metrics (Prometheus) is an API route too: same token, sent as Authorization: Bearer.
  if (req.path.rfind("/api/", 0) == 0 || req.path == "/metrics") {
    if (!bearer_ok(sh, breq)) {
      auto r = Response::error(401, "unauthorized",
                               "missing or wrong access token: send 'Authorization: Bearer <token>' "
                               "(the token is in the data dir, file 'token')");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"packetscope\"");
      return r;
    }
    for (const auto& f : breq) req.headers[lower(f.name_string())] = std::string(f.value());
    req.body = breq.body();
    return sh.router.dispatch(req);
  }
  if (breq.method() != http::verb::get && breq.method() != http::verb::head)
    return Response::error(405, "method_not_allowed", "only GET serves the UI");
  return serve_static(sh, req.path);
}

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& s, Shared& sh) : ws_(std::move(s)), sh_(sh) {}
  ~WsSession() {
    if (sub_id_) sh_.hub.unsubscribe(sub_id_);
  }

  void run(StrRequest req) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "packetscope");
      res.set(http::field::sec_websocket_protocol, kSubprotocol);
    }));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    std::weak_ptr<WsSession> weak = shared_from_this();
    auto exec = ws_.get_executor();
    sub_id_ = sh_.hub.subscribe([weak, exec](const Frame& f) {
      net::post(exec, [weak, f] {
        if (auto s = weak.lock()) s->enqueue(f);
      });
    });
    nlohmann::json hello = {{"type", "hello"}, {"data", sh_.hello ? sh_.hello() : nlohmann::json::object()}};
    enqueue(std::make_shared<const std::string>(hello.dump()));
    do_read();
  }

  void enqueue(const Frame& f) {
    if (closed_) return;
    if (queue_.size() >= kMaxQueuedFrames) {
      // Drop the oldest frame that is not being written (index 0 may be in flight).
      queue_.erase(queue_.begin() + (writing_ ? 1 : 0));
      sh_.hub.count_dropped(1);
    }
    queue_.push_back(f);
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->queue_.pop_front();
                      if (ec) {
                        self->closed_ = true;
                        return;
                      }
                      if (!self->queue_.empty()) self->do_write();
                      else self->writing_ = false;
                    });
  }

  void do_read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        if (self->sub_id_) self->sh_.hub.unsubscribe(std::exchange(self->sub_id_, 0));
        return;
      }
      std::string text = beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      self->on_message(text);
      self->do_read();
    });
  }

  // Client requests: {"type":"filter","topic":"tracer.path","expr":"tcp and port 80"} subscribes
  // this client to new packet paths that match ("" = every packet); {"type":"unsubscribe",
  // "topic":"tracer.path"} stops them. Answers: a "filter" frame with the normalised expression,
  // an "unsubscribed" frame, or an "error" frame saying what was wrong.
  void on_message(const std::string& text) {
    auto reply_error = [this](const std::string& code, const std::string& message) {
      nlohmann::json e = {{"type", "error"}, {"data", {{"code", code}, {"message", message}}}};
      enqueue(std::make_shared<const std::string>(e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    };
    auto msg = nlohmann::json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object() || !msg.contains("type") || !msg["type"].is_string())
      return reply_error("bad_request", "stream messages are JSON objects with a string \"type\"");
    const auto type = msg["type"].get<std::string>();
    if (type != "filter" && type != "unsubscribe")
      return reply_error("bad_request", "unknown stream message type; known: filter, unsubscribe");
    if (!msg.contains("topic") || !msg["topic"].is_string() || msg["topic"].get<std::string>() != "tracer.path")
      return reply_error("bad_request", type + ": \"topic\" must be \"tracer.path\"");
    if (type == "unsubscribe") {
      if (sub_id_) sh_.hub.set_path_subscription(sub_id_, false);
      nlohmann::json ok = {{"type", "unsubscribed"}, {"data", {{"topic", "tracer.path"}}}};
      return enqueue(std::make_shared<const std::string>(ok.dump()));
    }
    if (!msg.contains("expr") || !msg["expr"].is_string())
      return reply_error("bad_request", "filter: \"expr\" must be a string (\"\" clears the filter)");
    auto f = tracer::Filter::parse(msg["expr"].get<std::string>(), [](std::string_view name) -> std::optional<uint32_t> {
      unsigned idx = if_nametoindex(std::string(name).c_str());
      return idx ? std::optional<uint32_t>(idx) : std::nullopt;
    });
    if (!f) return reply_error("bad_filter", f.error().what);
    std::shared_ptr<const tracer::Filter> keep;
    if (!f->empty()) keep = std::make_shared<const tracer::Filter>(std::move(*f));
    if (sub_id_) sh_.hub.set_path_subscription(sub_id_, true, keep);
    nlohmann::json ok = {{"type", "filter"},
                         {"data", {{"topic", "tracer.path"}, {"expr", keep ? keep->text() : std::string()}}}};
    enqueue(std::make_shared<const std::string>(ok.dump()));
  }

  websocket::stream<beast::tcp_stream> ws_;
  Shared& sh_;
  beast::flat_buffer buf_;
  std::deque<Frame> queue_;
  bool writing_ = false;
  bool closed_ = false;
  uint64_t sub_id_ = 0;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& s, Shared& sh) : stream_(std::move(s)), sh_(sh) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  void run() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void too_large(size_t limit) {
    StrRequest dummy;
    send(to_beast(Response::error(413, "too_large", "request body over " + std::to_string(limit) + " bytes"), dummy),
         true);
  }

  void do_read() {
    parser_.emplace();
    // Beast checks a Content-Length against this limit while it parses the headers, so the
    // headers are read under the largest limit and on_header() applies the one that holds.
    parser_->body_limit(std::max(sh_.opts.body_limit, sh_.opts.bulk_body_limit));
    parser_->header_limit(16 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read_header(stream_, buf_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
  }

  // The body limit is chosen once the headers are known: larger only for a bulk route, and only
  // when the request already carries the token.
  void on_header(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) return too_large(sh_.opts.bulk_body_limit);
    if (ec) return;
    const StrRequest& req = parser_->get();
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    const auto& bulk = sh_.opts.bulk_paths;
    size_t limit = sh_.opts.body_limit;
    if (std::find(bulk.begin(), bulk.end(), target) != bulk.end() && bearer_ok(sh_, req))
      limit = std::max(limit, sh_.opts.bulk_body_limit);
    if (auto len = parser_->content_length(); len && *len > limit) return too_large(limit);
    limit_ = limit;
    parser_->body_limit(limit);  // enforced while a chunked body is read
    http::async_read(stream_, buf_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) return too_large(limit_);
    if (ec) return;
    StrRequest req = parser_->release();
    std::string host(req[http::field::host]);
    if (!sh_.hosts.count(host))
      return send(to_beast(Response::error(421, "bad_host", "unexpected Host header '" + host + "'"), req));
    std::string target(req.target());
    if (websocket::is_upgrade(req) && target.substr(0, target.find('?')) == kStreamPath) {
      if (!origin_ok(sh_, req))
        return send(to_beast(Response::error(403, "bad_origin", "Origin not allowed on the stream"), req));
      if (!bearer_ok(sh_, req) && !subprotocol_token_ok(sh_, req))
        return send(to_beast(Response::error(401, "unauthorized", "stream needs the access token"), req));
      stream_.expires_never();
      std::make_shared<WsSession>(stream_.release_socket(), sh_)->run(std::move(req));
      return;
    }
    spdlog::debug("http: {} {} from {}", std::string(req.method_string()), target, remote_);
    send(to_beast(handle(sh_, req, remote_), req));
  }

  void send(StrResponse res, bool force_close = false) {
    auto sp = std::make_shared<StrResponse>(std::move(res));
    if (force_close) sp->keep_alive(false);
    http::async_write(stream_, *sp, [self = shared_from_this(), sp](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!sp->keep_alive()) return self->close();
      self->do_read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Shared& sh_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  size_t limit_ = 0;  // the body limit on_header() chose for this request
  std::string remote_;
};

}  // namespace

struct HttpServer::Impl {
  Shared shared;
  // Declared after `shared` so it is destroyed first: pending sessions reference `shared`.
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  uint16_t port = 0;

  Impl(ServerOptions o, const Router& r, StreamHub& h, std::function<nlohmann::json()> hello)
      : shared{std::move(o), r, h, std::move(hello), {}, {}} {}

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) {
        if (ec != net::error::operation_aborted) spdlog::warn("http: accept: {}", ec.message());
        if (!acceptor.is_open()) return;
      } else {
        std::make_shared<HttpSession>(std::move(s), shared)->run();
      }
      do_accept();
    });
  }
};

HttpServer::HttpServer(ServerOptions opts, const Router& router, StreamHub& hub,
                       std::function<nlohmann::json()> hello)
    : impl_(std::make_unique<Impl>(std::move(opts), router, hub, std::move(hello))) {}

HttpServer::~HttpServer() { stop(); }

Result<void> HttpServer::start() {
  auto& im = *impl_;
  if (!im.shared.opts.web_root.empty()) {
    std::error_code ec;
    im.shared.web_root = fs::canonical(im.shared.opts.web_root, ec);
    if (ec || !fs::is_regular_file(im.shared.web_root / "index.html"))
      return fail("web root " + im.shared.opts.web_root + " has no index.html: build the UI (scripts/setup.sh)");
  }
  beast::error_code ec;
  auto addr = net::ip::make_address(im.shared.opts.host, ec);
  if (ec) return fail("listen address " + im.shared.opts.host + ": " + ec.message());
  tcp::endpoint ep(addr, im.shared.opts.port);
  im.acceptor.open(ep.protocol(), ec);
  if (!ec) im.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(ep, ec);
  if (!ec) im.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("listen on " + im.shared.opts.host + ":" + std::to_string(im.shared.opts.port) + ": " +
                ec.message() + (ec == net::error::address_in_use ? " (another packetscope running? use --listen)" : ""));
  im.port = im.acceptor.local_endpoint().port();
  std::string p = std::to_string(im.port);
  const auto& host = im.shared.opts.host;
  for (const std::string& h : {std::string("127.0.0.1"), std::string("localhost"), std::string("[::1]"),
                               host.find(':') != std::string::npos ? "[" + host + "]" : host})
    im.shared.hosts.insert(h + ":" + p);
  im.do_accept();
  im.thread = std::thread([&im] {
    try {
      im.ioc.run();
    } catch (const std::exception& e) {
      spdlog::error("http: I/O thread stopped: {}", e.what());
    }
  });
  return {};
}

uint16_t HttpServer::port() const noexcept { return impl_->port; }

void HttpServer::stop() noexcept {
  auto& im = *impl_;
  if (!im.thread.joinable()) return;
  net::post(im.ioc, [&im] {
    beast::error_code ec;
    im.acceptor.close(ec);
  });
  im.ioc.stop();
  im.thread.join();
}

}  // namespace pscope::api
