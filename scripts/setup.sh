#!/usr/bin/env bash
# Idempotent set-up: installs every Debian and npm package PacketScope needs, then builds.
# Used by both README commands (scripts/run.sh and scripts/test.sh); safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PACKETSCOPE_BUILD_DIR:-$ROOT/build}"

# Build toolchain and libraries, then the tools the tests and the daemon drive.
DEB_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
  libboost1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev libexpected-dev
  libsqlite3-dev sqlite3 libmaxminddb-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev googletest
  nodejs chromium
  iproute2 nftables iputils-ping iperf3 hping3 nmap tcpdump tshark netsniff-ng
  python3-scapy arping traceroute mtr-tiny prometheus procps psmisc
)

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

need_root() {
  if [[ $EUID -ne 0 ]]; then
    echo "setup: run as root (packages are installed with apt-get and the daemon loads eBPF programs)" >&2
    exit 1
  fi
}

install_debs() {
  local missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # This machine kind ships Node 20 whose nodejs package bundles npm; Debian's own nodejs needs
  # the separate npm package.
  command -v npm >/dev/null || missing+=(npm)
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all ${#DEB_PACKAGES[@]} present"
    return
  fi
  log "Debian packages missing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -q
  # 1.74 -dev headers conflict with 1.81; remove them if an earlier install pulled them in.
  if dpkg-query -W -f='${Status}' libboost1.74-dev 2>/dev/null | grep -q "install ok installed"; then
    apt-get remove -y -q libboost1.74-dev
  fi
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_npm() {
  log "npm packages (web UI, browser tests, GeoIP databases)"
  (cd "$ROOT/web" && if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund --ignore-scripts; else npm install --no-audit --no-fund --ignore-scripts; fi)
}

build_web() {
  log "building web UI"
  (cd "$ROOT/web" && npm run build --silent)
}

build_native() {
  log "building packetscope (cmake, ${BUILD_DIR})"
  local werror=OFF
  [[ "${CI:-}" == "true" || "${PACKETSCOPE_WERROR:-}" == "1" ]] && werror=ON
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${PACKETSCOPE_BUILD_TYPE:-RelWithDebInfo}" \
    -DPACKETSCOPE_WERROR="$werror" >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

need_root
install_debs
[[ -d "$ROOT/web" ]] && install_npm && build_web
build_native
log "done: $BUILD_DIR/packetscope"
