// Daemon configuration: one table of keys, each settable from the config file (JSON), the
// environment (PACKETSCOPE_<KEY>) and a command-line flag (--<key>). Precedence, lowest to
// highest: built-in default < config file < environment < flag.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace pscope {

struct Config {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 9470;
  std::string data_dir = "/var/lib/packetscope";
  std::string web_root;  // empty: the built UI next to the binary or in the source tree
  std::string log_level = "info";
  std::vector<std::string> allowed_origins;  // extra Origins accepted on the stream
  bool allow_remote = false;                 // must be true to listen on a non-loopback address
  std::string ready_file;                    // written once serving (tests, supervisors)
  bool tracer_enabled = true;
  uint32_t tracer_drop_sample = 1;
  uint64_t drop_retention_rows = 100000;
  uint64_t drop_retention_age_s = 7 * 86400;
  bool tracer_paths = true;          // follow packets and keep their paths
  std::string tracer_filter;         // tcpdump-like expression: which paths the daemon keeps
  uint32_t path_store_rate = 500;    // paths stored (and streamed) per second at most
  uint32_t tracer_path_sample = 1;   // follow 1 in N packets (in the kernel)
  uint32_t tracer_path_rate = 1000;  // follow at most this many new packets per second (0 = all)
  uint64_t path_retention_rows = 200000;
  uint64_t path_retention_age_s = 86400;
  bool analyzer_enabled = true;
  uint32_t analyzer_latency_sample = 1;        // time 1 in N packets (volumes stay exact)
  uint64_t analyzer_history_s = 3600;          // 1 s samples kept this long
  uint64_t analyzer_rollup_s = 7 * 86400;      // 1 min roll-up kept this long
  uint32_t analyzer_flows_max = 65536;         // kernel flow table entries (LRU)
  uint32_t analyzer_top_n = 50;                // flows and processes in each snapshot
  bool guard_enabled = true;                   // open (or create) the Guarder's pinned state
  std::string guard_interfaces;                // "eth1,eth2:generic": attached at start (validated)
  std::string guard_pin_dir = "/sys/fs/bpf/packetscope/guard";
  uint32_t guard_max_rules = 100000;
};

// One entry of guard_interfaces: an interface name and "auto", "native" or "generic".
struct GuardInterface {
  std::string name;
  std::string mode = "auto";
};
// Parses a guard_interfaces list ("eth1,eth2:native"); an error names the bad entry.
Result<std::vector<GuardInterface>> parse_guard_interfaces(const std::string& v);

struct ConfigKey {
  std::string name;  // file key; flag is --name with '_' -> '-'; env is PACKETSCOPE_NAME
  std::string help;
  std::function<Result<void>(Config&, const std::string&)> set;
  std::function<nlohmann::json(const Config&)> get;
  std::string flag() const;
  std::string env() const;
};

const std::vector<ConfigKey>& config_keys();

// Where each effective value came from, for `serve --print-config` and the API.
enum class ConfigSource { kDefault, kFile, kEnv, kFlag };

struct LoadedConfig {
  Config cfg;
  std::map<std::string, ConfigSource> source;
  std::string file;  // the config file read, if any
};

// file: explicit path (must exist) or empty to try $PACKETSCOPE_CONFIG then
// /etc/packetscope/config.json (optional). flags: values given on the command line by key name.
// env: lookup function (injected for tests).
Result<LoadedConfig> load_config(const std::string& file, const std::map<std::string, std::string>& flags,
                                 const std::function<const char*(const char*)>& env);

// Non-secret view of the configuration for the API.
nlohmann::json config_to_json(const Config& cfg);

bool is_loopback_host(const std::string& host);

}  // namespace pscope
