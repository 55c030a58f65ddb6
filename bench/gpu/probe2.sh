#!/usr/bin/env bash
# Third device call of session 7: the fault handling and bounded waits on hardware, the engine
# after them, and larger affine tiles (bench_gpu_tiles: float32 8192 steps, float64 4096 steps a
# tile, 2 blocks/SM), since the look-back chain's tiles per µs set the speed (bench/NOTES.md).
# bench_gpu_tiles was built here, before the larger tiles became the default, by
#   VARIANT=tiles DEFINES="-DLINREC_AFFINE_F32_ITEMS=32 -DLINREC_AFFINE_F64_ITEMS=16 -DLINREC_AFFINE_TILE_MIN_BLOCKS=2" \
#     bench/gpu/build.sh sm_90   (then bench/gpu/build/variant-tiles/bench_gpu copied to bench_gpu_tiles)
# The old tiles, now a variant: DEFINES="-DLINREC_AFFINE_F32_TILE_ITEMS=16 -DLINREC_AFFINE_F64_TILE_ITEMS=8
# -DLINREC_AFFINE_TILE_MIN_BLOCKS=3".
# Run: . .device/setup.sh && bash bench/gpu/probe2.sh   (results in $OUT)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/linrec-out}
mkdir -p "$OUT"
xz -dc .device/gpu-build.tar.xz | tar -xf -
export GIT_COMMIT=${GIT_COMMIT:-unknown}
step() { local name=$1 limit=$2 t=$(date +%s); shift 2; timeout -k 5 "$limit" "$@" > "$OUT/$name.txt" 2>&1; echo "$name: exit $?, $(($(date +%s) - t)) s" | tee -a "$OUT/summary.txt"; }
step jest 120 env LINREC_ADDON="$PWD/build-gpu/Release/linrec.node" npx jest test/20 test/21 test/23 --maxWorkers=4
grep -E "✕|Tests:" "$OUT/jest.txt" | head -n 20
step check-quick 60 bench/gpu/build/check --quick
tail -n 1 "$OUT/check-quick.txt"
step bench 60 bench/gpu/build/bench_gpu
step bench-tiles 45 bench/gpu/build/bench_gpu_tiles direct-f32 direct-f64 direct-f32-1e7
grep -h '"case"' "$OUT/bench.txt" "$OUT/bench-tiles.txt" | sed 's/"backend[^}]*"median_ms"/ median_ms/'
SAN=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2> /dev/null | head -n 1)
step racecheck 100 "$SAN" --tool racecheck --racecheck-report all --print-limit 20 bench/gpu/build/check --quick
grep -E "RACECHECK SUMMARY|ERROR SUMMARY|failure" "$OUT/racecheck.txt" | head -n 5
# The device machine's CPU: which ISA build the engine picks there, and 1 thread against the loop.
step cpu 40 env LINREC_ADDON="$PWD/build-gpu/Release/linrec.node" node -e "require('./bench/harness').main({ name: 'cpu-device', defaults: { gpu: false }, argv: ['--no-accuracy', '--no-charts', '--sizes', '1e5,1e7'] })"
grep -E "machine:|linrec-1t|cpp-loop" "$OUT/cpu.txt" | head -n 6
