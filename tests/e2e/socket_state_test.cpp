// Socket state changes end to end (sock:inet_sock_set_state): a TCP connection between two
// namespaces, checked through GET /api/v1/sockets/events, the "sockets.state" stream frames and
// `packetscope sockets --watch`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

using Json = nlohmann::json;

std::string transition(const Json& e) {
  return e["old_state"].get<std::string>() + "->" + e["new_state"].get<std::string>();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

// True if `want` appear in `got` in this order (not necessarily adjacent).
bool in_order(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  size_t i = 0;
  for (const auto& g : got)
    if (i < want.size() && g == want[i]) ++i;
  return i == want.size();
}

class SocketState : public ::testing::Test {
 protected:
  static constexpr const char* kClientAddr = "10.204.0.1";
  static constexpr const char* kServerAddr = "10.204.0.2";

  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: namespaces and eBPF";
    topo_ = std::make_unique<Topology>("pss");
    topo_->add_host("client");
    topo_->add_host("server");
    topo_->link("client", std::string(kClientAddr) + "/24", "server", std::string(kServerAddr) + "/24");
    dir_ = temp_dir("sockstate");
    write_scripts();
  }
  void TearDown() override {
    daemon_.reset();
    topo_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void start_daemon() {
    daemon_ = std::make_unique<Daemon>(dir_);
    ASSERT_TRUE(daemon_->start()) << daemon_->log();
  }

  // Python helpers as files: Topology::exec quotes its command in single quotes.
  void write_scripts() {
    std::ofstream(dir_ + "/server.py") << "import socket, sys\n"
                                          "s = socket.socket()\n"
                                          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                                          "s.bind(('', int(sys.argv[1])))\n"
                                          "s.listen()\n"
                                          "c, _ = s.accept()\n"
                                          "while c.recv(100):\n"
                                          "    pass\n"
                                          "c.close()\n"
                                          "s.close()\n";
    std::ofstream(dir_ + "/client.py") << "import socket, sys\n"
                                          "c = socket.create_connection((sys.argv[1], int(sys.argv[2])))\n"
                                          "c.sendall(b'hello')\n"
                                          "c.close()\n";
  }

  // A server in the server namespace that accepts one connection, reads until the peer closes,
  // then closes its side (a passive close) and exits; returns once it listens.
  void serve_once(int port) {
    topo_->exec("server", "timeout 30 python3 " + dir_ + "/server.py " + std::to_string(port) + " >/dev/null 2>&1 &");
    ASSERT_TRUE(eventually(
        [&] { return topo_->exec("server", "ss -Htln sport = :" + std::to_string(port) + " | grep -q LISTEN").status == 0; },
        std::chrono::seconds(5), std::chrono::milliseconds(100)))
        << "the test server did not start listening on " << port;
  }

  // One connection from the client namespace: connect, send, close.
  void connect_once(int port) {
    auto r = topo_->exec("client", "timeout 10 python3 " + dir_ + "/client.py " + kServerAddr + " " + std::to_string(port));
    ASSERT_EQ(r.status, 0) << r.out;
  }

  std::vector<Json> events() {
    auto j = daemon_->get("/api/v1/sockets/events?limit=1000").json();
    std::vector<Json> out;
    if (j.is_object())
      for (const auto& e : j["items"]) out.push_back(e);
    return out;
  }

  // The events of one socket (by cookie), oldest first.
  static std::vector<Json> of_socket(const std::vector<Json>& all, uint64_t cookie) {
    std::vector<Json> out;
    for (const auto& e : all)
      if (e["cookie"].get<uint64_t>() == cookie) out.push_back(e);
    std::sort(out.begin(), out.end(), [](const Json& a, const Json& b) { return a["id"] < b["id"]; });
    return out;
  }

  static std::vector<std::string> transitions(const std::vector<Json>& evs) {
    std::vector<std::string> out;
    for (const auto& e : evs) out.push_back(transition(e));
    return out;
  }

  // The first event (oldest) matching pred.
  template <class Pred>
  static std::optional<Json> oldest(const std::vector<Json>& all, Pred pred) {
    std::optional<Json> found;
    for (const auto& e : all)
      if (pred(e) && (!found || e["id"] < (*found)["id"])) found = e;
    return found;
  }

  std::unique_ptr<Topology> topo_;
  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(SocketState, ApiListsEveryTransitionOfAConnectionWithAddressesAndNetns) {
  start_daemon();
  const int port = 7400;
  const uint64_t client_ns = topo_->netns_inode("client"), server_ns = topo_->netns_inode("server");
  ASSERT_NE(client_ns, 0u);
  serve_once(port);
  connect_once(port);

  // The server's child socket ends with LAST_ACK -> CLOSE once the client ACKs its FIN.
  std::vector<Json> all;
  ASSERT_TRUE(eventually(
      [&] {
        all = events();
        return oldest(all, [&](const Json& e) {
                 return e["local_port"] == port && e["new_state"] == "CLOSE" && e["old_state"] == "LAST_ACK";
               }).has_value();
      },
      std::chrono::seconds(8), std::chrono::milliseconds(200)))
      << "no LAST_ACK->CLOSE for port " << port << " among " << all.size() << " events";

  // Newest first.
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1]["id"], all[i]["id"]);

  // The listener: CLOSE -> LISTEN on the port, in the server's namespace, by the server process.
  auto listen = oldest(all, [&](const Json& e) { return e["local_port"] == port && transition(e) == "CLOSE->LISTEN"; });
  ASSERT_TRUE(listen);
  EXPECT_EQ((*listen)["netns"].get<uint64_t>(), server_ns);
  EXPECT_EQ((*listen)["comm"], "python3");
  EXPECT_EQ((*listen)["proto"], "tcp");
  EXPECT_EQ((*listen)["family"], 4);

  // The client: connect() in process context, then the handshake, then the active close.
  auto syn = oldest(all, [&](const Json& e) {
    return transition(e) == "CLOSE->SYN_SENT" && e["remote_port"] == port && e["remote_addr"] == kServerAddr;
  });
  ASSERT_TRUE(syn) << "no CLOSE->SYN_SENT towards " << kServerAddr << ":" << port;
  EXPECT_EQ((*syn)["netns"].get<uint64_t>(), client_ns);
  EXPECT_EQ((*syn)["comm"], "python3");
  EXPECT_GT((*syn)["pid"].get<int>(), 0);
  auto client = of_socket(all, (*syn)["cookie"].get<uint64_t>());
  auto ct = transitions(client);
  EXPECT_TRUE(in_order(ct, {"CLOSE->SYN_SENT", "SYN_SENT->ESTABLISHED", "ESTABLISHED->FIN_WAIT1"})) << join(ct);
  EXPECT_EQ(client.back()["new_state"], "CLOSE") << join(ct);
  const Json& est = client.at(1);
  EXPECT_EQ(est["local_addr"], kClientAddr);
  const int client_port = est["local_port"].get<int>();
  EXPECT_GT(client_port, 0);
  EXPECT_EQ(est["remote_addr"], kServerAddr);
  EXPECT_EQ(est["remote_port"], port);
  for (const auto& e : client) EXPECT_EQ(e["netns"].get<uint64_t>(), client_ns) << e.dump();

  // The server's child socket: from the listener's state through a passive close.
  auto child_first = oldest(all, [&](const Json& e) {
    return e["local_port"] == port && e["new_state"] == "SYN_RECV" && e["cookie"] != (*listen)["cookie"];
  });
  ASSERT_TRUE(child_first);
  auto server = of_socket(all, (*child_first)["cookie"].get<uint64_t>());
  auto st = transitions(server);
  EXPECT_EQ(st, (std::vector<std::string>{"LISTEN->SYN_RECV", "SYN_RECV->ESTABLISHED", "ESTABLISHED->CLOSE_WAIT",
                                          "CLOSE_WAIT->LAST_ACK", "LAST_ACK->CLOSE"}))
      << join(st);
  for (const auto& e : server) {
    EXPECT_EQ(e["netns"].get<uint64_t>(), server_ns) << e.dump();
    EXPECT_EQ(e["local_addr"], kServerAddr) << e.dump();
    EXPECT_EQ(e["local_port"], port) << e.dump();
  }
  EXPECT_EQ(server.at(1)["remote_addr"], kClientAddr);
  EXPECT_EQ(server.at(1)["remote_port"], client_port);
  EXPECT_NE((*child_first)["cookie"], (*syn)["cookie"]);
  EXPECT_EQ(server.at(1)["cookie_hex"].get<std::string>().rfind("0x", 0), 0u);

  // limit is honoured and validated.
  auto two = daemon_->get("/api/v1/sockets/events?limit=2").json();
  EXPECT_EQ(two["items"].size(), 2u);
  EXPECT_EQ(daemon_->get("/api/v1/sockets/events?limit=0").status, 400);
  EXPECT_EQ(daemon_->get("/api/v1/sockets/events?limit=1001").status, 400);
}

