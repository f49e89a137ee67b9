// `packetscope trace`: follow packets through the stack and print each one's path.
#pragma once

#include <CLI/CLI.hpp>

namespace pscope::cli {

void add_trace_command(CLI::App& app);

}  // namespace pscope::cli
