#!/usr/bin/env bash
# Runs scripts/sanitize-check.js (small sizes, CPU path) under valgrind memcheck against the
# regular addon build. Exits non-zero on any memcheck error or check failure.
#   LINREC_VALGRIND_ADDON=/path/linrec.node   check this build instead
# Valgrind does not decode AVX-512: on such CPUs a -march=native build would die with SIGILL,
# so this script then builds a portable copy (LINREC_NATIVE_ARCH=OFF) in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null; then
  echo "test-valgrind: valgrind is not installed (apt-get install valgrind)" >&2
  exit 2
fi
if [[ ! -f dist/index.js ]]; then
  echo "== building dist (npm run prepare)"
  npm run prepare
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

addon="${LINREC_VALGRIND_ADDON:-}"
if [[ -z "$addon" ]]; then
  if grep -q avx512 /proc/cpuinfo 2>/dev/null; then
    echo "== AVX-512 CPU: building a portable addon for valgrind in $tmp/build"
    npx cmake-js compile --out "$tmp/build" --CDLINREC_NATIVE_ARCH=OFF --CDLINREC_CUDA=OFF
    addon="$tmp/build/Release/linrec.node"
  else
    if [[ ! -f build-cmake/Release/linrec.node ]]; then
      echo "== building build-cmake"
      npx cmake-js compile --out build-cmake
    fi
    addon="$PWD/build-cmake/Release/linrec.node"
  fi
fi

# Suppressions for node/V8 itself (nothing in linrec.node is suppressed): V8's conservative
# stack scanning and its own allocators read memory memcheck considers uninitialised.
cat >"$tmp/node.supp" <<'EOF'
{
   node-v8-uninitialised-cond
   Memcheck:Cond
   obj:*/node
}
{
   node-v8-uninitialised-value8
   Memcheck:Value8
   obj:*/node
}
{
   node-syscall-params
   Memcheck:Param
   *
   obj:*/node
}
EOF

echo "== running scripts/sanitize-check.js under valgrind memcheck ($addon)"
LINREC_ADDON="$addon" LINREC_CHECK_SMALL=1 \
  valgrind --tool=memcheck --error-exitcode=1 --leak-check=no --track-origins=no \
  --fair-sched=yes --suppressions="$tmp/node.supp" --quiet \
  node scripts/sanitize-check.js
echo "test-valgrind: OK (no memcheck errors)"