TEST_F(SocketState, StreamSendsAFramePerChange) {
  start_daemon();
  const int port = 7401;
  serve_once(port);
  std::map<std::string, std::string> hdrs = {{"Authorization", "Bearer " + daemon_->token()}};
  auto ws = ws_connect(daemon_->port(), hdrs, std::chrono::milliseconds(4000), 200, {}, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    connect_once(port);
  });
  ASSERT_EQ(ws.status, 101);
  std::vector<std::string> server_side;
  for (const auto& f : ws.frames) {
    auto j = Json::parse(f, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << f;
    if (j["type"] != "sockets.state") continue;
    const auto& d = j["data"];
    EXPECT_TRUE(d.contains("id") && d.contains("time") && d.contains("cookie") && d.contains("netns")) << f;
    if (d["local_port"] == port && d["local_addr"] == kServerAddr) server_side.push_back(transition(d));
  }
  EXPECT_TRUE(in_order(server_side, {"LISTEN->SYN_RECV", "SYN_RECV->ESTABLISHED", "ESTABLISHED->CLOSE_WAIT"}))
      << join(server_side);
}

// Runs `packetscope sockets --watch ARGS` on its own thread, stderr to a file.
class Watcher {
 public:
  Watcher(const std::string& args, std::string err_file) : err_(std::move(err_file)) {
    thread_ = std::thread([this, args] {
      out_ = sh("{ timeout 20 " + std::string(PS_BINARY) + " sockets --watch " + args + " 2>" + err_ + "; }");
    });
  }
  ~Watcher() {
    if (thread_.joinable()) thread_.join();
  }
  std::string err() const {
    std::ifstream in(err_);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  bool attached() const { return err().find("watching socket state changes") != std::string::npos; }
  const CmdResult& wait() {
    if (thread_.joinable()) thread_.join();
    return out_;
  }

 private:
  std::string err_;
  CmdResult out_;
  std::thread thread_;
};

TEST_F(SocketState, WatchCliPrintsJsonAndTextLinesForTheChosenNamespace) {
  const int port = 7402;
  serve_once(port);
  const uint64_t client_ns = topo_->netns_inode("client");
  // Only the client's namespace (by inode, or by its file): the listener and everything else on
  // the machine are filtered out in the kernel, so the first lines are this connection's.
  Watcher json("--json --count 3 --netns " + std::to_string(client_ns), dir_ + "/json.err");
  Watcher text("-c 2 --netns /run/netns/" + topo_->ns("client"), dir_ + "/text.err");
  bool attached = eventually([&] { return json.attached() && text.attached(); }, std::chrono::seconds(15),
                             std::chrono::milliseconds(100));
  if (attached) connect_once(port);
  const auto& out = json.wait();
  const auto& txt = text.wait();
  ASSERT_TRUE(attached) << "the watchers never attached: " << json.err() << text.err();
  ASSERT_EQ(out.status, 0) << out.out << json.err();
  std::vector<std::string> got;
  std::istringstream lines(out.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON object: " << line;
    for (const char* k : {"time", "cookie", "netns", "family", "proto", "old_state", "new_state", "local_addr",
                          "local_port", "remote_addr", "remote_port", "pid", "comm"})
      EXPECT_TRUE(j.contains(k)) << k << " missing: " << line;
    EXPECT_EQ(j["netns"].get<uint64_t>(), client_ns) << line;
    EXPECT_EQ(j["remote_addr"], kServerAddr) << line;
    EXPECT_EQ(j["remote_port"], port) << line;
    got.push_back(transition(j));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"CLOSE->SYN_SENT", "SYN_SENT->ESTABLISHED", "ESTABLISHED->FIN_WAIT1"}))
      << out.out;
  EXPECT_NE(json.err().find("3 state changes shown"), std::string::npos) << json.err();

  // Text: one line per change with the endpoints, the change and the process.
  ASSERT_EQ(txt.status, 0) << txt.out << text.err();
  std::istringstream tl(txt.out);
  std::vector<std::string> text_lines;
  while (std::getline(tl, line)) text_lines.push_back(line);
  ASSERT_EQ(text_lines.size(), 2u) << txt.out;
  EXPECT_NE(text_lines[0].find("CLOSE -> SYN_SENT"), std::string::npos) << text_lines[0];
  EXPECT_NE(text_lines[0].find("tcp"), std::string::npos) << text_lines[0];
  EXPECT_NE(text_lines[0].find("ipv4"), std::string::npos) << text_lines[0];
  EXPECT_NE(text_lines[0].find(std::string("-> ") + kServerAddr + ":" + std::to_string(port)), std::string::npos)
      << text_lines[0];
  EXPECT_NE(text_lines[0].find("python3("), std::string::npos) << text_lines[0];
  EXPECT_NE(text_lines[1].find("SYN_SENT -> ESTABLISHED"), std::string::npos) << text_lines[1];
  EXPECT_NE(text_lines[1].find(std::string(kClientAddr) + ":"), std::string::npos) << text_lines[1];

  // Usage errors: a --netns that is neither an inode nor a file, --count without --watch.
  auto bad = sh(std::string(PS_BINARY) + " sockets --watch --netns /nonexistent");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("/run/netns/NAME"), std::string::npos) << bad.out;
  EXPECT_NE(sh(std::string(PS_BINARY) + " sockets --count 3").status, 0);
}

}  // namespace
}  // namespace pscope::e2e
