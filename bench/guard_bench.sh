#!/usr/bin/env bash
# Guarder cost, measured side by side in one run (issue 5: Guarder benchmark):
#  1. BPF_PROG_TEST_RUN ns/packet of an XDP program that only returns XDP_PASS, then of the
#     Guarder with 0, 10, 1 000, 10 000 and 100 000 rules, for a packet that hits a rule and one
#     that misses every rule (bench/guard_bench.cpp: guard_bench testrun).
#  2. A 64-byte UDP flood from an "attacker" namespace over a veth into a "victim" namespace:
#     nothing dropping it (baseline), our XDP drop rule on the victim's veth (alone, and among
#     100 000 rules), and the same drop rule in nftables (netdev ingress hook; ip prerouting at
#     raw priority). The generator (guard_bench gen, pinned to one CPU) hands frames to the veth
#     as XDP frames, as a NIC driver would: with an XDP program on the victim's veth they are
#     judged before any skb exists; the other modes get the XDP_PASS-only program there (a veth
#     takes XDP frames only with NAPI on) and their frames become skbs. (trafgen's skbs would
#     make the veth copy every packet before native XDP, which no NIC does.) Modes are
#     interleaved and repeated; each figure is a median. Dropped packets are counted by
#     guard_stats / the nft counter, CPU time from /proc/stat. The whole path runs on the
#     generator's CPU, the receive side in softirq: "per core" divides by softirq CPU time.
# Usage: sudo bench/guard_bench.sh [build-dir] [seconds-per-run] [repeats]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
SECS="${2:-5}"
REPS="${3:-3}"
TOOL="$BUILD/bench/guard_bench"
[[ $EUID -eq 0 ]] || { echo "bench: needs root" >&2; exit 1; }
[[ -x "$TOOL" ]] || { echo "bench: $TOOL not built (cmake --build $BUILD --target guard_bench)" >&2; exit 1; }
for t in nft bpftool nsenter taskset python3; do
  command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

echo "== 1. BPF_PROG_TEST_RUN cost by rule count"
"$TOOL" testrun 1000000 7

NS_A="psg$$-attacker"; NS_V="psg$$-victim"
PIN="/sys/fs/bpf/psgbench$$"
DATA=$(mktemp -d /tmp/psgbench.XXXXXX)
MODE_PID=""
cleanup() {
  [[ -n "$MODE_PID" ]] && kill "$MODE_PID" 2>/dev/null && wait "$MODE_PID" 2>/dev/null
  ip netns del "$NS_A" 2>/dev/null; ip netns del "$NS_V" 2>/dev/null
  rm -rf "$DATA" "$PIN"
  true
}
trap cleanup EXIT
ip netns add "$NS_A"; ip netns add "$NS_V"
ip -n "$NS_A" link add a0 type veth peer name v0 netns "$NS_V"
ip -n "$NS_A" addr add 10.204.0.1/24 dev a0; ip -n "$NS_V" addr add 10.204.0.2/24 dev v0
ip -n "$NS_A" link set a0 up; ip -n "$NS_V" link set v0 up
ip -n "$NS_A" link set lo up; ip -n "$NS_V" link set lo up
MAC_V=$(ip -n "$NS_V" -j link show v0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
CPU=1  # the flood's CPU: the generator's, and so the veth receive path's (softirq)

# Runs the tool in the victim's namespace until stop_mode. nsenter keeps the host's mount
# namespace, so the Guarder's pins live in the host's bpffs.
spawn_victim() {
  nsenter --net="/run/netns/$NS_V" "$TOOL" "$@" > "$DATA/victim.out" 2>&1 &
  MODE_PID=$!
  for _ in $(seq 300); do grep -q '^ready' "$DATA/victim.out" && break; sleep 0.1; done
  grep -q '^ready' "$DATA/victim.out" || { cat "$DATA/victim.out" >&2; exit 1; }
}
start_mode() {
  case "$1" in
    xdp) spawn_victim attach "$PIN" v0 10.204.0.1 0 ;;
    xdp100k) spawn_victim attach "$PIN" v0 10.204.0.1 100000 ;;
    *) spawn_victim passprog v0 ;;
  esac
  case "$1" in
    nft-ingress) ip netns exec "$NS_V" nft -f - <<'NFT'
table netdev psgbench {
  counter drops {}
  chain in { type filter hook ingress device v0 priority 0; ip saddr 10.204.0.1 counter name drops drop; }
}
NFT
      ;;
    nft-prerouting) ip netns exec "$NS_V" nft -f - <<'NFT'
