// What `trace` and `sockets --watch` share: they run a Tracer of their own in the foreground
// until Ctrl-C/SIGTERM or until their sink says it has seen enough.
#pragma once

#include <signal.h>

#include <atomic>

#include "tracer/tracer.h"

namespace pscope::cli {

// Blocks SIGINT and SIGTERM in this thread (and the threads it starts), to be taken by
// wait_for_stop(), and routes libbpf's messages into the logger. Call before starting threads.
sigset_t block_stop_signals();
// Checks support and starts `tr`; on failure prints "packetscope <cmd>: <why>" and returns false.
bool start_tracer(tracer::Tracer& tr, const char* cmd);
// Returns on SIGINT/SIGTERM or once `done` is set; sets `done` either way.
void wait_for_stop(const sigset_t& sigs, std::atomic<bool>& done);

}  // namespace pscope::cli
