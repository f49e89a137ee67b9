// `packetscope guard ...`: the Guarder's rules, stats and interfaces through the running
// daemon's API (docs/guarder.md "CLI"). `guard detach` with no interface also works when the
// daemon is down. Exit codes: 0 done, 1 refused or failed, 2 usage.
#pragma once

#include <CLI/CLI.hpp>

namespace pscope::cli {

void add_guard_command(CLI::App& app);

}  // namespace pscope::cli
