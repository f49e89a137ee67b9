#!/usr/bin/env bash
# Browser smoke test against the real daemon (ctest: browser.smoke).
#   run_browser_tests.sh <path-to-packetscope-binary> <web-dir>
# Starts `packetscope serve` on a free loopback port with a throw-away data dir,
# waits for its ready file, makes loopback traffic for the tracer to follow (pings
# of 127.0.0.1 and HTTP requests to the daemon, before and during the test), runs
# <web-dir>/tests/browser/smoke.mjs in headless Chromium with PS_URL/PS_TOKEN,
# stops the daemon and exits with the test's status.
# As root it also gives the Guarder traffic at XDP: a namespace of its own behind a veth pair
# whose root end (psb<pid>r, the only interface carrying 198.51.100.1/24 and 203.0.113.1/24)
# is attached through the API; TCP SYNs to :22 from 198.51.100.9 and pings from 203.0.113.9
# arrive there a few times a second. The end's name goes to the test as PS_GUARD_IFACE.
# Exit 77 (ctest SKIP_RETURN_CODE) when the machine cannot run a browser test.
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <packetscope-binary> <web-dir>" >&2
  exit 2
fi
BIN=$1
WEB=$(cd "$2" 2>/dev/null && pwd) || { echo "browser: web dir '$2' not found" >&2; exit 1; }
CHROMIUM=${PS_CHROMIUM:-/usr/bin/chromium}

if [[ ! -x "$CHROMIUM" ]]; then
  echo "browser: skipped: $CHROMIUM is missing (apt-get install chromium)"
  exit 77
fi
if ! command -v node >/dev/null 2>&1; then
  echo "browser: skipped: node is not installed"
  exit 77
fi
if [[ ! -x "$BIN" ]]; then
  echo "browser: daemon binary '$BIN' not found or not executable" >&2
  exit 1
fi
if [[ ! -d "$WEB/node_modules/playwright-core" ]]; then
  echo "browser: $WEB/node_modules is missing: run 'npm ci --no-audit --no-fund --ignore-scripts' in $WEB" >&2
  exit 1
fi
for tool in ping curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "browser: '$tool' is needed to make loopback traffic for the tracer (apt-get install iputils-ping curl)" >&2
    exit 1
  fi
done
if [[ ! -f "$WEB/dist/index.html" ]]; then
  echo "browser: $WEB/dist is missing: run 'npm run build' in $WEB" >&2
  exit 1
fi

TMP=$(mktemp -d /tmp/packetscope-browser.XXXXXX)
# The Guarder pins its state; a pin dir of its own keeps this test's (empty, throw-away) rule set
# away from a Guarder the host may run, and is removed at the end.
GUARD_PIN_DIR=/sys/fs/bpf/packetscope-browser-$$
DAEMON_PID=""
TRAFFIC_PID=""
# The Guarder's test interface: names carry our pid so they are clearly this run's.
GUARD_NS=psbrowser-$$
GUARD_IF=psb$$r
GUARD_PEER=psb$$n
GUARD_NET_MADE=0
GUARD_TRAFFIC_PIDS=()

stop_daemon() {
  [[ -n "$DAEMON_PID" ]] || return 0
  if kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID" 2>/dev/null
    for _ in $(seq 1 100); do
      kill -0 "$DAEMON_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$DAEMON_PID" 2>/dev/null; then
      echo "browser: daemon did not exit 10 s after SIGTERM; sending SIGKILL" >&2
      kill -KILL "$DAEMON_PID" 2>/dev/null
    fi
  fi
  wait "$DAEMON_PID" 2>/dev/null
  DAEMON_PID=""
}

stop_traffic() {
  [[ -n "$TRAFFIC_PID" ]] || return 0
  kill -TERM "$TRAFFIC_PID" 2>/dev/null
  wait "$TRAFFIC_PID" 2>/dev/null
  TRAFFIC_PID=""
}

stop_guard_net() {
  local pid
  for pid in "${GUARD_TRAFFIC_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  GUARD_TRAFFIC_PIDS=()
  [[ $GUARD_NET_MADE -eq 1 ]] || return 0
  # Only what this run made: the namespace (taking the peer end with it) and the root end.
  ip netns del "$GUARD_NS" 2>/dev/null
  if ip link show dev "$GUARD_IF" >/dev/null 2>&1; then ip link del dev "$GUARD_IF" 2>/dev/null; fi
  GUARD_NET_MADE=0
}

