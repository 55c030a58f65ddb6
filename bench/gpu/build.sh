#!/usr/bin/env bash
# Builds the standalone GPU benchmark and the kernel check (engine sources linked directly).
#   bench/gpu/build.sh [arch]     arch like sm_90; default: the local GPU's, else sm_90
# Outputs in bench/gpu/build/: bench_gpu, check, ptxas.txt (-Xptxas -v of the engine).
set -euo pipefail
cd "$(dirname "$0")/../.."
# nvcc from PATH (as `. .device/setup.sh` sets it up), else the default toolkit location.
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
ARCH=${1:-}
if [[ -z "$ARCH" ]]; then
  CAP=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n1 | tr -d ' .' || true)
  ARCH=sm_${CAP:-90}
fi
# VARIANT=name DEFINES="-DLINREC_AFFINE_F32_TILE_ITEMS=16 ...": the kernels with other tile
# policies (scan_kernel.cuh's macros) into bench/gpu/build/variant-name/ (bench/gpu/probe2.sh).
OUT=bench/gpu/build${VARIANT:+/variant-$VARIANT}
mkdir -p "$OUT"
FLAGS=(-std=c++17 -O3 -arch="$ARCH" -I native -lineinfo ${DEFINES:-})
# The engine's other sources, as CMakeLists.txt globs them (device_scan.cu is compiled on its own).
ENGINE=()
for f in native/cuda/*.cu; do [[ $f == */device_scan.cu || $f == */test_*.cu ]] || ENGINE+=("$f"); done
echo "building for $ARCH" >&2
"$NVCC" "${FLAGS[@]}" -Xptxas -v -c native/cuda/device_scan.cu -o "$OUT/device_scan.o" 2> "$OUT/ptxas.txt"
"$NVCC" "${FLAGS[@]}" bench/gpu/bench_gpu.cu "$OUT/device_scan.o" "${ENGINE[@]}" -o "$OUT/bench_gpu"
"$NVCC" "${FLAGS[@]}" bench/gpu/check.cu native/cpu/cpu_engine.cc "$OUT/device_scan.o" "${ENGINE[@]}" \
  -o "$OUT/check"
if grep -E "bytes spill (stores|loads)" "$OUT/ptxas.txt" | grep -vq " 0 bytes spill stores, 0 bytes spill loads"; then
  echo "warning: register spills, see $OUT/ptxas.txt" >&2
fi
echo "built $OUT/bench_gpu $OUT/check" >&2
