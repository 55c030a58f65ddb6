#!/usr/bin/env python3
"""bench/gpu/build/engine.json (bench_gpu's output) plus bench/gpu/build/torch.json (the seed
recipe's row, or null) -> bench/results/gpu.json and the table bench/results/gpu.md.
Run from the repository root by bench/gpu/run.sh."""
import json, re
# A non-finite max_err prints as nan/inf, which is not JSON: record it as null.
text = re.sub(r'(?<=: )-?(nan|inf)\b', 'null', open("bench/gpu/build/engine.json").read())
engine = json.loads(text)
seed = json.load(open("bench/gpu/build/torch.json"))
if seed:
    engine["results"].append(seed)
import math
for r in engine["results"]:
    if isinstance(r.get("max_err"), float) and not math.isfinite(r["max_err"]):
        r["max_err"] = None  # strict JSON
for key in ("device", "driver", "date", "commit"):
    assert key in engine, f"engine.json lacks {key}"
for r in engine["results"]:
    for key in ("case", "backend", "dtype", "method", "rows", "n", "median_ms", "floor_ms"):
        assert key in r, f"result {r.get('case')} lacks {key}"
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
