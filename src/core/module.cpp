#include "core/module.h"

namespace pscope {

std::string_view to_string(ModuleState s) noexcept {
  switch (s) {
    case ModuleState::kNotImplemented: return "not_implemented";
    case ModuleState::kDisabled: return "disabled";
    case ModuleState::kStarting: return "starting";
    case ModuleState::kRunning: return "running";
    case ModuleState::kFailed: return "failed";
    case ModuleState::kStopped: return "stopped";
  }
  return "unknown";
}

}  // namespace pscope
