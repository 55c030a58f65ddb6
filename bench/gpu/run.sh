#!/usr/bin/env bash
# Builds and runs the GPU benchmarks, then writes bench/results/gpu.json and gpu.md; then runs
# the kernel check (bench/results/gpu-check.txt) and, where compute-sanitizer exists, the check
# in quick mode under memcheck, racecheck and synccheck (bench/results/gpu-sanitizer.txt).
#   bench/gpu/run.sh [arch]     (also `npm run bench:gpu` from the repo root)
# SKIP_TORCH=1 leaves the torch recipe out; SKIP_NODE_BENCH=1 the Node harness's GPU rows;
# SKIP_BENCH=1 the engine benchmark (gpu.json/gpu.md); SKIP_CHECK=1 the check and sanitizer runs; SANITIZER_TIMEOUT (seconds per tool, default 1800:
# mind a device session's 10-minute command limit).
# Needs nvcc (PATH or /usr/local/cuda/bin) and python3; torch with CUDA for the seed recipe.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GIT_COMMIT=${GIT_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
bench/gpu/build.sh "$@"
mkdir -p bench/results
cp bench/gpu/build/ptxas.txt bench/results/gpu-ptxas.txt
if [[ "${SKIP_BENCH:-0}" != 1 ]]; then
bench/gpu/build/bench_gpu > bench/gpu/build/engine.json
if [[ "${SKIP_TORCH:-0}" != 1 ]] && python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  python3 bench/gpu/seed_recipe_torch.py > bench/gpu/build/torch.json
else
  echo "torch with CUDA not available: seed recipe skipped" >&2
  echo "null" > bench/gpu/build/torch.json
fi
python3 bench/gpu/report.py
fi  # SKIP_BENCH

# ---------------------------------------------------------------------------------------------
# The same harness as `npm run bench`, with the GPU rows (from host arrays and DeviceArrays,
# against the JS and C++ loops and the CPU backend, up to 10^8): gpu-node.json/.md and charts.
# Needs the addon and dist/ built (npm run build). SKIP_NODE_BENCH=1 leaves it out.
if [[ "${SKIP_NODE_BENCH:-0}" != 1 && "${SKIP_BENCH:-0}" != 1 ]]; then
  node -e "require('./bench/harness').main({ name: 'gpu-node', defaults: { gpu: true }, argv: ['--large', '--no-accuracy'] })" \
    || echo "node harness failed (is the addon built?)" >&2
fi

# ---------------------------------------------------------------------------------------------
# Correctness: the check program in full, then in quick mode under compute-sanitizer.
if [[ "${SKIP_CHECK:-0}" == 1 ]]; then
  exit 0
fi
status=0
echo "running bench/gpu/build/check (full) -> bench/results/gpu-check.txt" >&2
bench/gpu/build/check > bench/results/gpu-check.txt 2>&1 || status=$?
tail -n 1 bench/results/gpu-check.txt >&2
# One row of 2^31 + 4097 steps (index arithmetic beyond 32 bits; ~26 GB of device memory), then
# its self-test: the same with one result overwritten must fail.
{ bench/gpu/build/check --huge || status=$?
  if bench/gpu/build/check --huge 100003 77777; then echo "FAIL the huge check's self-test passed a corrupted result"; status=1; fi
} >> bench/results/gpu-check.txt 2>&1
tail -n 3 bench/results/gpu-check.txt >&2
grep -E "^FAIL" bench/results/gpu-check.txt >&2 || true

NVCC_BIN=$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")
SANITIZER=$(command -v compute-sanitizer || true)
for candidate in "$NVCC_BIN/compute-sanitizer" /usr/local/cuda/bin/compute-sanitizer; do
  if [[ -z "$SANITIZER" && -x "$candidate" ]]; then SANITIZER=$candidate; fi
done
REPORT=bench/results/gpu-sanitizer.txt
if [[ -z "$SANITIZER" ]]; then
  echo "compute-sanitizer not found: sanitizer runs skipped" | tee "$REPORT" >&2
  exit $status
fi
{
  echo "# compute-sanitizer runs of bench/gpu/build/check --quick"
  echo "# $("$SANITIZER" --version | tail -n 1), commit $GIT_COMMIT, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$REPORT"
for tool in memcheck racecheck synccheck; do
  log=bench/gpu/build/sanitizer-$tool.log
  extra=()
  [[ $tool == memcheck ]] && extra=(--leak-check full)
  [[ $tool == racecheck ]] && extra=(--racecheck-report all)
  echo "compute-sanitizer --tool $tool ..." >&2
  start=$(date +%s)
  rc=0
  timeout "${SANITIZER_TIMEOUT:-1800}" "$SANITIZER" --tool "$tool" "${extra[@]}" --print-limit 50 \
    bench/gpu/build/check --quick > "$log" 2>&1 || rc=$?
  {
    echo
    echo "## $tool: exit $rc, $(( $(date +%s) - start )) s$([[ $rc == 124 ]] && echo ' (TIMED OUT)')"
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|LEAK SUMMARY|failure\(s\)" "$log" || echo "(no summary line; see $log)"
    # The first reports, if any.
    grep -E "^========= " "$log" | grep -vE "ERROR SUMMARY|RACECHECK SUMMARY|COMPUTE-SANITIZER" | head -n 40
  } >> "$REPORT"
  [[ $rc == 0 ]] || status=1
done
cat "$REPORT" >&2
exit $status