#!/usr/bin/env bash
# Tracer cost, measured side by side in one run (issue: Tracer benchmark):
#   iperf3 TCP between two namespaces over veth: baseline, tracer with a filter that matches
#   nothing, tracer following every packet (the trace CLI printing JSON for each), and the
#   daemon with its defaults; a 64-byte UDP flood (packets/s received); and the run time of the
#   tracer's BPF programs per packet (kernel.bpf_stats_enabled).
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
  sysctl -q kernel.bpf_stats_enabled="${STATS_WAS:-0}"
  rm -rf "$DATA"
  true
}
trap cleanup EXIT
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q kernel.bpf_stats_enabled=1
ip netns add "$NS_C"; ip netns add "$NS_S"
ip -n "$NS_C" link add b0 type veth peer name b1 netns "$NS_S"
ip -n "$NS_C" addr add 10.203.0.1/24 dev b0; ip -n "$NS_S" addr add 10.203.0.2/24 dev b1
ip -n "$NS_C" link set b0 up; ip -n "$NS_S" link set b1 up
ip -n "$NS_C" link set lo up; ip -n "$NS_S" link set lo up
ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1 || true

DATA=$(mktemp -d /tmp/psbench.XXXXXX)
start_tracer() {  # $1: mode
  case "$1" in
    base) TRACE_PID="" ;;
    nomatch) "$BIN" trace host 192.0.2.99 >/dev/null 2>&1 & TRACE_PID=$! ;;
    all) "$BIN" trace --json >/dev/null 2>&1 & TRACE_PID=$! ;;
    daemon) "$BIN" serve --listen 127.0.0.1:0 --data-dir "$DATA" >/dev/null 2>&1 & TRACE_PID=$! ;;
  esac
  [[ -n "$TRACE_PID" ]] && sleep 2  # programs loaded and attached
  return 0
}
# Sum of run time of the tracer's BPF programs (kernel.bpf_stats_enabled), in ns.
bpf_ns() {
  bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin) if p.get("name", "").startswith("tracer")))'
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
# Prints "received-pkt/s sent-packets".
udp_pps() {
  ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.3
  ip netns exec "$NS_C" iperf3 -c 10.203.0.2 -u -l 64 -b 0 -t "$SECS" -J 2>/dev/null |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum"]; print(e["packets"]*(1-e["lost_percent"]/100)/e["seconds"], e["packets"])'
}
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

MODES=(base nomatch all daemon)
declare -A TCP UDP KNS
for mode in "${MODES[@]}"; do TCP[$mode]=""; UDP[$mode]=""; KNS[$mode]=""; done
for ((r = 1; r <= REPS; r++)); do
  for mode in "${MODES[@]}"; do
    start_tracer "$mode"
    t=$(tcp_gbps)
    k0=$(bpf_ns)
    read -r u sent < <(udp_pps)
    k1=$(bpf_ns)
    stop_tracer
    kns=$(python3 -c "print(($k1 - $k0) / max(1, $sent))")
    TCP[$mode]+=" $t"; UDP[$mode]+=" $u"; KNS[$mode]+=" $kns"
    printf 'run %d %-8s tcp %6.2f Gbit/s   udp64 %9.0f pkt/s   kernel %6.0f ns/pkt\n' "$r" "$mode" "$t" "$u" "$kns"
  done
done
args=()
for mode in "${MODES[@]}"; do
  args+=("$(median ${TCP[$mode]})" "$(median ${UDP[$mode]})" "$(median ${KNS[$mode]})")
done
python3 - "${args[@]}" <<'PY'
import sys
v = list(map(float, sys.argv[1:]))
rows = [v[i:i + 3] for i in range(0, len(v), 3)]
names = ["baseline", "filter matches none", "following every packet (trace --json)", "daemon (all paths, stores <= 500/s)"]
tb, ub, _ = rows[0]
print("\nmedians over runs (iperf3 between two namespaces over veth; modes interleaved in one run)")
print(f"{'mode':<40}{'TCP Gbit/s':>11}{'ratio':>8}{'UDP64 pkt/s':>13}{'ratio':>8}{'+ns/pkt':>9}{'BPF ns/pkt':>12}")
for name, (t, u, k) in zip(names, rows):
    add = (1e9 / u - 1e9 / ub) if u and ub else 0
    print(f"{name:<40}{t:>11.2f}{t / tb:>8.3f}{u:>13.0f}{u / ub:>8.3f}{add:>9.0f}{k:>12.0f}")
print("+ns/pkt: added wall time per received UDP packet; BPF ns/pkt: run time of the tracer's programs per packet sent (kernel.bpf_stats_enabled)")
PY
