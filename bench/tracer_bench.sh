#!/usr/bin/env bash
# Tracer cost, measured side by side in one run (issue: Tracer benchmark):
#   iperf3 TCP between two namespaces over veth: baseline, tracer with a filter that matches
#   nothing, tracer following every packet; and a 64-byte UDP flood (packets/s received).
# Modes are interleaved and repeated (iperf3 over veth swings +-5 %): medians are reported.
# Usage: sudo bench/tracer_bench.sh [build-dir] [seconds-per-run] [repeats]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/build}/packetscope"
SECS="${2:-5}"
REPS="${3:-3}"
[[ $EUID -eq 0 ]] || { echo "bench: needs root" >&2; exit 1; }
[[ -x "$BIN" ]] || { echo "bench: $BIN not built (run scripts/setup.sh)" >&2; exit 1; }

NS_C="psb$$-client"; NS_S="psb$$-server"
TRACE_PID=""
cleanup() {
  [[ -n "$TRACE_PID" ]] && kill "$TRACE_PID" 2>/dev/null && wait "$TRACE_PID" 2>/dev/null
  ip netns pids "$NS_S" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null; ip netns del "$NS_S" 2>/dev/null
  true
}
trap cleanup EXIT
ip netns add "$NS_C"; ip netns add "$NS_S"
ip -n "$NS_C" link add b0 type veth peer name b1 netns "$NS_S"
ip -n "$NS_C" addr add 10.203.0.1/24 dev b0; ip -n "$NS_S" addr add 10.203.0.2/24 dev b1
ip -n "$NS_C" link set b0 up; ip -n "$NS_S" link set b1 up
ip -n "$NS_C" link set lo up; ip -n "$NS_S" link set lo up
ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1 || true

start_tracer() {  # $1: mode
  case "$1" in
    base) TRACE_PID="" ;;
    nomatch) "$BIN" trace host 192.0.2.99 >/dev/null 2>&1 & TRACE_PID=$! ;;
    all) "$BIN" trace --json >/dev/null 2>&1 & TRACE_PID=$! ;;
  esac
  [[ -n "$TRACE_PID" ]] && sleep 2  # programs loaded and attached
  return 0
}
stop_tracer() {
  [[ -n "$TRACE_PID" ]] && kill -INT "$TRACE_PID" 2>/dev/null && wait "$TRACE_PID" 2>/dev/null
  TRACE_PID=""
}
tcp_gbps() {
  ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.3
  ip netns exec "$NS_C" iperf3 -c 10.203.0.2 -t "$SECS" -J 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}
udp_pps() {
  ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.3
  ip netns exec "$NS_C" iperf3 -c 10.203.0.2 -u -l 64 -b 0 -t "$SECS" -J 2>/dev/null |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum"]; print(e["packets"]*(1-e["lost_percent"]/100)/e["seconds"])'
}
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

declare -A TCP UDP
for mode in base nomatch all; do TCP[$mode]=""; UDP[$mode]=""; done
for ((r = 1; r <= REPS; r++)); do
  for mode in base nomatch all; do
    start_tracer "$mode"
    t=$(tcp_gbps); u=$(udp_pps)
    stop_tracer
    TCP[$mode]+=" $t"; UDP[$mode]+=" $u"
    printf 'run %d %-8s tcp %6.2f Gbit/s   udp64 %9.0f pkt/s\n' "$r" "$mode" "$t" "$u"
  done
done
tb=$(median ${TCP[base]}); tn=$(median ${TCP[nomatch]}); ta=$(median ${TCP[all]})
ub=$(median ${UDP[base]}); un=$(median ${UDP[nomatch]}); ua=$(median ${UDP[all]})
python3 - "$tb" "$tn" "$ta" "$ub" "$un" "$ua" <<'PY'
import sys
tb, tn, ta, ub, un, ua = map(float, sys.argv[1:])
print("\nmedians over runs (iperf3 over veth, one run, interleaved modes)")
print(f"{'mode':<22}{'TCP Gbit/s':>12}{'ratio':>9}{'UDP64 pkt/s':>14}{'ratio':>9}{'+ns/pkt':>10}")
for name, t, u in (("baseline", tb, ub), ("filter matches none", tn, un), ("following every packet", ta, ua)):
    add = (1e9 / u - 1e9 / ub) if u and ub else 0
    print(f"{name:<22}{t:>12.2f}{t / tb:>9.3f}{u:>14.0f}{u / ub:>9.3f}{add:>10.0f}")
PY
