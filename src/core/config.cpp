// Config key table, parsing and validation. Every value from outside is checked here and a bad
// one is reported with the key, its source and what is accepted.
#include "core/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace pscope {
namespace {

template <class T>
Result<T> parse_uint(const std::string& v, T lo, T hi, const std::string& what) {
  uint64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi)
    return fail(what + ": '" + v + "' is not a whole number from " + std::to_string(lo) + " to " +
                std::to_string(hi));
  return static_cast<T>(x);
}

Result<bool> parse_bool(const std::string& v, const std::string& what) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return fail(what + ": '" + v + "' is not a boolean (true/false)");
}

Result<void> set_listen(Config& c, const std::string& v) {
  // host:port, [v6]:port
  std::string host;
  std::string port;
  if (!v.empty() && v.front() == '[') {
    auto close = v.find(']');
    if (close == std::string::npos || close + 1 >= v.size() || v[close + 1] != ':')
      return fail("listen: '" + v + "' must look like 127.0.0.1:9470 or [::1]:9470");
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || v.find(':') != colon)
      return fail("listen: '" + v + "' must look like 127.0.0.1:9470 or [::1]:9470");
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
  }
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) != 1 && inet_pton(AF_INET6, host.c_str(), buf) != 1)
    return fail("listen: '" + host + "' is not an IP address (names are not resolved)");
  auto p = parse_uint<uint16_t>(port, 0, 65535, "listen port");
  if (!p) return tl::unexpected(p.error());
  c.listen_host = host;
  c.listen_port = *p;
  return {};
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

template <class T>
ConfigKey uint_key(std::string name, std::string help, T Config::*field, T lo, T hi) {
  return {name, std::move(help),
          [=](Config& c, const std::string& v) -> Result<void> {
            auto n = parse_uint<T>(v, lo, hi, name);
            if (!n) return tl::unexpected(n.error());
            c.*field = *n;
            return {};
          },
          [=](const Config& c) { return nlohmann::json(c.*field); }};
}

ConfigKey bool_key(std::string name, std::string help, bool Config::*field) {
  return {name, std::move(help),
          [=](Config& c, const std::string& v) -> Result<void> {
            auto b = parse_bool(v, name);
            if (!b) return tl::unexpected(b.error());
            c.*field = *b;
            return {};
          },
          [=](const Config& c) { return nlohmann::json(c.*field); }};
}

void add_guard_keys(std::vector<ConfigKey>& k) {
  using nlohmann::json;
  k.push_back(bool_key("guard_enabled", "load the Guarder (open or create its pinned state) (true/false)",
                       &Config::guard_enabled));
  k.push_back({"guard_interfaces", "comma list of interfaces the Guarder attaches to at start, each name[:native|generic] (empty: none)",
               [](Config& c, const std::string& v) -> Result<void> {
                 if (auto r = parse_guard_interfaces(v); !r) return tl::unexpected(r.error());
                 c.guard_interfaces = v;
                 return {};
               },
               [](const Config& c) { return json(c.guard_interfaces); }});
  k.push_back({"guard_pin_dir", "where the Guarder pins its program, maps and links (under /sys/fs/bpf/)",
               [](Config& c, const std::string& v) -> Result<void> {
                 // Rules enforce from pinned state; a path outside bpffs could never hold it.
                 if (v.rfind("/sys/fs/bpf/", 0) != 0 || v.size() <= 12 || v.find("/..") != std::string::npos)
                   return fail("guard_pin_dir: '" + v + "' must be a directory under /sys/fs/bpf/ (without '..')");
                 c.guard_pin_dir = v;
                 return {};
               },
               [](const Config& c) { return json(c.guard_pin_dir); }});
  k.push_back(uint_key<uint32_t>("guard_max_rules", "most Guarder rules kept and enforced",
                                 &Config::guard_max_rules, 1, 131072));
}

