#!/usr/bin/env bash
# Tracer cost, measured side by side in one run (issue: Tracer benchmark): iperf3 TCP between
# two namespaces over veth and a 64-byte UDP flood (packets/s received) for: baseline; the
# tracer with a filter that matches nothing; the tracer following every packet (`trace --json`
# printing each one); the tracer following every packet with the pcapng writer; the daemon with
# its defaults, analyzer off (follows at most tracer_path_rate new packets/s) and with tracer_path_rate=0
# (follows every packet). Plus the run time of the tracer's BPF programs per packet.
# Usage: sudo bench/tracer_bench.sh [build-dir] [seconds-per-run] [repeats]
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/bench/lib.sh"  # parses [build-dir] [seconds-per-run] [repeats] into BIN, SECS, REPS

MODES=(base nomatch all pcap daemon daemon-all)
start_mode() {
  case "$1" in
    base) ;;
    nomatch) bench_spawn "$BIN" trace host 192.0.2.99 ;;
    all) bench_spawn "$BIN" trace --json ;;
    pcap) bench_spawn "$BIN" trace -w "$DATA/all.pcapng" ;;
    # The analyzer is off here: bench/analyzer_bench.sh measures it.
    daemon) bench_spawn "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA/d1" --analyzer-enabled false ;;
    daemon-all) bench_spawn "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA/d2" --analyzer-enabled false \
                  --tracer-path-rate 0 ;;
  esac
}
stop_mode() { bench_stop; rm -f "$DATA/all.pcapng"; }
bench_run tracer "$SECS" "$REPS" baseline "filter matches none" "following every packet (trace --json)" \
  "following every packet (trace -w pcapng)" "daemon defaults (tracer_path_rate=1000)" \
  "daemon following every packet (rate 0)"
