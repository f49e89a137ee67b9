// FakeOpenAiServer (see fake_openai_server.h). One connection at a time is enough: the client
// under test is sequential.
#include "fake_openai_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pscope::llm::testing {
namespace {

int bind_loopback(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind failed");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);  // the client may have gone
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

FakeOpenAiServer::FakeOpenAiServer() {
  listen_fd_ = bind_loopback(&port_);
  if (::listen(listen_fd_, 16) != 0) throw std::runtime_error("listen failed");
  thread_ = std::thread([this] { run(); });
}

FakeOpenAiServer::~FakeOpenAiServer() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

void FakeOpenAiServer::push(ScriptedResponse r) {
  std::lock_guard lock(mu_);
  script_.push_back(std::move(r));
}

std::vector<ReceivedRequest> FakeOpenAiServer::requests() const {
  std::lock_guard lock(mu_);
  return received_;
}

std::string FakeOpenAiServer::chat_body(const std::string& content, const std::string& finish_reason,
                                        int total_tokens) {
  nlohmann::json j = {
      {"id", "chatcmpl-test"}, {"object", "chat.completion"}, {"created", 1767225600}, {"model", "test-model"},
      {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}},
                    {"finish_reason", finish_reason}}}},
      {"usage", {{"prompt_tokens", total_tokens / 2}, {"completion_tokens", total_tokens - total_tokens / 2},
                 {"total_tokens", total_tokens}}}};
  return j.dump();
}

bool FakeOpenAiServer::sleep_unless_stopped(std::chrono::milliseconds d) const {
  auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (stop_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void FakeOpenAiServer::run() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    serve(fd);
    ::close(fd);
  }
}

void FakeOpenAiServer::serve(int fd) {
  std::string in;
  char buf[16384];
  size_t head_end;
  while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    in.append(buf, static_cast<size_t>(n));
  }
  ReceivedRequest req;
  std::string head = in.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  req.method = first.substr(0, first.find(' '));
  req.path = first.substr(req.method.size() + 1, first.rfind(' ') - req.method.size() - 1);
  for (size_t at = line_end + 2; line_end != std::string::npos && at < head.size();) {
    size_t next = head.find("\r\n", at);
    std::string line = head.substr(at, next == std::string::npos ? std::string::npos : next - at);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      size_t v = line.find_first_not_of(' ', colon + 1);
      req.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    if (next == std::string::npos) break;
    at = next + 2;
  }
  size_t want = req.headers.contains("content-length") ? std::stoul(req.headers["content-length"]) : 0;
  req.body = in.substr(head_end + 4);
  while (req.body.size() < want) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    req.body.append(buf, static_cast<size_t>(n));
  }
  ScriptedResponse r{500, R"({"error":{"message":"no scripted response left"}})", {}, {}, true};
  {
    std::lock_guard lock(mu_);
    received_.push_back(std::move(req));
    if (!script_.empty()) {
      r = std::move(script_.front());
      script_.pop_front();
    }
  }
  if (!sleep_unless_stopped(r.delay)) return;
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n" +
                    "Content-Type: application/json\r\nConnection: close\r\n";
  if (r.content_length) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  send_all(fd, out + "\r\n" + r.body);
}

int closed_port() {
  int port = 0;
  int fd = bind_loopback(&port);
  ::close(fd);
  return port;
}

}  // namespace pscope::llm::testing
