#!/usr/bin/env bash
# Second device call of session 7 (2026-11-30): what the first real-GPU run left open.
#   1. reset_probe: can a process use its GPU again after a kernel trap (cudaDeviceReset)?
#   2. test/20's fault test alone, in one process (the first run had 3 jest workers on the GPU)
#   3. ncu (--clock-control none) on one launch each of direct-f32, direct-f64 and log-f32:
#      speed of light, warp states, occupancy (why 2.1x / 3.5x / 18x the copy floor)
# Run: . .device/setup.sh && bash bench/gpu/probe.sh   (results in $OUT)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/linrec-out}
mkdir -p "$OUT"
if [[ -f .device/gpu-build.tar.xz ]]; then xz -dc .device/gpu-build.tar.xz | tar -xf -; fi
P=bench/gpu/build/reset_probe
{
  for mode in use trap trap-child bounded; do
    echo "== reset_probe $mode"
    timeout 30 $P $mode; echo "exit $?"
  done
} > "$OUT/reset-probe.txt" 2>&1
cat "$OUT/reset-probe.txt"
timeout 90 env LINREC_ADDON="$PWD/build-gpu/Release/linrec.node" npx jest test/20 --runInBand -t "kernel fault" > "$OUT/jest-fault.txt" 2>&1
echo "jest fault test alone: exit $?"; grep -E "✓|✕|Tests:" "$OUT/jest-fault.txt" | head
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2> /dev/null | head -n 1)
echo "ncu: $NCU"
for c in direct-f32 direct-f64 log-f32; do
  timeout 60 "$NCU" --clock-control none --kernel-name regex:scanTilesKernel --launch-skip 3 --launch-count 1 \
    --section SpeedOfLight --section WarpStateStats --section Occupancy --section LaunchStats \
    --section MemoryWorkloadAnalysis --section SchedulerStats \
    bench/gpu/build/bench_gpu $c > "$OUT/ncu-$c.txt" 2>&1
  echo "ncu $c: exit $?"
  grep -E "Duration|Memory Throughput|DRAM Throughput|Achieved Occupancy|Registers Per|Stall|Warp Cycles Per Issued|Issued Warp|No Eligible|Block Limit" "$OUT/ncu-$c.txt" | head -n 24
done
