// One logger for the whole program (spdlog), with libbpf's messages routed into it.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace pscope::log {

// level: debug|info|warn|error. Returns false for an unknown level name.
bool init(std::string_view level);
// Routes libbpf's print callback into the logger; verifier logs appear at warn on load failure.
void route_libbpf();

}  // namespace pscope::log
