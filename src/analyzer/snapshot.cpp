// Names of the Snapshot enums, as used in JSON, metric names and the UI.
#include "analyzer/snapshot.h"

namespace pscope::analyzer {

const char* to_string(Layer l) noexcept {
  switch (l) {
    case Layer::kLink: return "link";
    case Layer::kNetwork: return "network";
    case Layer::kTransport: return "transport";
    case Layer::kSocket: return "socket";
  }
  return "unknown";
}

const char* to_string(Dir d) noexcept { return d == Dir::kRx ? "rx" : "tx"; }

}  // namespace pscope::analyzer
