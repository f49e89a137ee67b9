// E2E fixtures: named network namespaces joined by veth pairs, the real daemon as a child
// process, and a small HTTP/WebSocket client. Everything a test creates is removed by the
// fixture's destructor; nothing touches the host's own interfaces.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <thread>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pscope::e2e {

// Runs a shell command; returns its exit status and captured stdout.
struct CmdResult {
  int status = -1;
  std::string out;
};
CmdResult sh(const std::string& cmd);
bool is_root();

// A set of namespaces ("hosts") named <prefix>-<name>, linked with veth pairs.
class Topology {
 public:
  explicit Topology(std::string prefix);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  void add_host(const std::string& name);
  // veth between two hosts with addresses in CIDR form, e.g. "10.201.0.1/24".
  void link(const std::string& a, const std::string& a_addr, const std::string& b, const std::string& b_addr,
            const std::vector<std::string>& a_extra = {}, const std::vector<std::string>& b_extra = {});
  // veth between a host and the test process's own (root) namespace, for daemons that must see
  // the traffic on one of their interfaces (the Guarder's XDP). The root end is named
  // <prefix>r<n>, created and deleted by this fixture only. Returns the root end's name; the
  // host end is v<n>a.
  std::string link_root(const std::string& host, const std::string& host_addr, const std::string& root_addr);
  std::string ns(const std::string& host) const { return prefix_ + "-" + host; }
  // Runs a command inside a host's namespace.
  CmdResult exec(const std::string& host, const std::string& cmd) const;
  // The namespace's inode number as the kernel reports it (what the tracer calls netns).
  uint64_t netns_inode(const std::string& host) const;

 private:
  std::string prefix_;
  std::vector<std::string> hosts_;
  std::vector<std::string> root_ifs_;
  int links_ = 0;
};

struct HttpResult {
  long status = 0;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// The real packetscope binary as a child process with its own data dir and an ephemeral port.
class Daemon {
 public:
  explicit Daemon(std::string data_dir, std::vector<std::string> extra_args = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  bool start(std::chrono::seconds timeout = std::chrono::seconds(30));
  int stop(int sig = 15);  // returns the exit status (or 128+signal)
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& token() const { return token_; }
  // Where this daemon pins the Guarder's program, maps and links (removed by the destructor).
  std::string pin_dir() const;
  std::string url(const std::string& path) const;
  std::string log() const;

  HttpResult get(const std::string& path, const std::string& token_override = "\x01") const;
  HttpResult get_raw(const std::string& path, const std::map<std::string, std::string>& headers) const;
  // Any method with the token and a JSON body (empty: none), e.g. send("POST", "/api/v1/...", R"({..})").
  // token_override as in get() ("" = no token).
  HttpResult send(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& token_override = "\x01") const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string token_;
};

// Minimal WebSocket client handshake on a raw socket: returns the HTTP status of the upgrade
// answer and, on 101, the text frames received within `wait`.
struct WsResult {
  int status = 0;
  std::string protocol;
  std::vector<std::string> frames;
};
// `to_send`: text messages sent (masked, as a client must) once the upgrade succeeded; then
// `after_send` runs (e.g. to make traffic) while frames keep arriving in the socket buffer.
WsResult ws_connect(uint16_t port, const std::map<std::string, std::string>& headers,
                    std::chrono::milliseconds wait, size_t max_frames,
                    const std::vector<std::string>& to_send = {}, const std::function<void()>& after_send = {});

// Names of loaded BPF programs (kernel-truncated to 15 characters).
std::vector<std::string> loaded_bpf_programs();
// Ids of the BPF programs a process holds (through prog or link fds), from /proc/<pid>/fdinfo.
std::set<uint32_t> bpf_prog_ids_of(pid_t pid);
bool bpf_prog_exists(uint32_t id);

// Polls fn() until it returns true or the timeout passes.
template <class Fn>
bool eventually(Fn fn, std::chrono::milliseconds timeout, std::chrono::milliseconds step = std::chrono::milliseconds(200)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (fn()) return true;
    std::this_thread::sleep_for(step);
  }
  return fn();
}

std::string temp_dir(const std::string& tag);

}  // namespace pscope::e2e
