// The life cycle every PacketScope module shares (Tracer, Analyzer, Locator, Guarder).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace pscope {

enum class ModuleState { kNotImplemented, kDisabled, kStarting, kRunning, kFailed, kStopped };

std::string_view to_string(ModuleState s) noexcept;

struct ModuleStatus {
  std::string name;
  ModuleState state = ModuleState::kStopped;
  std::string detail;  // why it is not running, or what it runs on
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const noexcept = 0;
  // Says why the module cannot run here (missing kernel feature, permission), before start().
  virtual Result<void> check_support() { return {}; }
  virtual Result<void> start() = 0;  // open -> configure -> load -> attach
  virtual void stop() noexcept = 0;  // idempotent; detaches everything start() attached
  virtual ModuleStatus status() const = 0;
};

}  // namespace pscope
