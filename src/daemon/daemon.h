// `packetscope serve`: composes storage, kernel modules and the API, and runs until SIGINT or
// SIGTERM, then detaches everything it attached.
#pragma once

#include "core/config.h"

namespace pscope::daemon {

// Returns the process exit code.
int serve(const LoadedConfig& lc);

}  // namespace pscope::daemon
