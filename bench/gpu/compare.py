#!/usr/bin/env python3
"""Two builds' bench_gpu results side by side (bench/gpu/lease.sh, step 6).

usage: compare.py THIS_COMMIT BASE_COMMIT this-1.json this-2.json base-1.json base-2.json

Prints JSON (per case: each reading's median and floor in ms, its ratio to the copy floor, and
base ÷ this) on stdout and a table on stderr. A missing or unreadable file counts as no readings.
"""
import json
import sys


def readings(paths):
    by_case = {}
    for path in paths:
        try:
            with open(path) as f:
                results = json.load(f).get("results", [])
        except (OSError, ValueError):
            continue
        for r in results:
            by_case.setdefault(r["case"], []).append(
                {"median_ms": r["median_ms"], "floor_ms": r["floor_ms"], "ratio": r["median_ms"] / r["floor_ms"]}
            )
    return by_case


def main(argv):
    if len(argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    this_commit, base_commit = argv[1], argv[2]
    this, base = readings(argv[3:5]), readings(argv[5:7])
    cases = []
    for case in sorted(set(this) | set(base)):
        t, b = this.get(case, []), base.get(case, [])
        best = lambda rs: min((r["median_ms"] for r in rs), default=None)  # noqa: E731
        speedup = best(b) / best(t) if best(t) and best(b) else None
        cases.append({"case": case, "this": t, "base": b, "base_over_this": speedup})
    json.dump({"this": this_commit, "base": base_commit, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    sys.stderr.write(f"compare: this {this_commit} against base {base_commit} (ratio to the copy floor, each reading)\n")
    for c in cases:
        fmt = lambda rs: " ".join(f"{r['ratio']:.2f}x" for r in rs) or "-"  # noqa: E731
        speed = f"{c['base_over_this']:.2f}" if c["base_over_this"] else "-"
        sys.stderr.write(f"  {c['case']:<20} this {fmt(c['this']):<14} base {fmt(c['base']):<14} base/this {speed}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
