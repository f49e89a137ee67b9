#!/usr/bin/env bash
# Sets up (packages + build) and runs every test layer through ctest:
#   unit     GoogleTest, pure logic                       (also unit-web: vitest for the UI)
#   bpf      the real BPF programs via BPF_PROG_TEST_RUN  (root)
#   e2e      real daemon, namespaces, veth, real traffic  (root)
#   browser  Debian chromium + playwright-core against the real daemon (root)
# Under CI (CI=true) a skipped test is a failure: every layer must really run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PACKETSCOPE_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"

LOG="$BUILD_DIR/ctest.log"
# Unit layers run in parallel; kernel-touching tests are RUN_SERIAL in their CMake definitions.
set +e
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
if [[ "${CI:-}" == "true" ]] && grep -q "The following tests did not run" "$LOG"; then
  echo "test.sh: tests were skipped under CI; every layer must run here (see the list above)" >&2
  status=1
fi
exit "$status"
