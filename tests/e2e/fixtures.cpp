// E2E fixture implementations (see fixtures.h).
#include "e2e/fixtures.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#ifndef PS_BINARY
#error "PS_BINARY must point at the packetscope binary"
#endif

namespace pscope::e2e {

CmdResult sh(const std::string& cmd) {
  CmdResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

bool is_root() { return ::geteuid() == 0; }

std::string temp_dir(const std::string& tag) {
  std::string tmpl = "/tmp/ps-e2e-" + tag + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  return buf.data();
}

Topology::Topology(std::string prefix) : prefix_(std::move(prefix) + std::to_string(::getpid() % 100000)) {}

Topology::~Topology() {
  for (const auto& h : hosts_) sh("ip netns del " + ns(h));
  // Deleting a namespace deletes its veth ends and with them their peers; this is for the case
  // where the namespace was already gone.
  for (const auto& i : root_ifs_) sh("ip link del " + i + " 2>/dev/null");
}

std::string Topology::link_root(const std::string& host, const std::string& host_addr, const std::string& root_addr) {
  std::string root_if = prefix_ + "r" + std::to_string(root_ifs_.size());
  if (root_if.size() > 15) throw std::runtime_error("root interface name too long: " + root_if);
  std::string in_ns = "v" + std::to_string(links_++) + "a";
  std::ostringstream c;
  c << "ip link add " << root_if << " type veth peer name " << in_ns << " netns " << ns(host)
    << " && ip addr add " << root_addr << " dev " << root_if << " && ip link set " << root_if << " up"
    << " && ip -n " << ns(host) << " addr add " << host_addr << " dev " << in_ns << " && ip -n " << ns(host)
    << " link set " << in_ns << " up";
  root_ifs_.push_back(root_if);
  auto r = sh(c.str());
  if (r.status != 0) throw std::runtime_error("link " + host + "<->root: " + r.out);
  return root_if;
}

void Topology::add_host(const std::string& name) {
  auto r = sh("ip netns add " + ns(name) + " && ip -n " + ns(name) + " link set lo up");
  if (r.status != 0) throw std::runtime_error("create netns " + ns(name) + ": " + r.out);
  hosts_.push_back(name);
}

void Topology::link(const std::string& a, const std::string& a_addr, const std::string& b, const std::string& b_addr,
                    const std::vector<std::string>& a_extra, const std::vector<std::string>& b_extra) {
  std::string ia = "v" + std::to_string(links_) + "a";
  std::string ib = "v" + std::to_string(links_) + "b";
  ++links_;
  std::ostringstream c;
  // Created directly inside the namespaces: the host's interface list never changes.
  c << "ip -n " << ns(a) << " link add " << ia << " type veth peer name " << ib << " netns " << ns(b)
    << " && ip -n " << ns(a) << " addr add " << a_addr << " dev " << ia << " && ip -n " << ns(b) << " addr add "
    << b_addr << " dev " << ib << " && ip -n " << ns(a) << " link set " << ia << " up && ip -n " << ns(b)
    << " link set " << ib << " up";
  for (const auto& e : a_extra) c << " && ip -n " << ns(a) << " addr add " << e << " dev " << ia;
  for (const auto& e : b_extra) c << " && ip -n " << ns(b) << " addr add " << e << " dev " << ib;
  auto r = sh(c.str());
  if (r.status != 0) throw std::runtime_error("link " + a + "<->" + b + ": " + r.out);
}

CmdResult Topology::exec(const std::string& host, const std::string& cmd) const {
  return sh("ip netns exec " + ns(host) + " bash -c '" + cmd + "'");
}

uint64_t Topology::netns_inode(const std::string& host) const {
  struct stat st {};
  if (::stat(("/run/netns/" + ns(host)).c_str(), &st) != 0) return 0;
  return st.st_ino;
}

Daemon::Daemon(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_(std::move(extra_args)) {}

Daemon::~Daemon() {
  if (pid_ > 0) stop(SIGKILL);
  // Unpinning the links detaches the XDP program the Guarder left enforcing on purpose.
  std::error_code ec;
  std::filesystem::remove_all(pin_dir(), ec);
}

std::string Daemon::pin_dir() const {
  return "/sys/fs/bpf/ps-test-" + std::filesystem::path(data_dir_).filename().string();
}

bool Daemon::start(std::chrono::seconds timeout) {
  std::string ready = data_dir_ + "/ready.json";
  ::unlink(ready.c_str());
  std::vector<std::string> args = {PS_BINARY, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir_ + "/data",
                                   "--ready-file", ready, "--log-level", "info",
                                   // The Guarder's pinned state is per test daemon, never the host's.
                                   "--guard-pin-dir", pin_dir()};
  args.insert(args.end(), extra_.begin(), extra_.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    std::string logf = data_dir_ + "/daemon.log";
    FILE* f = std::fopen(logf.c_str(), "a");
    if (f) {
      ::dup2(::fileno(f), 1);
      ::dup2(::fileno(f), 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  bool ok = eventually(
      [&] {
        std::ifstream in(ready);
        if (!in) return false;
        auto j = nlohmann::json::parse(in, nullptr, false);
        if (j.is_discarded() || !j.contains("port")) return false;
        port_ = j["port"].get<uint16_t>();
        token_ = j["token"].get<std::string>();
        return true;
      },
      std::chrono::duration_cast<std::chrono::milliseconds>(timeout), std::chrono::milliseconds(100));
  return ok;
}

int Daemon::stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int st = 0;
  ::waitpid(pid_, &st, 0);
  pid_ = -1;
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + WTERMSIG(st);
}

std::string Daemon::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Daemon::log() const {
  std::ifstream in(data_dir_ + "/daemon.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

namespace {
size_t collect(char* p, size_t size, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, size * n);
  return size * n;
}
}  // namespace

HttpResult Daemon::get_raw(const std::string& path, const std::map<std::string, std::string>& headers) const {
  HttpResult r;
  CURL* c = curl_easy_init();
  curl_slist* hl = nullptr;
  for (const auto& [k, v] : headers) hl = curl_slist_append(hl, (k + ": " + v).c_str());
  std::string u = url(path);
  curl_easy_setopt(c, CURLOPT_URL, u.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);  // send ../ as-is: the server must refuse it
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(hl);
  curl_easy_cleanup(c);
  return r;
}

HttpResult Daemon::send(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& token_override) const {
  HttpResult r;
  CURL* c = curl_easy_init();
  curl_slist* hl = nullptr;
  std::string tok = token_override == "\x01" ? token_ : token_override;
  if (!tok.empty()) hl = curl_slist_append(hl, ("Authorization: Bearer " + tok).c_str());
  hl = curl_slist_append(hl, "Content-Type: application/json");
  std::string u = url(path);
  curl_easy_setopt(c, CURLOPT_URL, u.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(hl);
  curl_easy_cleanup(c);
  return r;
}

HttpResult Daemon::get(const std::string& path, const std::string& token_override) const {
  std::map<std::string, std::string> h;
  std::string tok = token_override == "\x01" ? token_ : token_override;
  if (!tok.empty()) h["Authorization"] = "Bearer " + tok;
  return get_raw(path, h);
}

namespace {

// One masked client text frame (RFC 6455 5.3); the mask is fixed, which a test may do.
std::string ws_client_frame(const std::string& text) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (text.size() < 126) {
    f.push_back(static_cast<char>(0x80 | text.size()));
  } else {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>((text.size() >> 8) & 0xff));
    f.push_back(static_cast<char>(text.size() & 0xff));
  }
  for (uint8_t m : mask) f.push_back(static_cast<char>(m));
  for (size_t i = 0; i < text.size(); ++i) f.push_back(static_cast<char>(static_cast<uint8_t>(text[i]) ^ mask[i % 4]));
  return f;
}

}  // namespace

WsResult ws_connect(uint16_t port, const std::map<std::string, std::string>& headers,
                    std::chrono::milliseconds wait, size_t max_frames, const std::vector<std::string>& to_send,
                    const std::function<void()>& after_send) {
  WsResult res;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return res;
  }
  std::ostringstream req;
  req << "GET /api/v1/stream HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      << "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (!headers.count("Host")) req << "Host: 127.0.0.1:" << port << "\r\n";
  for (const auto& [k, v] : headers) req << k << ": " << v << "\r\n";
  req << "\r\n";
  std::string s = req.str();
  if (::send(fd, s.data(), s.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return res;
  }
  std::string buf;
  auto end = std::chrono::steady_clock::now() + wait;
  size_t hdr_end = std::string::npos;
  size_t pos = 0;
  std::string message;  // a fragmented message being joined
  while (std::chrono::steady_clock::now() < end && res.frames.size() < max_frames) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char tmp[8192];
    ssize_t n = ::recv(fd, tmp, sizeof(tmp), 0);
    if (n <= 0) break;
    buf.append(tmp, static_cast<size_t>(n));
    if (hdr_end == std::string::npos) {
      hdr_end = buf.find("\r\n\r\n");
      if (hdr_end == std::string::npos) continue;
      res.status = std::atoi(buf.substr(9, 3).c_str());
      auto lower = buf.substr(0, hdr_end);
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto pp = lower.find("sec-websocket-protocol: ");
      if (pp != std::string::npos) res.protocol = buf.substr(pp + 24, buf.find("\r\n", pp) - pp - 24);
      pos = hdr_end + 4;
      if (res.status != 101) break;
      for (const auto& m : to_send) {
        auto frame = ws_client_frame(m);
        if (::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) < 0) break;
      }
      if (after_send) after_send();
    }
    // Server frames are unmasked; text frames only. A long message may come fragmented
    // (continuation frames until FIN): its pieces are joined into one entry of `frames`.
    while (buf.size() >= pos + 2) {
      bool fin = (static_cast<unsigned char>(buf[pos]) & 0x80) != 0;
      size_t len = static_cast<unsigned char>(buf[pos + 1]) & 0x7f;
      size_t hdr = 2;
      if (len == 126) {
        if (buf.size() < pos + 4) break;
        len = (static_cast<unsigned char>(buf[pos + 2]) << 8) | static_cast<unsigned char>(buf[pos + 3]);
        hdr = 4;
      } else if (len == 127) {
        break;  // frames this large are not expected from the stream
      }
      if (buf.size() < pos + hdr + len) break;
      message += buf.substr(pos + hdr, len);
      pos += hdr + len;
      if (fin) res.frames.push_back(std::exchange(message, std::string()));
    }
  }
  ::close(fd);
  return res;
}

std::vector<std::string> loaded_bpf_programs() {
  std::vector<std::string> names;
  __u32 id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) names.emplace_back(info.name);
    ::close(fd);
  }
  return names;
}

std::set<uint32_t> bpf_prog_ids_of(pid_t pid) {
  std::set<uint32_t> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo", ec)) {
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("prog_id:", 0) == 0) ids.insert(static_cast<uint32_t>(std::stoul(line.substr(8))));
  }
  return ids;
}

bool bpf_prog_exists(uint32_t id) {
  int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace pscope::e2e
