// `packetscope top`: a live terminal view of the Analyzer (per-layer volume, layer-pair
// latency, drops, top flows), or one JSON snapshot per line.
#pragma once

#include <CLI/CLI.hpp>

namespace pscope::cli {

void add_top_command(CLI::App& app);

}  // namespace pscope::cli