cleanup() {
  stop_traffic
  stop_guard_net
  stop_daemon
  rm -rf "$TMP"
  if [[ -d "$GUARD_PIN_DIR" ]]; then rm -rf "$GUARD_PIN_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$TMP/data"
"$BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" --ready-file "$TMP/ready.json" \
  --web-root "$WEB/dist" --guard-pin-dir "$GUARD_PIN_DIR" >"$TMP/daemon.log" 2>&1 &
DAEMON_PID=$!

# ready.json: {"url":"http://127.0.0.1:PORT/","port":PORT,"token":"<hex>","pid":N}
read_ready() {
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (typeof j.url !== "string" || typeof j.token !== "string") process.exit(1);
    process.stdout.write(j.url + "\n" + j.token + "\n");
  ' "$TMP/ready.json" 2>/dev/null
}

READY=""
for _ in $(seq 1 300); do
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
    wait "$DAEMON_PID"
    echo "browser: daemon exited early with status $?; its output:" >&2
    sed 's/^/  | /' "$TMP/daemon.log" >&2
    DAEMON_PID=""
    exit 1
  fi
  if [[ -s "$TMP/ready.json" ]] && READY=$(read_ready); then
    break
  fi
  READY=""
  sleep 0.1
done
if [[ -z "$READY" ]]; then
  echo "browser: no valid $TMP/ready.json within 30 s; daemon output:" >&2
  sed 's/^/  | /' "$TMP/daemon.log" >&2
  exit 1
fi
PS_URL=$(sed -n 1p <<<"$READY")
PS_TOKEN=$(sed -n 2p <<<"$READY")
echo "browser: daemon ready at $PS_URL (pid $DAEMON_PID)"

# The namespace, the veth pair, the attachment and the senders; returns 1 with a message on failure.
start_guard_net() {
  local tool
  for tool in ip hping3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "browser: '$tool' is needed for the Guarder's test traffic (apt-get install iproute2 hping3)" >&2; return 1; }
  done
  if ip link show dev "$GUARD_IF" >/dev/null 2>&1 || ip netns list | grep -qw "$GUARD_NS"; then
    echo "browser: $GUARD_IF or namespace $GUARD_NS already exists; not touching it" >&2
    return 1
  fi
  GUARD_NET_MADE=1
  ip netns add "$GUARD_NS" &&
    ip link add "$GUARD_IF" type veth peer name "$GUARD_PEER" &&
    ip link set "$GUARD_PEER" netns "$GUARD_NS" &&
    ip addr add 198.51.100.1/24 dev "$GUARD_IF" &&
    ip addr add 203.0.113.1/24 dev "$GUARD_IF" &&
    ip link set "$GUARD_IF" up &&
    ip -n "$GUARD_NS" addr add 198.51.100.9/24 dev "$GUARD_PEER" &&
    ip -n "$GUARD_NS" addr add 203.0.113.9/24 dev "$GUARD_PEER" &&
    ip -n "$GUARD_NS" link set "$GUARD_PEER" up &&
    ip -n "$GUARD_NS" link set lo up || { echo "browser: could not set up the Guarder's test namespace" >&2; return 1; }
  local reply
  reply=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST -H "Authorization: Bearer $PS_TOKEN" \
    -H 'Content-Type: application/json' -d "{\"ifname\":\"$GUARD_IF\",\"mode\":\"auto\"}" \
    "${PS_URL}api/v1/guard/interfaces")
  if [[ $(tail -n 1 <<<"$reply") != 200 ]]; then
    echo "browser: attaching the Guarder to $GUARD_IF failed: $(head -n -1 <<<"$reply")" >&2
    return 1
  fi
  echo "browser: guarder attached to $GUARD_IF: $(head -n -1 <<<"$reply")"
  # `ip netns exec` execs the command, so these pids are the senders themselves. A fixed source
  # port (-s -k) keeps the SYNs in one flow.
  ip netns exec "$GUARD_NS" hping3 -q -S -s 40022 -k -p 22 -i u200000 198.51.100.1 >/dev/null 2>&1 &
  GUARD_TRAFFIC_PIDS+=($!)
  ip netns exec "$GUARD_NS" ping -q -i 0.2 -I 203.0.113.9 203.0.113.1 >/dev/null 2>&1 &
  GUARD_TRAFFIC_PIDS+=($!)
}

GUARD_IFACE_ENV=""
if [[ $EUID -eq 0 ]]; then
  start_guard_net || exit 1
  GUARD_IFACE_ENV=$GUARD_IF
else
  echo "browser: not root: no test interface for the Guarder, its traffic steps will say skipped"
fi

# Loopback only. One round now, so packets are stored before the Monitor steps look,
# then one a second while the test runs.
traffic_round() {
  ping -c "$1" -i 0.2 -W 1 127.0.0.1 >/dev/null 2>&1
  curl -s -o /dev/null --max-time 2 -H "Authorization: Bearer $PS_TOKEN" "${PS_URL}api/v1/health"
}
traffic_round 3
( trap 'exit 0' TERM; while :; do traffic_round 1; sleep 1; done ) &
TRAFFIC_PID=$!

PS_URL=$PS_URL PS_TOKEN=$PS_TOKEN PS_GUARD_IFACE=$GUARD_IFACE_ENV timeout --kill-after=5 210 node "$WEB/tests/browser/smoke.mjs"
STATUS=$?
if [[ $STATUS -eq 124 ]]; then
  echo "browser: smoke.mjs timed out after 210 s" >&2
fi

stop_traffic
stop_guard_net
if [[ $STATUS -ne 0 ]]; then
  echo "browser: daemon output (last 60 lines):" >&2
  tail -n 60 "$TMP/daemon.log" | sed 's/^/  | /' >&2
fi
stop_daemon
exit $STATUS
