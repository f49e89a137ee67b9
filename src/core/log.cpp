// Logger set-up and the libbpf print bridge.
#include "core/log.h"

#include <bpf/libbpf.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdarg>
#include <cstdio>
#include <string>

namespace pscope::log {
namespace {

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  char buf[2048];
  int n = std::vsnprintf(buf, sizeof(buf), fmt, args);
  if (n <= 0) return 0;
  std::string msg(buf, static_cast<size_t>(std::min(n, static_cast<int>(sizeof(buf) - 1))));
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  switch (level) {
    case LIBBPF_WARN: spdlog::warn("libbpf: {}", msg); break;
    case LIBBPF_INFO: spdlog::debug("libbpf: {}", msg); break;
    default: spdlog::trace("libbpf: {}", msg); break;
  }
  return n;
}

}  // namespace

bool init(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return false;
  spdlog::drop("packetscope");  // init may run twice: CLI defaults, then the daemon's level
  auto logger = spdlog::stderr_color_mt("packetscope");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  return true;
}

void route_libbpf() { libbpf_set_print(libbpf_print); }

}  // namespace pscope::log
