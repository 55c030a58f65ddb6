#!/usr/bin/env bash
# The kernel check (bench/gpu/check.cu) without a GPU: compiled by the host compiler against the
# CPU emulation of the CUDA runtime (native/cuda/emulation), as `npm run test:emulated` does for
# the addon. It checks check.cu itself and the engine's logic; speed, memory ordering and
# compute-sanitizer still need a GPU (bench/gpu/run.sh). At about a million steps a second,
# --quick takes some 15 minutes on 2 cores.
#   bench/gpu/check-emulated.sh [--quick]     output: bench/gpu/build-emu/check.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/gpu/build-emu
mkdir -p "$OUT"
CXX=${CXX:-g++}
# The CPU engine is the reference: compiled as the addon compiles it. The CUDA sources get the
# emulation's headers.
"$CXX" -std=c++17 -O2 -Inative -c native/cpu/cpu_engine.cc -o "$OUT/cpu_engine.o"
ENGINE=()  # the engine's sources, as CMakeLists.txt globs them
for f in native/cuda/*.cu; do [[ $f == */test_*.cu ]] || ENGINE+=("$f"); done
"$CXX" -std=c++17 -O2 -Wno-unknown-pragmas -xc++ -DLINREC_CUDA_EMULATION -DLINREC_WITH_CUDA \
  -Inative/cuda/emulation -Inative bench/gpu/check.cu "${ENGINE[@]}" \
  native/cuda/emulation/emulated_device.cc -xnone "$OUT/cpu_engine.o" -lpthread -o "$OUT/check"
echo "running $OUT/check $* -> $OUT/check.txt" >&2
status=0
stdbuf -oL "$OUT/check" "$@" > "$OUT/check.txt" 2>&1 || status=$?
tail -n 1 "$OUT/check.txt" >&2
grep -E "^FAIL" "$OUT/check.txt" >&2 || true
exit $status
