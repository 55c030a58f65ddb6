#!/usr/bin/env bash
# Builds and runs the GPU benchmarks, then writes bench/results/gpu.json and gpu.md.
#   bench/gpu/run.sh            (set SKIP_TORCH=1 to leave the torch recipe out)
set -euo pipefail
cd "$(dirname "$0")/../.."
export GIT_COMMIT=${GIT_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
bench/gpu/build.sh "$@"
mkdir -p bench/results
cp bench/gpu/build/ptxas.txt bench/results/gpu-ptxas.txt
bench/gpu/build/bench_gpu > bench/gpu/build/engine.json
if [[ "${SKIP_TORCH:-0}" != 1 ]] && python3 -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
  python3 bench/gpu/seed_recipe_torch.py > bench/gpu/build/torch.json
else
  echo "torch with CUDA not available: seed recipe skipped" >&2
  echo "null" > bench/gpu/build/torch.json
fi
python3 - <<'PY'
import json
engine = json.load(open("bench/gpu/build/engine.json"))
seed = json.load(open("bench/gpu/build/torch.json"))
if seed:
    engine["results"].append(seed)
json.dump(engine, open("bench/results/gpu.json", "w"), indent=2)
lines = [
    f"# GPU benchmark: {engine['device']}",
    "",
    f"driver {engine['driver']}, {engine['date']}, commit {engine['commit']}. Medians after warm-up (CUDA events;"
    " host-f32 by wall clock). floor: device copy of the same bytes (host-f32: max of pinned H2D/D2H).",
    "",
    "| case | backend | dtype | method | rows | n | median ms | floor ms | median/floor | max err |",
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
]
for r in engine["results"]:
    ratio = r["median_ms"] / r["floor_ms"] if r.get("floor_ms") else float("nan")
    err = r.get("max_err")
    lines.append(f"| {r['case']} | {r['backend']} | {r['dtype']} | {r['method']} | {r['rows']} | {r['n']} | "
                 f"{r['median_ms']:.3f} | {r['floor_ms']:.3f} | {ratio:.2f} | "
                 f"{'' if err is None else f'{err:.2e}'} |")
open("bench/results/gpu.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