std::vector<ConfigKey> make_keys() {
  using nlohmann::json;
  std::vector<ConfigKey> k;
  k.push_back({"listen", "address:port of the UI and API (loopback unless allow_remote)",
               set_listen, [](const Config& c) {
                 return json(c.listen_host.find(':') != std::string::npos
                                 ? "[" + c.listen_host + "]:" + std::to_string(c.listen_port)
                                 : c.listen_host + ":" + std::to_string(c.listen_port));
               }});
  k.push_back({"data_dir", "directory for the database and the access token (created 0700)",
               [](Config& c, const std::string& v) -> Result<void> {
                 if (v.empty() || v.front() != '/') return fail("data_dir: '" + v + "' must be an absolute path");
                 c.data_dir = v;
                 return {};
               },
               [](const Config& c) { return json(c.data_dir); }});
  k.push_back({"web_root", "directory of the built web UI (default: web/dist of this build)",
               [](Config& c, const std::string& v) -> Result<void> { c.web_root = v; return {}; },
               [](const Config& c) { return json(c.web_root); }});
  k.push_back({"log_level", "debug|info|warn|error",
               [](Config& c, const std::string& v) -> Result<void> {
                 static const char* ok[] = {"trace", "debug", "info", "warn", "error"};
                 if (std::find(std::begin(ok), std::end(ok), v) == std::end(ok))
                   return fail("log_level: '" + v + "' is not one of debug, info, warn, error");
                 c.log_level = v;
                 return {};
               },
               [](const Config& c) { return json(c.log_level); }});
  k.push_back({"allowed_origins", "comma-separated extra Origins allowed on the live stream",
               [](Config& c, const std::string& v) -> Result<void> {
                 for (const auto& o : split_list(v))
                   if (o.rfind("http://", 0) != 0 && o.rfind("https://", 0) != 0)
                     return fail("allowed_origins: '" + o + "' must start with http:// or https://");
                 c.allowed_origins = split_list(v);
                 return {};
               },
               [](const Config& c) { return json(c.allowed_origins); }});
  k.push_back(bool_key("allow_remote", "permit listening on a non-loopback address (true/false)",
                       &Config::allow_remote));
  k.push_back({"ready_file", "write {url,port,token,pid} JSON here once serving (0600)",
               [](Config& c, const std::string& v) -> Result<void> { c.ready_file = v; return {}; },
               [](const Config& c) { return json(c.ready_file); }});
  k.push_back(bool_key("tracer_enabled", "load the tracer's kernel programs (true/false)", &Config::tracer_enabled));
  k.push_back(uint_key<uint32_t>("tracer_drop_sample", "report 1 in N dropped packets (counters stay exact)",
                                 &Config::tracer_drop_sample, 1, 1000000));
  k.push_back(uint_key<uint64_t>("drop_retention_rows", "keep at most this many drop records",
                                 &Config::drop_retention_rows, 100, 100000000));
  k.push_back(uint_key<uint64_t>("drop_retention_age_s", "delete drop records older than this many seconds",
                                 &Config::drop_retention_age_s, 60, 10ULL * 365 * 86400));
  k.push_back(bool_key("tracer_paths", "follow packets through the stack and keep their paths (true/false)",
                       &Config::tracer_paths));
  k.push_back({"tracer_filter", "filter expression for kept paths, e.g. 'not port 22' (empty: all)",
               [](Config& c, const std::string& v) -> Result<void> {
                 if (v.size() > 1024) return fail("tracer_filter: longer than 1024 characters");
                 c.tracer_filter = v;  // parsed (with a column-precise error) when the daemon starts
                 return {};
               },
               [](const Config& c) { return nlohmann::json(c.tracer_filter); }});
  k.push_back(uint_key<uint32_t>("tracer_path_sample", "follow 1 in N packets that pass the filter (decided in the kernel)",
                                 &Config::tracer_path_sample, 1, 1000000));
  k.push_back(uint_key<uint32_t>("tracer_path_rate",
                                 "follow at most this many new packets per second, decided in the kernel "
                                 "before any per-packet work (0 = every packet)",
                                 &Config::tracer_path_rate, 0, 100000000));
  k.push_back(uint_key<uint32_t>("path_store_rate", "store and stream at most this many paths per second",
                                 &Config::path_store_rate, 1, 100000));
  k.push_back(uint_key<uint64_t>("path_retention_rows", "keep at most this many packet paths",
                                 &Config::path_retention_rows, 100, 100000000));
  k.push_back(uint_key<uint64_t>("path_retention_age_s", "delete packet paths older than this many seconds",
                                 &Config::path_retention_age_s, 60, 10ULL * 365 * 86400));
  k.push_back(bool_key("analyzer_enabled", "load the analyzer's kernel programs (true/false)", &Config::analyzer_enabled));
  k.push_back(uint_key<uint32_t>("analyzer_latency_sample", "time 1 in N packets for latency (volumes stay exact)",
                                 &Config::analyzer_latency_sample, 1, 1000000));
  // At least 2 minutes: a minute is rolled up 5 s after it ends, before its samples age out.
  k.push_back(uint_key<uint64_t>("analyzer_history_s", "keep the analyzer's 1 s samples this many seconds",
                                 &Config::analyzer_history_s, 120, 7 * 86400));
  k.push_back(uint_key<uint64_t>("analyzer_rollup_s", "keep the analyzer's 1 min roll-up this many seconds",
                                 &Config::analyzer_rollup_s, 3600, 10ULL * 365 * 86400));
  k.push_back(uint_key<uint32_t>("analyzer_flows_max", "entries of the analyzer's kernel flow table (LRU)",
                                 &Config::analyzer_flows_max, 1024, 4194304));
  k.push_back(uint_key<uint32_t>("analyzer_top_n", "flows and processes kept in each analyzer snapshot",
                                 &Config::analyzer_top_n, 1, 200));
  add_guard_keys(k);
  return k;
}

