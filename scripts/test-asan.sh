#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/, CPU only)
# and runs scripts/sanitize-check.js against it under plain node, with gcc's sanitizer runtimes
# preloaded (node itself is not instrumented, so the runtime must come first).
# Exits non-zero on any sanitizer report or check failure.
#   LINREC_ASAN_SKIP_BUILD=1  reuse an existing build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

CXX_BIN="${CXX:-g++}"
if [[ "${LINREC_ASAN_SKIP_BUILD:-}" != 1 || ! -f build-asan/Release/linrec.node ]]; then
  echo "== building build-asan (LINREC_SANITIZE=ON, CUDA off)"
  npx cmake-js compile --out build-asan --CDLINREC_SANITIZE=ON --CDLINREC_CUDA=OFF
fi
if [[ ! -f dist/index.js ]]; then
  echo "== building dist (npm run prepare)"
  npm run prepare
fi

libasan="$("$CXX_BIN" -print-file-name=libasan.so)"
libubsan="$("$CXX_BIN" -print-file-name=libubsan.so)"
for lib in "$libasan" "$libubsan"; do
  if [[ "$lib" != /* || ! -e "$lib" ]]; then
    echo "test-asan: cannot find a sanitizer runtime ($lib); install gcc's libasan/libubsan" >&2
    exit 2
  fi
done

log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT
# detect_leaks=0: V8 and node leak by design at exit. Reports also go to log files, so a report
# from a thread that does not stop the process still fails the run.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:log_path=$log_dir/asan:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$log_dir/ubsan:${UBSAN_OPTIONS:-}"
export LINREC_ADDON="$PWD/build-asan/Release/linrec.node"

echo "== running scripts/sanitize-check.js under ASan+UBSan"
status=0
LD_PRELOAD="$libasan:$libubsan" node scripts/sanitize-check.js || status=$?

reports=$(find "$log_dir" -type f -size +0 2>/dev/null || true)
if [[ -n "$reports" ]]; then
  echo "test-asan: sanitizer reports:" >&2
  for f in $reports; do cat "$f" >&2; done
  status=1
fi
if [[ $status -ne 0 ]]; then
  echo "test-asan: FAILED (exit $status)" >&2
  exit "$status"
fi
echo "test-asan: OK (no sanitizer reports)"
