// A scripted OpenAI-compatible HTTP/1.1 server on 127.0.0.1:<ephemeral> for the llm tests: each
// connection gets the next scripted response (status, headers, body, optional delay) and is
// closed; every request is recorded for assertions on the wire format.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pscope::llm::testing {

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // before the status line is sent
  bool content_length = true;          // false: the body ends when the connection closes
};

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class FakeOpenAiServer {
 public:
  FakeOpenAiServer();
  ~FakeOpenAiServer();
  FakeOpenAiServer(const FakeOpenAiServer&) = delete;
  FakeOpenAiServer& operator=(const FakeOpenAiServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  void push(ScriptedResponse r);
  std::vector<ReceivedRequest> requests() const;

  // A chat.completion body as OpenAI sends it.
  static std::string chat_body(const std::string& content, const std::string& finish_reason = "stop",
                               int total_tokens = 42);

 private:
  void run();
  void serve(int fd);
  bool sleep_unless_stopped(std::chrono::milliseconds d) const;

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::deque<ScriptedResponse> script_;
  std::vector<ReceivedRequest> received_;
  std::thread thread_;
};

// A port on 127.0.0.1 with nothing listening (bound, then closed).
int closed_port();

}  // namespace pscope::llm::testing
