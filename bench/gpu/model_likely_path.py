#!/usr/bin/env python3
"""bench/gpu/model.py with chosen lines of native/cuda/tile_status.cuh counted as rare, i.e. left
off the model's "look-back once" path as LINREC_HD_COLD paths are. model.py's path is every
look-back block outside the spin and fold loops, so it counts branches that a look-back finding
its items published at the first poll never takes (the search of further windows, re-polls, and,
since session 10, the fallback to a fence per window). This gives that look-back's path instead.
The calibration factors (LOOKBACK_SCALE) stay those fitted with model.py's path: an estimate.

    RARE=481-505,514-520 python3 bench/gpu/model_likely_path.py        # this tree's kernels
    TREE=/tmp/base CACHE_FROM=bench/gpu/build/model/<key> SASS_TREE=$PWD RARE=432-445,455-455 \\
        python3 bench/gpu/model_likely_path.py                          # another tree's sources,
                                                                        # SASS compiled here before
Other arguments go to model.py.
"""
import os
import shutil
import sys

HERE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402

tree = os.path.abspath(os.environ.get("TREE", HERE))
compiled_in = os.path.join(os.path.abspath(os.environ.get("SASS_TREE", tree)), "native")
ranges = [tuple(map(int, r.split("-"))) for r in os.environ["RARE"].split(",")]
model.ROOT, model.NATIVE = tree, os.path.join(tree, "native")
remap = lambda p: model.NATIVE + p[len(compiled_in):] if p.startswith(compiled_in) else p
if os.environ.get("CACHE_FROM"):  # SASS compiled from SASS_TREE's identical sources
    cache = os.path.join(tree, "bench/gpu/build/model")
    dst = os.path.join(cache, model.source_hash())
    if not os.path.exists(dst):
        shutil.copytree(os.environ["CACHE_FROM"], dst)
    sys.argv += ["--cache", cache]

cold = model.Sources.cold
def rare(self, path, line):
    if path.endswith("tile_status.cuh") and any(a <= line <= b for a, b in ranges):
        return True
    return cold(self, path, line)
model.Sources.cold = rare

kernel_sass = model.kernel_sass
def remapped(*args):
    ins, labels = kernel_sass(*args)
    for i in ins:
        i.frames = tuple((remap(f), line) for f, line in i.frames)
    return ins, labels
model.kernel_sass = remapped

model.main()
