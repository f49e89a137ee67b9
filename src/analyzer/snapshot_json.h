// The Snapshot as JSON, exactly the shape docs/analyzer.md shows: the API, the live stream and
// `packetscope top --json` all use these functions, so the UI sees one format.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "analyzer/snapshot.h"

namespace pscope::analyzer {

struct JsonOptions {
  size_t top_flows = 20;  // flows kept (the snapshot's first N: they are sorted by bytes)
  bool buckets = false;   // include each pair's 64 latency buckets
};

nlohmann::json to_json(const Snapshot& s, const JsonOptions& opts = {});
nlohmann::json to_json(const Flow& f);
nlohmann::json to_json(const Volume& v);
nlohmann::json to_json(const Latency& l, bool buckets = false);

}  // namespace pscope::analyzer