table ip psgbench {
  counter drops {}
  chain pre { type filter hook prerouting priority raw; ip saddr 10.204.0.1 counter name drops drop; }
}
NFT
      ;;
  esac
}
stop_mode() {
  if [[ -n "$MODE_PID" ]]; then kill -INT "$MODE_PID" 2>/dev/null; wait "$MODE_PID" 2>/dev/null || true; fi
  MODE_PID=""
  ip netns exec "$NS_V" nft delete table netdev psgbench 2>/dev/null || true
  ip netns exec "$NS_V" nft delete table ip psgbench 2>/dev/null || true
}
# Packets the mode handled so far: dropped by us / by nft, or received by IP (baseline).
handled() {
  case "$1" in
    base) ip netns exec "$NS_V" cat /proc/net/snmp |
        python3 -c 'import sys; l=[x.split() for x in sys.stdin if x.startswith("Ip:")]; print(l[1][l[0].index("InReceives")])' ;;
    xdp|xdp100k) bpftool -j map lookup pinned "$PIN/guard_stats" key 3 0 0 0 |
        python3 -c 'import json,sys; print(sum(v["value"] for v in json.load(sys.stdin)["formatted"]["values"]))' ;;
    nft-*) ip netns exec "$NS_V" nft -j list counters |
        python3 -c 'import json,sys; print(sum(c["counter"]["packets"] for c in json.load(sys.stdin)["nftables"] if "counter" in c))' ;;
  esac
}
# "softirq-jiffies busy-jiffies-of-$CPU total-busy-jiffies" from /proc/stat.
cpu_sample() {
  python3 - "$CPU" <<'PY'
import sys
cpu = "cpu" + sys.argv[1]
soft = busy_cpu = busy = 0
for line in open("/proc/stat"):
    f = line.split()
    if not f[0].startswith("cpu") or f[0] == "cpu":
        continue
    v = list(map(int, f[1:9]))  # user nice system idle iowait irq softirq steal
    b = sum(v) - v[3] - v[4]
    soft += v[5] + v[6]; busy += b
    if f[0] == cpu:
        busy_cpu = b
print(soft, busy_cpu, busy)
PY
}
# One flood for $SECS seconds: prints "handled-pkt/s softirq-cores cpu-busy-share".
flood() {
  local mode="$1" h0 h1 s0 s1 t0 t1
  h0=$(handled "$mode"); s0=$(cpu_sample); t0=$(date +%s.%N)
  nsenter --net="/run/netns/$NS_A" taskset -c "$CPU" \
    "$TOOL" gen a0 "$SECS" 10.204.0.1 10.204.0.2 "$MAC_V" > "$DATA/gen.out"
  h1=$(handled "$mode"); s1=$(cpu_sample); t1=$(date +%s.%N)
  python3 - "$h0" "$h1" "$t0" "$t1" $s0 $s1 <<'PY'
import os, sys
h0, h1, t0, t1 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
a, b = list(map(int, sys.argv[5:8])), list(map(int, sys.argv[8:11]))
hz, dt = os.sysconf("SC_CLK_TCK"), t1 - t0
print((h1 - h0) / dt, (b[0] - a[0]) / hz / dt, (b[1] - a[1]) / hz / dt)
PY
}

echo
echo "== 2. UDP 64 B flood over veth, dropped on the victim (generator on CPU $CPU, ${SECS} s runs, $REPS repeats)"
MODES=(base xdp xdp100k nft-ingress nft-prerouting)
declare -A PPS SOFT BUSY
for m in "${MODES[@]}"; do PPS[$m]=""; SOFT[$m]=""; BUSY[$m]=""; done
for ((r = 1; r <= REPS; r++)); do
  for m in "${MODES[@]}"; do
    start_mode "$m"
    read -r p s b < <(flood "$m")
    stop_mode
    PPS[$m]+=" $p"; SOFT[$m]+=" $s"; BUSY[$m]+=" $b"
    printf 'run %d %-15s %10.0f pkt/s  softirq %.2f cores  cpu%d busy %.2f   (%s)\n' "$r" "$m" "$p" "$s" "$CPU" "$b" "$(cat "$DATA/gen.out")"
  done
done
args=()
for m in "${MODES[@]}"; do args+=("$m" "${PPS[$m]}" "${SOFT[$m]}" "${BUSY[$m]}"); done
python3 - "$REPS" "${args[@]}" <<'PY'
import statistics, sys
reps, rest = int(sys.argv[1]), sys.argv[2:]
names = {"base": "baseline: no drop rule (received by IP)", "xdp": "Guarder XDP drop, 1 rule",
         "xdp100k": "Guarder XDP drop, among 100 000 rules", "nft-ingress": "nftables netdev ingress drop",
         "nft-prerouting": "nftables ip prerouting (raw) drop"}
rows = {}
for i in range(0, len(rest), 4):
    med = lambda s: statistics.median(float(x) for x in s.split())
    rows[rest[i]] = (med(rest[i + 1]), med(rest[i + 2]), med(rest[i + 3]))
per_core = lambda r: r[0] / r[1] if r[1] > 0 else float("nan")
nft = rows["nft-ingress"]
print(f"\nmedians of {reps} runs")
print(f"{'mode':<42}{'pkt/s':>12}{'vs nft':>8}{'softirq cores':>15}{'cpu busy':>10}{'pkt/s per softirq core':>24}{'vs nft':>8}")
for k, r in rows.items():
    print(f"{names[k]:<42}{r[0]:>12.0f}{r[0] / nft[0]:>8.2f}{r[1]:>15.2f}{r[2]:>10.2f}{per_core(r):>24.0f}{per_core(r) / per_core(nft):>8.2f}")
print("pkt/s: dropped (baseline: received by IP) per second, generator and receiver sharing one CPU; vs nft: ratio to")
print("nftables netdev ingress; softirq cores: CPU time in softirq and irq, all CPUs, per second; per softirq core =")
print("pkt/s / softirq cores: the drop rate one core's receive path sustains")
PY
