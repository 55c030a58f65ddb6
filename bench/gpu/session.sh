#!/usr/bin/env bash
# The GPU session in two device calls (each under the 10-minute command limit), run from the
# repository root on the GPU machine after `. .device/setup.sh`; results go to $OUT.
#   bash bench/gpu/session.sh tests   build (with LINREC_TEST_HOOKS, for the fault test), then the
#                                     GPU suites (test/20, test/21) and the whole jest suite
#   bash bench/gpu/session.sh bench   npm run bench:gpu: gpu.json/gpu.md, the kernel check and
#                                     compute-sanitizer memcheck/racecheck/synccheck (2 min each)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/linrec-out}
mkdir -p "$OUT"
case "${1:-}" in
  tests)
    { npx cmake-js configure --out build-cmake --CDLINREC_TEST_HOOKS=ON &&
      npx cmake-js build --out build-cmake && npm run prepare; } > "$OUT/build.log" 2>&1 ||
      { tail -n 60 "$OUT/build.log"; exit 1; }
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/device.txt" 2>&1
    npx jest test/20 test/21 --json --outputFile="$OUT/gpu-tests.json" > "$OUT/gpu-tests.log" 2>&1
    echo "GPU suites: exit $?"
    grep -E "✕|Tests:" "$OUT/gpu-tests.log" | head -n 40
    npx jest --json --outputFile="$OUT/all-tests.json" > "$OUT/all-tests.log" 2>&1
    echo "whole suite: exit $?"
    grep -E "✕|Tests:" "$OUT/all-tests.log" | head -n 40
    ;;
  bench)
    SANITIZER_TIMEOUT=${SANITIZER_TIMEOUT:-120} npm run bench:gpu > "$OUT/bench.log" 2>&1
    echo "bench:gpu: exit $?"
    tail -n 40 "$OUT/bench.log"
    cp bench/results/gpu.json bench/results/gpu.md bench/results/gpu-check.txt bench/results/gpu-sanitizer.txt \
      bench/results/gpu-ptxas.txt "$OUT/" 2>/dev/null
    ;;
  *)
    echo "usage: bash bench/gpu/session.sh tests|bench" >&2
    exit 2
    ;;
esac
