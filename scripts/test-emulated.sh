#!/usr/bin/env bash
# The CUDA engine's logic without a GPU: builds the addon with the engine compiled by the host
# compiler against the CPU emulation of the CUDA runtime (build-emu/, LINREC_CUDA_EMULATION=ON,
# no nvcc needed) and runs the GPU suites against it. Speed and hardware memory ordering still
# need a real GPU (bench/gpu, test/20 there). Extra arguments go to jest (e.g. --json).
#   LINREC_EMU_SKIP_BUILD=1  reuse an existing build-emu/
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${LINREC_EMU_SKIP_BUILD:-}" != 1 || ! -f build-emu/Release/linrec.node ]]; then
  echo "== building build-emu (the CUDA engine on the CPU emulation)"
  # configure, then build: `compile` would keep an earlier configure's options
  { npx cmake-js configure --out build-emu --CDLINREC_CUDA_EMULATION=ON --CDLINREC_TEST_HOOKS=ON &&
    npx cmake-js build --out build-emu; } > build-emu.log 2>&1 ||
    { tail -n 40 build-emu.log; exit 1; }
fi
[[ -f dist/index.js ]] || npm run prepare
# Two emulated devices, so the cuda:N tests run too.
LINREC_EMULATED_DEVICES=${LINREC_EMULATED_DEVICES:-2} LINREC_ADDON=build-emu/Release/linrec.node npx jest test/20 test/21 test/23 "$@"
