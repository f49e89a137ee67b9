// What the API needs from the rest of the daemon, as an interface: routes translate JSON to
// these calls and back, and unit tests drive the routes with a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/features.h"
#include "core/module.h"
#include "core/result.h"
#include "store/path_repo.h"
#include "tracer/tracer.h"

namespace pscope::api {

struct HealthInfo {
  std::string version;
  double uptime_s = 0;
  int64_t started_wall_ns = 0;
  std::vector<Feature> features;
  std::vector<ModuleStatus> modules;
};

struct DropItem {
  int64_t id = 0;
  int64_t wall_ns = 0;
  std::string reason;
  std::string location;
  uint32_t ifindex = 0;
  uint64_t netns = 0;
  std::string protocol;
  std::string src;
  std::string dst;
};

// A list query over stored packet paths. `filter` is a tcpdump-like expression; `socket` a
// socket cookie (its 4-tuple selects the packets, both directions).
struct PathListQuery {
  int limit = 50;
  std::optional<int64_t> before_id;
  std::string filter;
  std::optional<uint64_t> socket;
};

// Errors whose Error::code is kBadInput are the caller's fault (HTTP 400).
inline constexpr int kBadInput = -22;  // -EINVAL

class Facade {
 public:
  virtual ~Facade() = default;
  virtual HealthInfo health() const = 0;
  virtual nlohmann::json config() const = 0;  // never holds secrets
  virtual Result<tracer::TracerStats> tracer_stats() const = 0;
  // Newest first; before_id pages backwards.
  virtual Result<std::vector<DropItem>> recent_drops(int limit, std::optional<int64_t> before_id) const = 0;
  // Newest first, `detail` empty.
  virtual Result<std::vector<store::PathRow>> recent_paths(const PathListQuery& q) const = 0;
  // The stored path with its detail JSON; nullopt when no such id.
  virtual Result<std::optional<store::PathRow>> path(int64_t id) const = 0;
  // Socket table as JSON objects (see tracer/sockets.h); proto: "", tcp, udp or raw.
  virtual Result<nlohmann::json> sockets(const std::string& proto) const = 0;
  // The latest socket state changes (sock:inet_sock_set_state) as JSON objects, newest first,
  // at most `limit` (the daemon keeps the last 1000). An error when the tracer is off.
  virtual Result<nlohmann::json> socket_events(int limit) const = 0;
};

}  // namespace pscope::api
