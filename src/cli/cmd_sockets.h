// `packetscope sockets`: the live socket table (NETLINK_SOCK_DIAG).
#pragma once

#include <CLI/CLI.hpp>

namespace pscope::cli {

void add_sockets_command(CLI::App& app);

}  // namespace pscope::cli
