#!/usr/bin/env bash
# Analyzer cost, measured side by side in one run (issue: Analyzer benchmark), with the set-up
# of the Tracer benchmark (bench/lib.sh): iperf3 TCP between two namespaces over veth and a
# 64-byte UDP flood, for: baseline; the daemon with only the analyzer (tracer off), timing every
# packet for latency (analyzer_latency_sample=1, the default); the same timing 1 in 16; and
# `packetscope top` (the analyzer without the daemon). Plus the analyzer's BPF run time per packet.
# Usage: sudo bench/analyzer_bench.sh [build-dir] [seconds-per-run] [repeats]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"  # parses [build-dir] [seconds-per-run] [repeats] into BIN, SECS, REPS

MODES=(base daemon sample16 top)
start_mode() {
  case "$1" in
    base) ;;
    daemon) bench_spawn "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA/d1" --tracer-enabled false ;;
    sample16) bench_spawn "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA/d2" --tracer-enabled false \
                --analyzer-latency-sample 16 ;;
    top) bench_spawn "$BIN" top --interval 1000 -n 1000000 ;;
  esac
}
stop_mode() { bench_stop; }
bench_run analyzer "$SECS" "$REPS" baseline "daemon, analyzer only (latency: every packet)" \
  "daemon, analyzer only (latency: 1 in 16)" "packetscope top"
