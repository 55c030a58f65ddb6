#!/usr/bin/env bash
# The GPU session in three device calls, each self-contained (a machine keeps nothing once it
# goes back, 30 s after a call) and under the 10-minute command limit. Run from the repository
# root on the GPU machine after `. .device/setup.sh`; results go to $OUT (at most 8 files each).
#   bash bench/gpu/session.sh tests   build the addon (LINREC_TEST_HOOKS, for the fault test); the
#                                     GPU suites (test/20, test/21), then the whole jest suite
#   bash bench/gpu/session.sh bench   npm run bench:gpu without the check: gpu.json, gpu.md (the
#                                     Node harness's rows too when the addon is built)
#   bash bench/gpu/session.sh check   the kernel check, then compute-sanitizer memcheck,
#                                     racecheck and synccheck (SANITIZER_TIMEOUT s each, default 100)
# After the bench call, back on a machine with nvcc and nvdisasm (no GPU needed), test the
# performance model written down before the run (bench/NOTES.md, "Predictions before any GPU run"):
#   python3 bench/gpu/model.py --compare bench/results/gpu.json    (also: npm run bench:model)
# prints measured / floor beside predicted / floor per case, for the kernels in the tree.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/linrec-out}
mkdir -p "$OUT"
build_addon() {
  { npx cmake-js configure --out build-cmake --CDLINREC_TEST_HOOKS=ON && npx cmake-js build --out build-cmake &&
    npm run prepare; } > "$OUT/build.log" 2>&1 || { tail -n 60 "$OUT/build.log"; exit 1; }
}
case "${1:-}" in
  tests)
    build_addon
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/device.txt" 2>&1
    npx jest test/20 test/21 --json --outputFile="$OUT/gpu-tests.json" > "$OUT/gpu-tests.log" 2>&1
    echo "GPU suites: exit $?"
    grep -E "✕|Tests:" "$OUT/gpu-tests.log" | head -n 40
    npx jest --json --outputFile="$OUT/all-tests.json" > "$OUT/all-tests.log" 2>&1
    echo "whole suite: exit $?"
    grep -E "✕|Tests:" "$OUT/all-tests.log" | head -n 40
    ;;
  bench)
    [[ -f build-cmake/Release/linrec.node ]] || SKIP_NODE_BENCH=1
    SKIP_CHECK=1 SKIP_NODE_BENCH=${SKIP_NODE_BENCH:-0} npm run bench:gpu > "$OUT/bench.log" 2>&1
    echo "bench:gpu: exit $?"
    tail -n 30 "$OUT/bench.log"
    cp bench/results/gpu.json bench/results/gpu.md bench/results/gpu-ptxas.txt "$OUT/" 2>/dev/null
    cp bench/results/gpu-node.json bench/results/gpu-node.md "$OUT/" 2>/dev/null
    ;;
  check)
    SKIP_BENCH=1 SANITIZER_TIMEOUT=${SANITIZER_TIMEOUT:-100} npm run bench:gpu > "$OUT/check.log" 2>&1
    echo "check + sanitizers: exit $?"
    tail -n 40 "$OUT/check.log"
    cp bench/results/gpu-check.txt bench/results/gpu-sanitizer.txt bench/gpu/build/sanitizer-*.log "$OUT/" 2>/dev/null
    ;;
  *)
    echo "usage: bash bench/gpu/session.sh tests|bench|check" >&2
    exit 2
    ;;
esac
