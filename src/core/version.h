// Build-time facts: the version and where this build's web UI lives (set by CMake).
#pragma once

namespace pscope {

inline constexpr const char* kVersion = PS_VERSION;
// web/dist of the source tree this binary was built from; used when web_root is not set.
inline constexpr const char* kBuiltWebRoot = PS_DEFAULT_WEB_ROOT;

}  // namespace pscope
