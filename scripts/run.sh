#!/usr/bin/env bash
# Sets up (packages + build) and starts the PacketScope daemon in the foreground.
# UI + API on http://127.0.0.1:9470/ (the exact URL, with the access token, is printed).
# Extra arguments go to `packetscope serve` (see `build/packetscope serve --help`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
exec "${PACKETSCOPE_BUILD_DIR:-$ROOT/build}/packetscope" serve "$@"
