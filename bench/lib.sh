# Shared set-up of the benchmarks (sourced): two namespaces joined by a veth pair, iperf3
# throughput and packet-rate runs, medians, and BPF program run time (kernel.bpf_stats_enabled,
# switched on only while it is being measured: it adds two clock reads to every program run).
# The sourcing script sets ROOT, sources this with its arguments ([build-dir] [seconds-per-run]
# [repeats]: BIN, SECS, REPS), defines start_mode/stop_mode and MODES, then calls bench_run.
set -euo pipefail
[[ $EUID -eq 0 ]] || { echo "bench: needs root" >&2; exit 1; }
BIN="${1:-$ROOT/build}/packetscope"
SECS="${2:-5}"
REPS="${3:-3}"
[[ -x "$BIN" ]] || { echo "bench: $BIN not built (run scripts/setup.sh)" >&2; exit 1; }

NS_C="psb$$-client"; NS_S="psb$$-server"
MODE_PID=""
DATA=$(mktemp -d /tmp/psbench.XXXXXX)
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
bench_cleanup() {
  [[ -n "$MODE_PID" ]] && kill "$MODE_PID" 2>/dev/null && wait "$MODE_PID" 2>/dev/null
  ip netns pids "$NS_S" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null; ip netns del "$NS_S" 2>/dev/null
  sysctl -q kernel.bpf_stats_enabled="$STATS_WAS"
  rm -rf "$DATA"
  true
}
trap bench_cleanup EXIT
sysctl -q kernel.bpf_stats_enabled=0
ip netns add "$NS_C"; ip netns add "$NS_S"
ip -n "$NS_C" link add b0 type veth peer name b1 netns "$NS_S"
ip -n "$NS_C" addr add 10.203.0.1/24 dev b0; ip -n "$NS_S" addr add 10.203.0.2/24 dev b1
ip -n "$NS_C" link set b0 up; ip -n "$NS_S" link set b1 up
ip -n "$NS_C" link set lo up; ip -n "$NS_S" link set lo up

# Starts a background process for a mode and waits until its programs are attached.
bench_spawn() {
  "$@" >/dev/null 2>&1 &
  MODE_PID=$!
  sleep 2
}
bench_stop() {
  [[ -n "$MODE_PID" ]] && kill -INT "$MODE_PID" 2>/dev/null && wait "$MODE_PID" 2>/dev/null
  MODE_PID=""
  return 0
}

tcp_gbps() {  # $1: seconds
  ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.3
  ip netns exec "$NS_C" iperf3 -c 10.203.0.2 -t "$1" -J 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}
# Prints "received-pkt/s sent-packets" for a 64-byte UDP flood.
udp_pps() {  # $1: seconds
  ip netns exec "$NS_S" iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.3
  ip netns exec "$NS_C" iperf3 -c 10.203.0.2 -u -l 64 -b 0 -t "$1" -J 2>/dev/null |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["end"]["sum"]; print(e["packets"]*(1-e["lost_percent"]/100)/e["seconds"], e["packets"])'
}
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# Run time (ns) of BPF programs whose name starts with $1.
bpf_ns() {
  bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin) if p.get("name", "").startswith(sys.argv[1])))' "$1"
}

# bench_run PROG_PREFIX SECS REPS NAME...: MODES[i] is described by NAME i. Throughput runs are
# interleaved across modes and repeated with bpf_stats off; then one UDP run per mode with
# bpf_stats on gives the programs' ns per packet sent.
bench_run() {
  local prefix="$1" secs="$2" reps="$3"; shift 3
  local -a names=("$@")
  declare -A TCP UDP KNS
  local mode r t u sent k0 k1
  for mode in "${MODES[@]}"; do TCP[$mode]=""; UDP[$mode]=""; KNS[$mode]=0; done
  for ((r = 1; r <= reps; r++)); do
    for mode in "${MODES[@]}"; do
      start_mode "$mode"
      t=$(tcp_gbps "$secs")
      read -r u sent < <(udp_pps "$secs")
      stop_mode
      TCP[$mode]+=" $t"; UDP[$mode]+=" $u"
      printf 'run %d %-10s tcp %6.2f Gbit/s   udp64 %9.0f pkt/s\n' "$r" "$mode" "$t" "$u"
    done
  done
  for mode in "${MODES[@]}"; do
    [[ $mode == base ]] && continue
    start_mode "$mode"
    sysctl -q kernel.bpf_stats_enabled=1
    k0=$(bpf_ns "$prefix")
    read -r u sent < <(udp_pps 3)
    k1=$(bpf_ns "$prefix")
    sysctl -q kernel.bpf_stats_enabled=0
    stop_mode
    KNS[$mode]=$(python3 -c "print(($k1 - $k0) / max(1, $sent))")
  done
  local -a args=()
  for mode in "${MODES[@]}"; do
    args+=("$(median ${TCP[$mode]})" "$(median ${UDP[$mode]})" "${KNS[$mode]}")
  done
  python3 - "$reps" "${#names[@]}" "${names[@]}" "${args[@]}" <<'PY'
import sys
reps, n = int(sys.argv[1]), int(sys.argv[2])
names = sys.argv[3:3 + n]
v = list(map(float, sys.argv[3 + n:]))
rows = [v[i:i + 3] for i in range(0, len(v), 3)]
tb, ub, _ = rows[0]
print(f"\nmedians of {reps} runs (iperf3 between two namespaces over veth; modes interleaved in one run)")
print(f"{'mode':<44}{'TCP Gbit/s':>11}{'ratio':>8}{'UDP64 pkt/s':>13}{'ratio':>8}{'+ns/pkt':>9}{'BPF ns/pkt':>12}")
for name, (t, u, k) in zip(names, rows):
    add = (1e9 / u - 1e9 / ub) if u and ub else 0
    print(f"{name:<44}{t:>11.2f}{t / tb:>8.3f}{u:>13.0f}{u / ub:>8.3f}{add:>9.0f}{k:>12.0f}")
print("+ns/pkt: added wall time per received UDP packet; BPF ns/pkt: run time of the programs per UDP packet sent,")
print("measured in a separate run with kernel.bpf_stats_enabled=1 (off during the throughput runs)")
PY
}
