#include "cli/tracer_session.h"

#include <time.h>

#include <cstdio>

#include "core/log.h"

namespace pscope::cli {

sigset_t block_stop_signals() {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  log::route_libbpf();
  return sigs;
}

bool start_tracer(tracer::Tracer& tr, const char* cmd) {
  auto r = tr.check_support();
  if (r) r = tr.start();
  if (r) return true;
  std::fprintf(stderr, "packetscope %s: %s\n", cmd, r.error().what.c_str());
  return false;
}

void wait_for_stop(const sigset_t& sigs, std::atomic<bool>& done) {
  timespec tick{0, 200 * 1000 * 1000};
  while (!done.load()) {
    int sig = sigtimedwait(&sigs, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  done = true;
}

}  // namespace pscope::cli
