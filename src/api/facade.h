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

class Facade {
 public:
  virtual ~Facade() = default;
  virtual HealthInfo health() const = 0;
  virtual nlohmann::json config() const = 0;  // never holds secrets
  virtual Result<tracer::TracerStats> tracer_stats() const = 0;
  // Newest first; before_id pages backwards.
  virtual Result<std::vector<DropItem>> recent_drops(int limit, std::optional<int64_t> before_id) const = 0;
};

}  // namespace pscope::api