std::string json_scalar(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_array()) {
    std::string out;
    for (const auto& e : j) out += (out.empty() ? "" : ",") + json_scalar(e);
    return out;
  }
  return j.dump();
}

}  // namespace

Result<std::vector<GuardInterface>> parse_guard_interfaces(const std::string& v) {
  std::vector<GuardInterface> out;
  for (const auto& item : split_list(v)) {
    GuardInterface gi;
    auto colon = item.find(':');
    gi.name = item.substr(0, colon);
    if (colon != std::string::npos) gi.mode = item.substr(colon + 1);
    bool name_ok = !gi.name.empty() && gi.name.size() <= 15 &&
                   gi.name.find_first_of("/ \t:") == std::string::npos && gi.name != "." && gi.name != "..";
    if (!name_ok)
      return fail("guard_interfaces: '" + item + "' is not an interface name (1 to 15 bytes, no '/', ':' or spaces)");
    if (colon != std::string::npos && gi.mode != "native" && gi.mode != "generic")
      return fail("guard_interfaces: '" + item + "': the mode after ':' must be native or generic");
    if (std::any_of(out.begin(), out.end(), [&](const GuardInterface& o) { return o.name == gi.name; }))
      return fail("guard_interfaces: '" + gi.name + "' is listed twice");
    out.push_back(std::move(gi));
  }
  return out;
}

std::string ConfigKey::flag() const {
  std::string f = "--" + name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string ConfigKey::env() const {
  std::string e = "PACKETSCOPE_" + name;
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return e;
}

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = make_keys();
  return keys;
}

bool is_loopback_host(const std::string& host) {
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  return host == "::1";
}

Result<LoadedConfig> load_config(const std::string& file, const std::map<std::string, std::string>& flags,
                                 const std::function<const char*(const char*)>& env) {
  LoadedConfig lc;
  for (const auto& k : config_keys()) lc.source[k.name] = ConfigSource::kDefault;

  std::string path = file;
  bool required = !path.empty();
  if (path.empty()) {
    if (const char* e = env("PACKETSCOPE_CONFIG"); e && *e) {
      path = e;
      required = true;
    } else {
      path = "/etc/packetscope/config.json";
    }
  }
  std::ifstream in(path);
  if (!in && required) return fail("config file " + path + " cannot be read");
  if (in) {
    lc.file = path;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const std::exception& e) {
      return fail("config file " + path + " is not valid JSON: " + e.what());
    }
    if (!j.is_object()) return fail("config file " + path + " must hold a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      auto key = std::find_if(config_keys().begin(), config_keys().end(),
                              [&](const ConfigKey& k) { return k.name == it.key(); });
      if (key == config_keys().end())
        return fail("config file " + path + ": unknown key '" + it.key() + "' (see packetscope serve --help)");
      if (auto r = key->set(lc.cfg, json_scalar(it.value())); !r)
        return fail("config file " + path + ": " + r.error().what);
      lc.source[key->name] = ConfigSource::kFile;
    }
  }
  for (const auto& k : config_keys()) {
    if (const char* v = env(k.env().c_str()); v) {
      if (auto r = k.set(lc.cfg, v); !r) return fail("environment " + k.env() + ": " + r.error().what);
      lc.source[k.name] = ConfigSource::kEnv;
    }
  }
  for (const auto& [name, value] : flags) {
    auto key = std::find_if(config_keys().begin(), config_keys().end(),
                            [&](const ConfigKey& k) { return k.name == name; });
    if (key == config_keys().end()) return fail("unknown option " + name);
    if (auto r = key->set(lc.cfg, value); !r) return fail("option " + key->flag() + ": " + r.error().what);
    lc.source[name] = ConfigSource::kFlag;
  }
  if (lc.cfg.analyzer_rollup_s < lc.cfg.analyzer_history_s)
    return fail("analyzer_rollup_s (" + std::to_string(lc.cfg.analyzer_rollup_s) +
                ") must be at least analyzer_history_s (" + std::to_string(lc.cfg.analyzer_history_s) +
                "): the 1 min roll-up is the longer window");
  if (!lc.cfg.allow_remote && !is_loopback_host(lc.cfg.listen_host))
    return fail("listen: " + lc.cfg.listen_host +
                " is not a loopback address; the API controls a firewall, so set allow_remote=true "
                "(and put TLS in front) if you really mean it");
  return lc;
}

nlohmann::json config_to_json(const Config& cfg) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& k : config_keys()) j[k.name] = k.get(cfg);
  return j;
}

}  // namespace pscope
