#!/usr/bin/env python3
"""A performance model of the tile scan kernels, from their SASS, for each gpu.json case.

    python3 bench/gpu/model.py                   # predictions for H200 and H100 (markdown)
    python3 bench/gpu/model.py --compare bench/results/gpu.json   # predicted vs measured
    python3 bench/gpu/model.py --details         # the counts the model read from the SASS

What it does, without a GPU:
 1. compiles native/cuda/device_scan.cu for sm_90 the way test/22 and build.sh do (nvcc 13,
    -O3, plus -lineinfo and -cubin), once per source state: the cubin, ptxas's report and the
    disassembly are cached in bench/gpu/build/model/<hash of the sources and flags>/;
 2. disassembles it with nvdisasm -gi (every instruction with its inline chain of source
    lines). An nvdisasm older than the cubin's ELF ABI (CUDA 11.8's from Debian non-free
    refuses nvcc 13's sm_90 cubins) is given a copy with the header written in the older ABI:
    the SASS encoding of sm_90 is the same (bench/gpu/get-nvdisasm.sh fetches that nvdisasm);
 3. tags each instruction of the tile kernels by its source: look-back (tile_status.cuh),
    slow path (stepping through, composable.cuh), scalar fallback (tile_io.cuh's *Steps),
    cold (divergence stubs after EXIT) or tile work (the rest); finds the look-back's loops;
 4. per tile: issue cycles of the tile work by pipe; per look-back: the latency of one
    iteration of each loop (in-order issue, register scoreboard, the latencies below), the
    L2 round trips on its path; per predecessor tile: the serial fold's iteration latency
    plus a 32nd of a warp-wide window's;
 5. per case: tiles/us from three bounds (HBM bandwidth, issue, look-back chain with
    Little's law on the resident tiles), time, and the ratio to the copy floor of the same
    bytes (bench_gpu.cu's definition);
 6. the slow cliff's cases (bench_gpu.cu's Cliff, issue 11 item 7): tiles whose carry does not
    compose in T each publish their x only after their results, so they run as one chain; per
    tile the handoff (the publish seen by the next tile's poll), the path from that poll to the
    tile's own publish (the wide block scan on it, tagged slow), and the in-order steps where the
    wide composition fails too (cliff_model, cliff_tile_cycles).

Every hardware figure is in DEVICES / LATENCY below with its source; the ones marked
"assumed" are not measured on this project's GPU: the first GPU run tests them.
"""
import argparse
import hashlib
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NATIVE = os.path.join(ROOT, "native")

# ---------------------------------------------------------------------------------------------
# Hardware. Public specs (NVIDIA H100 and H200 datasheets; the H100 whitepaper: 132 SMs on the
# SXM5 part, 4 schedulers per SM, 64 FP64 and 16 SFU lanes per SM, 65536 registers, 2048
# threads, 32 blocks, 228 KB shared memory per SM; the CUDA C++ Programming Guide's arithmetic
# throughput table for compute capability 9.0). copy_bw: what a device-to-device cudaMemcpy
# reaches, taken as the issue 11's figures (61 and 85 tiles of 48 KiB per us: 3.0 and 4.18 TB/s,
# about 90% and 87% of the 3.35 and 4.8 TB/s peaks); assumed, the run measures it (floor_ms).
DEVICES = {
    "H200": dict(sms=132, clock_ghz=1.98, hbm_tbs=4.8, copy_tbs=4.18, pcie_gbs=50.0),
    "H100": dict(sms=132, clock_ghz=1.98, hbm_tbs=3.35, copy_tbs=3.0, pcie_gbs=50.0),
}
SM = dict(regs=65536, threads=2048, blocks=32, smem=233472, smem_per_block_reserved=1024, reg_unit=256)
# Warp instructions per clock per SM, by pipe (4 schedulers: 4 issues per clock in all).
PIPE_RATE = dict(fp32=4.0, int=2.0, fp64=2.0, mufu=0.5, conv64=0.5, lsu=1.0, other=4.0)
ISSUE_RATE = 4.0

# Latencies in SM clocks (dependent issue). ALU 4: the CUDA Programming Guide (arithmetic
# latency about 4 cycles since Volta); shared memory and shuffles about 30, L2 hit about 270,
# FP64 8, MUFU 18: Hopper microbenchmarks (Luo et al., arXiv 2402.13499 and 2501.12084, put
# shared memory near 30 and an L2 hit in the 260-280 range); assumed, swept by --l2-scale.
LATENCY = dict(alu=4, fp64=8, mufu=18, conv=10, shared=30, shfl=30, l2=270, membar=270, bar=20,
               branch=2, cctl=20, dram=800)
# The host side of host-f32 (assumed; nothing here measures the GPU machine's host memory):
# pageable -> pinned memcpy by host_staging.cu's copy pool (8 threads on a 16-core machine).
HOST_COPY_GBS = 30.0
HOST_CALL_OVERHEAD_US = 100.0  # a staged call: pool threads, events, slot buffers
# The look-back's latencies as the H200 measured them: the SASS schedule above (idle L2, no
# delay between a publish and the poll that sees it) put the chain at 72, 108 and 14 tiles/us
# per row for the kernels of 0ec0027 (float32 and float64 affine, float32 log), where the H200
# ran them at 27.8, 20.4 and 9.4 tiles/us (bench/NOTES.md, session 7: 1.177, 1.609 and 13.96 ms
# at 2^28, 2^27 and 2^28). Each monoid's look-back latencies (a and b below) are multiplied by the
# factor that makes the model's tiles/us at 0ec0027 match (fitted in session 8 to +-2%); the
# factors differ by the poll's kind (float64 affine values: a status word, a fence per hit).
# --lookback-scale sets one factor for all (1: the uncalibrated schedule).
LOOKBACK_SCALE = {("AffineMonoid", "float"): 1.77, ("AffineMonoid", "double"): 2.85,
                  ("ExtendedFloatAffineMonoid", "float"): 1.38}
LOOKBACK_SCALE_ALL = None
LAUNCH_GAP_US = 3.0  # memset of the tile flags + the kernel's launch, GPU-side (assumed)
COPY_OVERHEAD_US = 2.0

# ---------------------------------------------------------------------------------------------
# Build (cached)

ENGINE_SOURCES = ["cuda", "monoid.h", "access.h"]
# Monoids defined for one data type only (TilePolicy<Monoid>, not TilePolicy<Monoid<T>>).
DATA_TYPE_OF = {"ExtendedFloatAffineMonoid": "float"}
FLAGS = ["-std=c++17", "-O3", "-arch=sm_90", "-lineinfo", "-Xptxas", "-v"]


def find_tool(name, env):
    cands = [os.environ.get(env)] if os.environ.get(env) else []
    nvcc = shutil.which("nvcc")
    if nvcc:
        cands.append(os.path.join(os.path.dirname(os.path.realpath(nvcc)), name))
    cands += [shutil.which(name), f"/usr/local/cuda/bin/{name}", f"/usr/bin/{name}",
              os.path.join(ROOT, "bench/gpu/build/tools/usr/bin", name)]  # get-nvdisasm.sh
    return next((c for c in cands if c and os.path.exists(c)), None)


def source_hash():
    h = hashlib.sha256(" ".join(FLAGS).encode())
    paths = []
    for s in ENGINE_SOURCES:
        p = os.path.join(NATIVE, s)
        if os.path.isdir(p):
            for d, _, files in os.walk(p):
                if "emulation" in d:
                    continue
                paths += [os.path.join(d, f) for f in files]
        elif os.path.exists(p):
            paths.append(p)
    for p in sorted(paths):
        h.update(p.encode())
        h.update(open(p, "rb").read())
    nvcc = find_tool("nvcc", "NVCC")
    if nvcc:
        h.update(subprocess.run([nvcc, "--version"], capture_output=True, text=True).stdout.encode())
    return h.hexdigest()[:16]


def build(cache_root):
    key = source_hash()
    cache = os.path.join(cache_root, key)
    cubin, ptxas, sass = (os.path.join(cache, f) for f in ("device_scan.cubin", "ptxas.txt", "device_scan.sass"))
    if not (os.path.exists(cubin) and os.path.exists(ptxas)):
        nvcc = find_tool("nvcc", "NVCC")
        if not nvcc:
            sys.exit("model.py: nvcc not found (set NVCC)")
        os.makedirs(cache, exist_ok=True)
        print(f"model.py: compiling native/cuda/device_scan.cu for sm_90 into {cache} (minutes)", file=sys.stderr)
        r = subprocess.run([nvcc, *FLAGS, "-I", NATIVE, "-cubin", os.path.join(NATIVE, "cuda/device_scan.cu"),
                            "-o", cubin + ".tmp"], capture_output=True, text=True)
        if r.returncode:
            sys.exit("model.py: nvcc failed:\n" + r.stderr[-4000:])
        open(ptxas, "w").write(r.stderr)
        os.replace(cubin + ".tmp", cubin)
    if not os.path.exists(sass):
        nvdisasm = find_tool("nvdisasm", "NVDISASM")
        if not nvdisasm:
            sys.exit("model.py: nvdisasm not found: set NVDISASM (any CUDA toolkit's, 11.8 or later) or run "
                     "bench/gpu/get-nvdisasm.sh")
        r = subprocess.run([nvdisasm, "-gi", "-c", cubin], capture_output=True, text=True)
        if r.returncode and "architecture information" in r.stderr:
            # nvcc 12.8+ writes ELF ABI 8 (OS/ABI 0x41, new e_flags); older nvdisasm reads ABI 7.
            b = bytearray(open(cubin, "rb").read())
            b[7], b[8] = 0x33, 7
            struct.pack_into("<I", b, 0x30, 0x5A055A)  # sm_90, virtual sm_90, 64-bit, unified tex
            old = os.path.join(cache, "device_scan.abi7.cubin")
            open(old, "wb").write(b)
            r = subprocess.run([nvdisasm, "-gi", "-c", old], capture_output=True, text=True)
        if r.returncode:
            sys.exit("model.py: nvdisasm failed:\n" + r.stderr[-2000:])
        open(sass + ".tmp", "w").write(r.stdout)
        os.replace(sass + ".tmp", sass)
    return key, open(ptxas).read(), sass


# ---------------------------------------------------------------------------------------------
# Sources: which lines belong to which function (for tagging SASS by its inline chain).

def function_ranges(path):
    """{(first line, last line): name} of every brace-delimited function body in a file."""
    text = open(path).read()
    out = {}
    for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", text):
        name = m.group(1)
        if name in ("if", "for", "while", "switch", "return", "sizeof", "static_assert", "defined", "catch"):
            continue
        i, depth = m.end(), 1
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        j = i
        while j < len(text) and text[j] not in "{;":
            j += 1
        tail = text[i:j]
        if j >= len(text) or text[j] != "{" or re.search(r"[=,?]|\breturn\b", tail):
            continue
        if not re.fullmatch(r"[\s\w:&<>*]*(->\s*[\w:<>]+\s*)?", tail):
            continue
        k, depth = j + 1, 1
        while k < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[k], 0)
            k += 1
        out[(text.count("\n", 0, m.start()) + 1, text.count("\n", 0, k) + 1)] = name
    return out


def block_range(path, pattern):
    """Lines of the brace block that starts on the first line matching `pattern`."""
    lines = open(path).read().split("\n")
    for n, line in enumerate(lines):
        if re.search(pattern, line):
            depth, started = 0, False
            for m in range(n, len(lines)):
                depth += lines[m].count("{") - lines[m].count("}")
                started = started or "{" in lines[m]
                if started and depth <= 0:
                    return (n + 1, m + 1)
    return None


class Sources:
    def __init__(self):
        self.funcs, self.text = {}, {}
        for d, _, files in os.walk(NATIVE):
            for f in files:
                if f.endswith((".cuh", ".h")) and "emulation" not in d:
                    p = os.path.join(d, f)
                    self.funcs[os.path.realpath(p)] = function_ranges(p)
        kernel = os.path.join(NATIVE, "cuda/scan_kernel.cuh")
        self.slow_block = block_range(kernel, r"if \(first < ")
        text = "".join(open(os.path.join(d, f)).read() for d, _, fs in os.walk(os.path.join(NATIVE, "cuda"))
                       for f in fs if f.endswith((".cuh", ".cu", ".h")))
        self.policy = {}
        # TilePolicy<Monoid<T>>, or TilePolicy<Monoid> of a monoid for one data type (DATA_TYPE_OF).
        # Values may name the header's defaults (#define LINREC_... N, overridable by probes).
        defines = dict(re.findall(r"#define (LINREC_\w+) (\d+)", text))
        for m in re.finditer(r"struct TilePolicy<(\w+)(?:<(float|double)>)?>\s*\{(.*?)\}", text, re.S):
            vals = {k: defines.get(v, v) for k, v in re.findall(r"(k\w+) = (\w+)", m.group(3))}
            vals = {k: v for k, v in vals.items() if v.isdigit()}
            dtype = m.group(2) or DATA_TYPE_OF.get(m.group(1))
            if dtype:
                self.policy[(m.group(1), dtype)] = {k: int(v) for k, v in vals.items()}
        status = open(os.path.join(NATIVE, "cuda/tile_status.cuh")).read()
        m = re.search(r"kWindows\s*=\s*(\d+)", status)
        self.window_cap = 32 * int(m.group(1)) if m else None  # predecessors read before a sleep
        # Predecessors a pass of each look-back loop crosses: with the group-aggregate chain
        # (groups of 32 tiles publish their aggregate G, session 8) a serial fold applies one G
        # (32 tiles) and a window reads 32 of them (1024 tiles); before it, a fold applied one
        # tile's aggregate and a window read one group's 32.
        group = "publishGroup" in status
        self.fold_span, self.window_span = (32, 1024) if group else (1, 32)
        # The slow cliff's chain (session 19): where a tile that does not compose waits for the
        # tile before it (carryInto: r.carry = status.waitInclusive(k - 1)), where it publishes its
        # own x after its results, and the in-order stepping inside the slow paths.
        line_of = lambda text, pattern: next((n + 1 for n, l in enumerate(text.split("\n")) if re.search(pattern, l)), None)
        self.carry_wait_line = line_of(status, r"r\.carry = status\.waitInclusive\(k - 1\)")
        kernel_text = open(kernel).read()
        self.publish_after_line = line_of(kernel_text, r"!tileComposesShared.*publishInclusive")
        self.inorder_block = block_range(kernel, r"if \(inOrder\)")

    def cold(self, path, line):
        """Whether `line` lies in a function declared LINREC_HD_COLD (monoid.h: the rare general
        paths, inlined in device code but laid out by nvcc as the fall-through of the branch
        that skips them)."""
        for (a, b), name in self.funcs.get(os.path.realpath(path), {}).items():
            if a <= line <= b and "LINREC_HD_COLD" in self.lines_of(path)[a - 1]:
                return True
        return False

    def lines_of(self, path):
        key = os.path.realpath(path)
        if key not in self.text:
            self.text[key] = open(key).read().split("\n")
        return self.text[key]

    def function_of(self, path, line):
        for (a, b), name in self.funcs.get(os.path.realpath(path), {}).items():
            if a <= line <= b:
                return name
        return None


# ---------------------------------------------------------------------------------------------
# SASS

INS_RE = re.compile(r"/\*([0-9a-f]{4,})\*/\s+(@!?U?P[T0-9]\s+)?([A-Z][A-Z0-9_.]*)\s*(.*?)\s*;")
FRAME_RE = re.compile(r'//## File "([^"]+)", line (\d+)(?: inlined at "([^"]+)", line (\d+))?')


class Ins:
    __slots__ = ("addr", "guard", "op", "args", "frames", "tag", "func", "rare")

    def __init__(self, addr, guard, op, args, frames):
        self.addr, self.guard, self.op, self.args, self.frames = addr, guard, op, args, frames
        self.tag = self.func = None
        self.rare = False  # from a LINREC_HD_COLD function

    @property
    def base(self):
        return self.op.split(".")[0]


_SECTIONS = {}


def sections(sass_path):
    """{section header line: its lines}, the file read once per run."""
    if sass_path not in _SECTIONS:
        out, cur = {}, None
        with open(sass_path) as f:
            for line in f:
                if line.startswith(".text."):
                    cur = out.setdefault(line.strip(), [])
                elif cur is not None:
                    cur.append(line)
        _SECTIONS[sass_path] = out
    return _SECTIONS[sass_path]


def kernel_sass(sass_path, name_re):
    """Instructions and labels of the first kernel whose section name matches."""
    ins, labels, frames, pending = [], {}, (), []
    body = next((lines for name, lines in sections(sass_path).items() if re.search(name_re, name)), [])
    for line in body:
        s = line.strip()
        if s.startswith("//## File"):
            pending.append(s)
            continue
        if pending:
            fr = []
            for p in pending:
                m = FRAME_RE.search(p)
                if m:
                    fr.append((m.group(1), int(m.group(2))))
                    if m.group(3):
                        fr.append((m.group(3), int(m.group(4))))
            frames, pending = tuple(dict.fromkeys(fr)), []
        m = re.match(r"^(\.L_x_\d+):", s)
        if m:
            labels[m.group(1)] = len(ins)
            continue
        m = INS_RE.search(line)
        if m:
            ins.append(Ins(int(m.group(1), 16), (m.group(2) or "").strip(), m.group(3), m.group(4), frames))
    return ins, labels


def pipe_of(i):
    op, b = i.op, i.base
    if b in ("LDG", "STG", "LD", "ST", "LDS", "STS", "ATOMG", "ATOM", "ATOMS", "RED", "SHFL", "LDSM", "MATCH"):
        return "lsu"
    if b.startswith("D") and b in ("DFMA", "DADD", "DMUL", "DSETP", "DMNMX"):
        return "fp64"
    if b == "MUFU":
        return "mufu"
    if b in ("F2F", "F2I", "I2F", "FRND", "F2IP", "I2FP") and "64" in op:
        return "conv64"
    if b in ("FFMA", "FADD", "FMUL", "FSETP", "FMNMX", "FSEL", "FCHK", "HFMA2", "FSWZADD"):
        return "fp32"
    if b in ("IMAD", "IADD3", "LOP3", "SHF", "ISETP", "LEA", "SEL", "PRMT", "IABS", "IMNMX", "FLO", "POPC",
             "BREV", "LOP", "IADD", "I2F", "F2I", "F2F", "FRND", "I2FP", "F2IP"):
        return "int"
    return "other"


def latency_of(i, lat):
    b = i.base
    if b in ("LDG", "LD", "ATOMG", "ATOM"):
        return lat["l2"]
    if b in ("LDS", "ATOMS", "LDSM"):
        return lat["shared"]
    if b == "SHFL":
        return lat["shfl"]
    if b in ("DFMA", "DADD", "DMUL", "DSETP", "DMNMX"):
        return lat["fp64"]
    if b == "MUFU":
        return lat["mufu"]
    if b in ("F2F", "F2I", "I2F", "FRND", "F2IP", "I2FP"):
        return lat["conv"]
    if b in ("S2R", "CS2R", "S2UR"):
        return 20
    return lat["alu"]


REG_RE = re.compile(r"\b(U?R\d+|U?P\d)(\.64)?\b")
NO_DEST = ("ST", "STG", "STS", "STL", "RED", "BRA", "EXIT", "BAR", "MEMBAR", "NANOSLEEP", "CCTL", "WARPSYNC",
           "BSSY", "BSYNC", "CALL", "RET", "ERRBAR", "CGAERRBAR", "FENCE", "DEPBAR", "YIELD", "NOP", "BPT", "BREAK",
           "ENDCOLLECTIVE", "WARPSYNC.COLLECTIVE")


def regs_of(i):
    """(dests, sources): register names, 64-bit operands expanded to pairs."""
    wide = ".128" in i.op and 4 or (".64" in i.op or i.base.startswith("D") and i.base != "DEPBAR") and 2 or 1
    ops = [o.strip() for o in i.args.split(",")] if i.args else []
    ndest = 0 if i.base in NO_DEST or i.op.startswith("BRA") else (2 if i.base.endswith("SETP") or i.base == "PLOP3" else 1)

    def expand(tok, width):
        out = []
        for m in REG_RE.finditer(tok):
            r = m.group(1)
            w = 2 if m.group(2) else width
            if r[-1].isdigit() and "P" not in r:
                pre, n = re.match(r"(U?R)(\d+)", r).groups()
                out += [f"{pre}{int(n) + k}" for k in range(w)]
            else:
                out.append(r)
        return out

    dests = [r for o in ops[:ndest] for r in expand(o, wide)]
    srcs = [r for o in ops[ndest:] for r in expand(o, 1 if o.startswith("[") else wide)]
    if i.guard:
        srcs.append(i.guard.lstrip("@!"))
    return dests, srcs


class Schedule:
    """In-order issue of one warp with a register scoreboard."""

    def __init__(self, lat):
        self.lat, self.ready, self.t, self.l2 = lat, {}, 0, {}
        self.l2_path = 0

    def run(self, seq):
        for i in seq:
            d, s = regs_of(i)
            start = max([self.t + 1] + [self.ready.get(r, 0) for r in s])
            trips = max([0] + [self.l2.get(r, 0) for r in s])
            b = i.base
            if b in ("LDG", "LD", "ATOMG", "ATOM") or b == "MEMBAR":
                trips += 1
            self.l2_path = max(self.l2_path, trips)
            self.t = start
            if b == "MEMBAR":
                self.t = start + self.lat["membar"]
            elif b in ("BAR",):
                self.t = start + self.lat["bar"]
            elif b == "CCTL":
                self.t = start + self.lat["cctl"]
            elif b == "BRA":
                self.t = start + self.lat["branch"]
            for r in d:
                if r not in ("PT", "RZ", "URZ"):
                    self.ready[r] = start + latency_of(i, self.lat)
                    self.l2[r] = trips
        return self.t


def blocks_of(ins, labels):
    """Basic blocks as [start, end) index ranges, with successor starts."""
    starts = {0} | set(labels.values())
    for k, i in enumerate(ins):
        if i.base in ("BRA", "EXIT", "RET", "BREAK") and k + 1 < len(ins):
            starts.add(k + 1)
    starts = sorted(s for s in starts if s < len(ins))
    blocks = []
    for a, b in zip(starts, starts[1:] + [len(ins)]):
        last = ins[b - 1]
        succ = []
        tgt = re.search(r"\(\.L_x_\d+\)", last.args or "")
        if last.base == "BRA" and tgt and tgt.group(0)[1:-1] in labels:
            succ.append(labels[tgt.group(0)[1:-1]])
        if not (last.base in ("BRA", "EXIT") and not last.guard and ".DIV" not in last.op):
            if b < len(ins):
                succ.append(b)
        blocks.append(dict(a=a, b=b, succ=succ))
    return blocks


def analyse(ins, labels, src):
    tile_status = os.path.realpath(os.path.join(NATIVE, "cuda/tile_status.cuh"))
    kernel = os.path.realpath(os.path.join(NATIVE, "cuda/scan_kernel.cuh"))
    # Divergence stubs (BRA.DIV targets after the last EXIT) are cold.
    exits = [k for k, i in enumerate(ins) if i.base == "EXIT" and not i.guard]
    div_targets = [labels[t] for i in ins if i.op.startswith("BRA.DIV")
                   for t in re.findall(r"\.L_x_\d+", i.args) if t in labels]
    cold_from = min([t for t in div_targets if exits and t > exits[0]] or [len(ins)])
    slow_fns = ("stepItems", "warpStepThrough")
    for k, i in enumerate(ins):
        tag = "tile"
        for f, line in i.frames:
            rf = os.path.realpath(f)
            fn = src.function_of(f, line) or ""
            if rf == tile_status:
                tag, i.func = "lookback", i.func or fn
                break
            if fn in slow_fns or (rf == kernel and src.slow_block and src.slow_block[0] <= line <= src.slow_block[1]):
                tag = "slow"
            elif re.search(r"Steps$|Scalar|Fallback|Unaligned", fn) and tag == "tile":
                tag = "fallback"
        i.tag = "cold" if k >= cold_from else tag
        i.rare = any(src.cold(f, line) for f, line in i.frames)
    blocks = blocks_of(ins, labels)
    by_start = {b["a"]: n for n, b in enumerate(blocks)}
    # Loops: back edges (target at or before the branch), body = blocks between.
    loops = []
    for n, b in enumerate(blocks):
        for s in b["succ"]:
            if s <= b["a"] and ins[s].tag != "cold" and ins[b["b"] - 1].tag != "cold":
                body = [m for m in range(by_start[s], n + 1)]
                loops.append(dict(head=by_start[s], tail=n, body=body))
    for L in loops:
        L["inner"] = [M for M in loops if M is not L and set(M["body"]) < set(L["body"])]
        inner = {m for M in L["inner"] for m in M["body"]}
        L["own"] = [m for m in L["body"] if m not in inner]
        own_ins = [ins[k] for m in L["own"] for k in range(blocks[m]["a"], blocks[m]["b"])]
        L["tags"] = {t: sum(1 for i in own_ins if i.tag == t) for t in ("lookback", "tile", "slow", "fallback")}
        L["vote"] = any(i.base in ("VOTE", "VOTEU") for i in own_ins)
        L["sleep"] = any(i.base == "NANOSLEEP" for i in own_ins)
        L["global"] = any(i.base in ("LD", "LDG") for i in own_ins)
    return blocks, loops


def walk(ins, blocks, start, allowed, drop=lambda i: False, mostly=False, lookahead=False):
    """One path through the blocks: conditional branches fall through (unless the fall-through
    block holds a `drop` op and the target does not; with `mostly`, unless more than half of the
    fall-through block is `drop` ops and a smaller share of the target), unconditional ones jump;
    stops on leaving `allowed`, on a block seen before, or at EXIT. The likely path when the
    compiler lays the common case out as fall-through, as it does for the rare cases of
    libdevice's math. With `lookahead` (the cliff path, session 19), a side whose block holds no
    work (only reconvergence and branch ops: a BSYNC before the code it joins) is judged by the
    blocks it runs into, up to the first that holds work."""
    by_start = {b["a"]: n for n, b in enumerate(blocks)}
    control = ("BSYNC", "BSSY", "BRA", "NOP", "WARPSYNC", "BREAK")

    def ahead(m):
        ops, seen_ahead = [], set()
        while m is not None and m not in seen_ahead and len(seen_ahead) < 8:
            seen_ahead.add(m)
            ops += ins[blocks[m]["a"]:blocks[m]["b"]]
            if any(i.base not in control for i in ops):
                break
            last = ins[blocks[m]["b"] - 1]
            if last.base == "BRA" and last.guard:
                break  # a choice of its own: judged when the walk gets there
            if last.base == "BRA":
                m = by_start.get(blocks[m]["succ"][0]) if blocks[m]["succ"] else None
            else:
                m = m + 1 if m + 1 < len(blocks) else None
        return ops

    out, seen, n = [], set(), start
    while n is not None and n in allowed and n not in seen:
        seen.add(n)
        b = blocks[n]
        out += ins[b["a"]:b["b"]]
        last = ins[b["b"] - 1]
        if last.base == "EXIT" and not last.guard:
            break
        tgt = by_start.get(b["succ"][0]) if b["succ"] and last.base == "BRA" else None
        if last.base == "BRA" and not last.guard and ".DIV" not in last.op:
            n = tgt
            continue
        fall = n + 1 if n + 1 < len(blocks) else None
        if tgt is not None and fall is not None and ".DIV" not in last.op:
            f_ops, t_ops = ins[blocks[fall]["a"]:blocks[fall]["b"]], ins[blocks[tgt]["a"]:blocks[tgt]["b"]]
            if lookahead:
                f_ops, t_ops = ahead(fall), ahead(tgt)
            if mostly:
                # Control ops (reconvergence, branches) carry no source of their own to judge by.
                work = lambda seq: [i for i in seq if i.base not in ("BSYNC", "BSSY", "BRA", "NOP", "WARPSYNC")]
                share = lambda seq: sum(1 for i in work(seq) if drop(i)) / max(1, len(work(seq)))
                if share(f_ops) > 0.5 and share(t_ops) < share(f_ops):
                    fall = tgt
            elif any(drop(i) for i in f_ops) and not any(drop(i) for i in t_ops):
                fall = tgt
        n = fall
    return out


def hot(ins, blocks, ms, drop):
    """Instructions of blocks ms in address order, leaving out blocks that contain `drop` ops."""
    out = []
    for m in ms:
        seq = ins[blocks[m]["a"]:blocks[m]["b"]]
        if any(drop(i) for i in seq):
            continue
        out += seq
    return out


def l2_ops(seq):
    """Global loads, atomics and device-scope fences on a path: one L2 round trip each (they
    depend on each other on the look-back's path: flag, fence, payload)."""
    return sum(1 for i in seq if i.base in ("LD", "LDG", "ATOMG", "ATOM", "MEMBAR"))


def iteration_latency(seq, lat):
    """Cycles per iteration of a loop body in steady state (two iterations scheduled)."""
    s = Schedule(lat)
    t1 = s.run(seq)
    t2 = s.run(seq)
    return t2 - t1, l2_ops(seq)


def waiting(i):
    return i.base in ("NANOSLEEP", "BPT") or (i.base == "CS2R" and "GLOBALTIMER" in i.args)


def kernel_model(sass, name_re, src, lat):
    ins, labels = kernel_sass(sass, name_re)
    if not ins:
        return None
    blocks, loops = analyse(ins, labels, src)
    static, counts = {}, {}
    for i in ins:
        if i.tag == "tile":
            static[pipe_of(i)] = static.get(pipe_of(i), 0) + 1
    # The likely path from entry to exit (see walk), past the blocks of LINREC_HD_COLD functions
    # where a branch skips them, without the instructions of those functions that nvcc
    # interleaved with the hot path's (they run only where a number leaves the band); the static
    # count is an upper bound.
    for i in walk(ins, blocks, 0, set(range(len(blocks))), lambda i: i.rare, mostly=True):
        if i.tag == "tile" and not i.rare:
            counts[pipe_of(i)] = counts.get(pipe_of(i), 0) + 1
    look = [L for L in loops if L["tags"]["lookback"] > 0.5 * sum(L["tags"].values())]
    # Loops of the look-back: a window (a ballot: the warp reads 32 predecessors per pass), a
    # serial fold (monoid arithmetic, no ballot: one predecessor per pass), or a wait (polls or
    # sleeps without arithmetic: modeled by the queueing, not as work per predecessor).
    # A fold's hot path leaves out the blocks that wait for a tile's own inclusive value
    # (global loads, fences: taken only where a tile does not compose).
    rare = lambda i: i.base in ("LD", "LDG", "MEMBAR", "CCTL") or waiting(i)
    arith = ("FFMA", "FMUL", "FADD", "DFMA", "DMUL", "DADD", "MUFU")
    serial, window, spin, fold = [], [], [], []
    for L in look:
        if L["vote"]:
            window.append(L)
            continue
        seq = [i for i in walk(ins, blocks, L["head"], set(L["own"]), rare) if not rare(i)]
        if any(i.base in arith for i in seq):
            serial.append(L)
            c, _ = iteration_latency(seq, lat)
            fold.append(dict(cycles=c, instructions=len(seq), at=hex(ins[blocks[L["head"]]["a"]].addr)))
        else:
            spin.append(L)
    win = []
    for L in window:
        # A window's hot path: the status reads that find the word published (no spin, no trap).
        seq = hot(ins, blocks, L["own"], waiting)
        c, trips = iteration_latency(seq, lat)
        win.append(dict(cycles=c, instructions=len(seq), l2_trips=trips, at=hex(ins[blocks[L["head"]]["a"]].addr)))
    # One look-back that finds its predecessor's inclusive value at once: every look-back
    # block outside the serial folds and the spins, in address order, once (publishes included).
    in_serial = {m for L in serial for m in L["body"]}
    in_spin = {m for L in spin if not L["inner"] for m in L["body"]}  # polls, not the loops around them
    once = []
    for n, b in enumerate(blocks):
        if n in in_serial or n in in_spin:
            continue
        seq = ins[b["a"]:b["b"]]
        if any(i.tag == "lookback" for i in seq) and not any(waiting(i) for i in seq):
            once += [i for i in seq if i.tag in ("lookback", "tile") and not i.rare]
    s = Schedule(lat)
    a_cycles = s.run(once)
    return dict(
        instructions=len(ins),
        by_tag={t: sum(1 for i in ins if i.tag == t) for t in ("tile", "lookback", "slow", "fallback", "cold")},
        tile_pipes=counts, tile_pipes_static=static,
        tile_global_vector=sum(1 for i in ins if i.tag == "tile" and i.base in ("LDG", "STG") and ".128" in i.op),
        tile_global_scalar=sum(1 for i in ins if i.tag == "tile" and i.base in ("LDG", "STG") and ".128" not in i.op),
        fold=fold, window=win, spins=len(spin),
        lookback_once_cycles=a_cycles, lookback_once_l2=l2_ops(once), lookback_once_instructions=len(once),
    )


def warp_rows_model(sass, name_re, src, lat):
    """One warp per row: cycles per segment (its loads from DRAM, scan, stores), the latency of
    one iteration of the loop that holds the segment's 16-byte loads."""
    ins, labels = kernel_sass(sass, name_re)
    if not ins:
        return None
    blocks, loops = analyse(ins, labels, src)
    dram = dict(lat, l2=lat["dram"])
    best = None
    for L in loops:
        own = [ins[k] for m in L["own"] for k in range(blocks[m]["a"], blocks[m]["b"])]
        if any(i.base == "LDG" for i in own):
            seq = walk(ins, blocks, L["head"], set(L["own"]), lambda i: i.tag in ("slow", "fallback"))
            c, _ = iteration_latency(seq, dram)
            if best is None or len(own) > best[1]:
                best = (c, len(own))
    return dict(segment_cycles=best[0] if best else None)


def cliff_model(sass, name_re, src, lat):
    """The slow cliff (issue 11 item 7; bench/NOTES.md, sessions 5 and 19). A tile whose carry
    does not compose in T (x_0 = inf against products that underflow, ...) publishes its x only
    once it has its own results (scan_kernel.cuh), and the next such tile's look-back waits for it
    (carryInto: r.carry = status.waitInclusive(k - 1)): these tiles run one after another, and
    everything the next tile does between that wait and its own publish is on the chain. Per tile:
     - handoff: the publish reaching L2 and the next tile's spinning poll seeing it, returned:
       an L2 round trip (half there, half back) plus half a poll period on average;
     - path: the instructions from the poll that found the x published to the tile's own publish,
       on the likely path where the wide composition holds (composable.cuh WideTileScan, tagged
       slow): the look-back's end, warp 0's tail, the barriers, the wide block scan, each thread's
       checks, the rescan. Its latency for one warp in order (the block's warps run the same code
       between its barriers), and its issue cycles for one warp (the caller multiplies by the
       block's warps: the SM issues all of them);
     - in order (where the wide composition fails too): one pass of warpStepThrough's lane loop
       (a thread's steps and the shuffle of its x) per thread from the first that failed, and one
       pass of the loop around it (the x handed from warp to warp through shared memory, a barrier)
       per warp.
    None where the kernel has no such chain (no wait for the tile before, or no publish after)."""
    if not (src.carry_wait_line and src.publish_after_line):
        return None
    ins, labels = kernel_sass(sass, name_re)
    if not ins:
        return None
    blocks, loops = analyse(ins, labels, src)
    status = os.path.realpath(os.path.join(NATIVE, "cuda/tile_status.cuh"))
    kernel = os.path.realpath(os.path.join(NATIVE, "cuda/scan_kernel.cuh"))
    at = lambda i, path, line: any(os.path.realpath(f) == path and l == line for f, l in i.frames)
    lo, hi = src.inorder_block or (0, -1)
    inorder = lambda i: any(os.path.realpath(f) == kernel and lo <= l <= hi for f, l in i.frames)
    wait = [k for k, i in enumerate(ins) if at(i, status, src.carry_wait_line)]
    poll = next((k for k in wait if ins[k].base in ("LD", "LDG")), None)
    if poll is None:
        return None
    block_of = {k: n for n, b in enumerate(blocks) for k in range(b["a"], b["b"])}
    by_start = {b["a"]: n for n, b in enumerate(blocks)}
    # The poll's branch: to the spin (a block that reads the clock) or past it (published).
    n = block_of[poll]
    b = blocks[n]
    last = ins[b["b"] - 1]
    start = n + 1
    if last.base == "BRA" and last.guard and b["succ"]:
        tgt = by_start.get(b["succ"][0])
        spin = any(waiting(i) for i in ins[blocks[n + 1]["a"]:blocks[n + 1]["b"]])
        start = tgt if spin else n + 1
    drop = lambda i: i.rare or waiting(i) or inorder(i)
    path = walk(ins, blocks, start, set(range(len(blocks))), drop, mostly=True, lookahead=True)
    end = next((p for p, i in enumerate(path) if at(i, kernel, src.publish_after_line) and i.base in ("ST", "STG")), None)
    if end is None:
        return None
    path = path[:end + 1]
    pipes = {}
    for i in path:
        pipes[pipe_of(i)] = pipes.get(pipe_of(i), 0) + 1
    # The spin of that wait: one pass, past the read of the give-up word (a .SYS load, taken only
    # after a unit of waiting).
    spin = [L for L in loops if any(at(ins[k], status, src.carry_wait_line) and ins[k].base in ("LD", "LDG")
                                    for m in L["own"] for k in range(blocks[m]["a"], blocks[m]["b"]))]
    poll_cycles = None
    if spin:
        L = spin[0]
        seq = walk(ins, blocks, L["head"], set(L["own"]), lambda i: ".SYS" in i.op)
        poll_cycles, _ = iteration_latency(seq, lat)
    # In order: the lane loop (no loop inside it) and the warp loop around it.
    step_loops = [L for L in loops if any(inorder(ins[k]) for m in L["own"] for k in range(blocks[m]["a"], blocks[m]["b"]))]
    lane = next((L for L in step_loops if not L["inner"]), None)
    warp = next((L for L in step_loops if lane is not None and lane in L["inner"]), None)
    lane_cycles = warp_cycles = None
    if lane:
        lane_cycles, _ = iteration_latency(walk(ins, blocks, lane["head"], set(lane["own"])), lat)
    if warp:
        warp_cycles, _ = iteration_latency(hot(ins, blocks, warp["own"], lambda i: False), lat)
    return dict(
        path_cycles=Schedule(lat).run(path), path_instructions=len(path), path_l2=l2_ops(path),
        path_by_tag={t: sum(1 for i in path if i.tag == t) for t in ("tile", "lookback", "slow", "fallback")},
        path_rare=sum(1 for i in path if i.rare), path_pipes=pipes,
        poll_cycles=poll_cycles, lane_cycles=lane_cycles, warp_cycles=warp_cycles,
        at=hex(ins[blocks[start]["a"]].addr), publish_at=hex(path[-1].addr),
    )


def cliff_tile_cycles(cm, lat, warps, threads, first=None):
    """Cycles per tile on the cliff's chain (cliff_model): handoff + the path (its latency, or the
    SM's issue of the block's warps on it where longer) + in order, where `first` is given (the
    first thread whose start failed), each later thread's lane pass and each warp's pass from the
    first's warp on (a thread before `first` in its warp: stepItems, one lane pass more).
    Returns (total, parts)."""
    handoff = lat["l2"] + (cm["poll_cycles"] or 0) / 2
    p = cm["path_pipes"]
    issue = max(sum(p.values()) / ISSUE_RATE, *[p.get(k, 0) / r for k, r in PIPE_RATE.items()]) * warps
    path = max(cm["path_cycles"], issue)
    inorder = 0.0
    if first is not None:
        inorder = (threads - first + (1 if first > 0 else 0)) * (cm["lane_cycles"] or 0) + \
            (warps - first // 32) * (cm["warp_cycles"] or 0)
    return handoff + path + inorder, dict(handoff=handoff, path=cm["path_cycles"], issue=issue, inorder=inorder)


# ---------------------------------------------------------------------------------------------
# ptxas: registers and shared memory per kernel -> resident blocks per SM.

def ptxas_resources(text):
    out, cur = {}, None
    for line in text.split("\n"):
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            cur = m.group(1)
            continue
        m = re.search(r"Used (\d+) registers(?:.*?(\d+) bytes smem)?", line)
        if m and cur and cur not in out:
            out[cur] = dict(regs=int(m.group(1)), smem=int(m.group(2) or 0))
    return out


def blocks_per_sm(res, threads):
    warps = threads // 32
    per_warp = math.ceil(res["regs"] * 32 / SM["reg_unit"]) * SM["reg_unit"]
    by_regs = (SM["regs"] // per_warp) // warps
    by_smem = SM["smem"] // (res["smem"] + SM["smem_per_block_reserved"])
    return max(1, min(by_regs, by_smem, SM["threads"] // threads, SM["blocks"]))


def resources_for(res, name_re):
    for k, v in res.items():
        if re.search(name_re, k):
            return v
    return None


# ---------------------------------------------------------------------------------------------
# The cases of bench_gpu.cu (gpu.json), with the issue 11 targets.

# Forward scans of raw a, b (Lb0E: Reverse = false); loose about the mangling's length and
# substitution digits so that added parameters or namespaces still match.
# The length prefix keeps AffineMonoid<T> apart from ExtendedAffineMonoid<T>.
MANGLED = {("AffineMonoid", "float"): "12AffineMonoidIfE", ("AffineMonoid", "double"): "12AffineMonoidIdE",
           ("ExtendedFloatAffineMonoid", "float"): "25ExtendedFloatAffineMonoidE",
           ("ExtendedAffineMonoid", "double"): "20ExtendedAffineMonoidIdE"}
KERNELS = {k: rf"scanTilesKernel\w*?RawAccess\w*?{m}\w*?Lb0E" for k, m in MANGLED.items()}
WARP_ROWS = {k: v.replace("scanTilesKernel", "scanWarpRowsKernel") for k, v in KERNELS.items()}
# The monoid each method runs on the device, by data type (access.h: DeviceLogMethod).
MONOID_OF_METHOD = {("Direct", "float"): "AffineMonoid", ("Direct", "double"): "AffineMonoid",
                    ("LogFromRaw", "float"): "ExtendedFloatAffineMonoid", ("LogFromRaw", "double"): "ExtendedAffineMonoid"}
# Issue 11's targets (ratio to the floor), by case name.
TARGETS = {
    "direct-f32": (1.11, "<= 1.11x and faster than cub-affine-f32"),
    "log-f32": (1.25, "<= 1.25x"),
    "direct-f32-batched": (1.15, "<= 1.15x"),
    "direct-f64": (1.15, "<= 1.15x"),
    "host-f32": (1.5, "<= 1.5x (floor: pinned H2D/D2H)"),
    "cub-affine-f32": (None, "direct-f32 must beat it"),
    "direct-f32-1e7": (None, "(no target; torch seed recipe >= 20x it)"),
    "cliff-wide-f32": (None, "(issue 11 item 7: no target; every tile composes in extended range)"),
    "cliff-inorder-f32": (None, "(issue 11 item 7: no target; every tile steps in order)"),
}
# What bench_gpu.cu ran when this was written, used if its main() cannot be read.
CASES = [
    ("direct-f32", ("AffineMonoid", "float"), 1, 1 << 28, None),
    ("log-f32", ("ExtendedFloatAffineMonoid", "float"), 1, 1 << 28, None),
    ("direct-f32-batched", ("AffineMonoid", "float"), 1 << 14, 1 << 14, None),
    ("direct-f64", ("AffineMonoid", "double"), 1, 1 << 27, None),
    ("host-f32", ("AffineMonoid", "float"), 1, 10_000_000, None),
    ("cub-affine-f32", None, 1, 1 << 28, None),
    ("direct-f32-1e7", ("AffineMonoid", "float"), 1, 10_000_000, None),
    ("cliff-wide-f32", ("AffineMonoid", "float"), 1, 1 << 26, "Wide"),
    ("cliff-inorder-f32", ("AffineMonoid", "float"), 1, 1 << 24, "InOrder"),
]
# The slow cliff's cases (bench_gpu.cu's Cliff): the first thread of each tile whose start fails
# where the tiles step through in order (InOrder: a_t = inf at each tile's first step, so thread
# 1's prefix holds it); None where the wide composition holds.
CLIFF_FIRST = {"Wide": None, "InOrder": 1}


def bench_cases():
    """The cases bench_gpu.cu's main() runs, in order: benchDevice<T>(name, method, rows, n,
    signed[, Cliff::kind]), benchHost(n) (host-f32), benchCub(n) (cub-affine-f32), as
    (name, kernel key, rows, n, cliff kind or None)."""
    try:
        text = open(os.path.join(ROOT, "bench/gpu/bench_gpu.cu")).read()
        body = text[text.index("int main("):]
        consts = dict(re.findall(r"const size_t (\w+) = ([^;]+);", body))

        def value(expr):
            e = expr.strip()
            for k, v in consts.items():
                e = re.sub(rf"\b{k}\b", f"({v})", e)
            e = re.sub(r"size_t\(([^()]*)\)", r"(\1)", e).replace("'", "")
            if not re.fullmatch(r"[\d\s()<>*+-]+", e):
                raise ValueError(expr)
            return int(eval(e))

        cases = []
        call = re.compile(r'benchDevice<(?P<dtype>float|double)>\("(?P<name>[^"]+)",\s*Method::(?P<method>\w+),'
                          r'\s*(?P<rows>[^,]+),\s*(?P<n>[^,]+),\s*\w+\s*(?:,\s*Cliff::(?P<cliff>\w+)\s*)?\)'
                          r'|benchHost\((?P<host>[^)]+)\)|benchCub\((?P<cub>[^)]+)\)')
        for m in call.finditer(body):
            if m.group("dtype"):
                monoid = MONOID_OF_METHOD.get((m.group("method"), m.group("dtype")))
                cliff = m.group("cliff") if m.group("cliff") not in (None, "None") else None
                cases.append((m.group("name"), (monoid, m.group("dtype")) if monoid else None, value(m.group("rows")),
                              value(m.group("n")), cliff))
            elif m.group("host"):
                cases.append(("host-f32", ("AffineMonoid", "float"), 1, value(m.group("host")), None))
            else:
                cases.append(("cub-affine-f32", None, 1, value(m.group("cub")), None))
        return cases or CASES
    except (OSError, ValueError, SyntaxError) as e:
        print(f"model.py: bench_gpu.cu's cases not read ({e}); using the list of {CASES[0][0]}...", file=sys.stderr)
        return CASES


def tile_throughput(km, key, pol, blocks, dev, rows, n, elem_bytes, lat, src):
    """Tiles per us and its bound, the look-back's latency per tile, for one tile launch."""
    clock = dev["clock_ghz"] * 1e3  # clocks per us
    tile = pol["kThreads"] * pol["kTileItems"]
    tiles_per_row = math.ceil(n / tile)
    tiles = rows * tiles_per_row
    warps = pol["kThreads"] // 32
    bytes_tile = tile * 3 * elem_bytes
    lam_bw = dev["copy_tbs"] * 1e6 / bytes_tile  # tiles per us (the scan at the copy's efficiency)
    p = km["tile_pipes"]
    total = sum(p.values())
    cyc = max(total / ISSUE_RATE, *[p.get(k, 0) / r for k, r in PIPE_RATE.items()]) * warps
    lam_issue = dev["sms"] * clock / cyc
    resident = blocks * dev["sms"]
    # Look-back: a = one look-back that hits at once (cycles -> us); b = per skipped predecessor.
    scale = LOOKBACK_SCALE_ALL or LOOKBACK_SCALE.get(key, 1.0)
    a = km["lookback_once_cycles"] / clock * scale
    fold = max([f["cycles"] for f in km["fold"]] or [0]) / clock / src.fold_span
    window = max([w["cycles"] for w in km["window"]] or [0]) / clock / src.window_span
    b = (fold + window) * scale
    window_cap = src.window_cap
    # Time a tile holds its slot besides the look-back: DRAM latency plus its share of issue.
    body = lat["dram"] / clock + cyc / clock
    rows_in_flight = max(1, min(rows, math.ceil(resident / tiles_per_row)))
    depth_cap = max(0, (tiles_per_row - 1) / 2) if tiles_per_row > 1 else 0

    def lookback_us(lam):
        lam_row = lam / rows_in_flight
        if tiles_per_row == 1:
            return 0.0, 0.0
        # d predecessors pending = lam_row * D (those whose look-back began within D before):
        # D = a + b * d  ->  D = a / (1 - lam_row b), d capped by the row's length.
        if lam_row * b >= 1:
            return math.inf, math.inf
        D = a / (1 - lam_row * b)
        d = lam_row * D
        if d > depth_cap:
            d = depth_cap
            D = a + b * d
        return D, d

    def feasible(lam):
        D, _ = lookback_us(lam)
        return D < math.inf and lam * (body + D) <= resident

    lam_hi = min(lam_bw, lam_issue)
    if feasible(lam_hi):
        lam, bound = lam_hi, ("bandwidth" if lam_bw <= lam_issue else "issue")
    else:
        lo, hi = 0.0, lam_hi
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if feasible(mid) else (lo, mid)
        lam, bound = lo, "look-back chain"
    D, d = lookback_us(lam)
    note = ""
    if window_cap is not None and d > window_cap:
        # Only `window_cap` predecessors are read before a sleep: the front tile folds at most
        # that many, the others sleep (64-1024 ns, about half the longest on average) and retry.
        sleep = 0.5
        lam_cap = rows_in_flight * window_cap / (a + b * window_cap + sleep)
        if lam_cap < lam:
            lam, bound = lam_cap, "look-back chain (window cap)"
            D = a + b * window_cap + sleep
        note = f"{d:.0f} predecessors pending > window cap {window_cap}"
    t = tiles / lam + body + D + LAUNCH_GAP_US
    return dict(tiles=tiles, lam=lam, lam_bw=lam_bw, lam_issue=lam_issue, lam_chain=(1 / b if b else math.inf) * rows_in_flight,
                bound=bound, D=D, d=d, a=a, b=b, time_us=t, note=note, resident=resident)


def predict(models, res, src, dev_name, lat):
    dev = DEVICES[dev_name]
    out = []
    for case, key, rows, n, cliff in bench_cases():
        target, tnote = TARGETS.get(case, (None, "-"))
        r = dict(case=case, rows=rows, n=n, target=target, target_note=tnote, device=dev_name)
        if key is None:
            r.update(ratio=None, bound="not modeled (CUB's own kernel; bench_gpu.cu is not compiled here)"
                     if case.startswith("cub") else "not modeled (method)")
            out.append(r)
            continue
        km = models[key]
        pol = src.policy.get(key)
        elem = 8 if key[1] == "double" else 4
        kres = resources_for(res, KERNELS[key])
        blocks = blocks_per_sm(kres, pol["kThreads"])
        wres = resources_for(res, WARP_ROWS[key])
        warp_capacity = blocks_per_sm(wres, pol["kThreads"]) * dev["sms"] * pol["kThreads"] // 32
        tile = pol["kThreads"] * pol["kTileItems"]
        floor_us = 3 * rows * n * elem / (dev["copy_tbs"] * 1e6) + COPY_OVERHEAD_US
        if rows >= 4 * warp_capacity or n <= tile // 2:
            # bench_gpu.cu's case runs the warp-per-row kernel (device_scan.cu's chooseShape).
            wm = models.get(("warp rows",) + key)
            seg = 32 * pol["kItems"]
            segs = math.ceil(n / seg)
            waves = math.ceil(rows / warp_capacity)
            t_seg = wm["segment_cycles"] / (dev["clock_ghz"] * 1e3)
            t_lat = waves * segs * t_seg
            t_bw = 3 * rows * n * elem / (dev["copy_tbs"] * 1e6)
            t = max(t_lat, t_bw) + LAUNCH_GAP_US
            r.update(time_us=t, floor_us=floor_us, ratio=t / floor_us, blocks_per_sm=None, tiles_per_us=None,
                     bound=("bandwidth" if t_bw >= t_lat else "segment latency") +
                     f" (warp-per-row kernel: {'rows >= 4 x ' + str(warp_capacity) + ' resident warps' if rows >= 4 * warp_capacity else 'n <= half a tile'})")
            out.append(r)
            continue
        if case == "host-f32":
            chunk = min(n, 1 << 20)
            chunks = math.ceil(n / chunk)
            k = tile_throughput(km, key, pol, blocks, dev, 1, chunk, elem, lat, src)
            h2d = 2 * n * elem / (dev["pcie_gbs"] * 1e3)
            d2h = n * elem / (dev["pcie_gbs"] * 1e3)
            host = 3 * n * elem / (HOST_COPY_GBS * 1e3)
            kern = chunks * k["time_us"]
            stages = dict(host_copies=host, h2d=h2d, d2h=d2h, kernels=kern)
            bound = max(stages, key=stages.get)
            fill = (stages["host_copies"] + h2d + d2h + kern) / chunks  # first chunk in, last one out
            t = max(stages.values()) + fill + HOST_CALL_OVERHEAD_US
            floor_us = max(h2d, d2h)
            r.update(time_us=t, floor_us=floor_us, ratio=t / floor_us, bound=f"{bound} (host copy {HOST_COPY_GBS:.0f} GB/s, PCIe {dev['pcie_gbs']:.0f} GB/s assumed)",
                     blocks_per_sm=blocks, tiles_per_us=None)
            out.append(r)
            continue
        k = tile_throughput(km, key, pol, blocks, dev, rows, n, elem, lat, src)
        if cliff:
            cm = km.get("cliff")
            if not cm:
                r.update(ratio=None, bound="not modeled (no cliff chain found in the SASS)")
                out.append(r)
                continue
            first = CLIFF_FIRST.get(cliff)
            cycles, parts = cliff_tile_cycles(cm, lat, pol["kThreads"] // 32, pol["kThreads"], first)
            clock = dev["clock_ghz"] * 1e3
            lam_chain = rows * clock / cycles  # one chain per row
            lam = min(k["lam_bw"], k["lam_issue"], lam_chain)
            body = lat["dram"] / clock  # the first tile's loads
            t = k["tiles"] / lam + body + LAUNCH_GAP_US
            what = "wide composition" if first is None else f"wide composition failed, in order from thread {first}"
            r.update(time_us=t, floor_us=floor_us, ratio=t / floor_us, blocks_per_sm=blocks, tiles_per_us=lam,
                     lam_bw=k["lam_bw"], lam_issue=k["lam_issue"], lam_chain=lam_chain, us_per_tile=cycles / clock,
                     cliff_parts={p: v / clock for p, v in parts.items()},
                     bound=("serial chain" if lam == lam_chain else "bandwidth or issue") +
                     f" of non-composing tiles ({what}): {cycles / clock:.2f} us per tile")
            out.append(r)
            continue
        r.update(time_us=k["time_us"], floor_us=floor_us, ratio=k["time_us"] / floor_us, bound=k["bound"],
                 blocks_per_sm=blocks, tiles_per_us=k["lam"], lam_bw=k["lam_bw"], lam_issue=k["lam_issue"],
                 lam_chain=k["lam_chain"], lookback_us=k["D"], pending=k["d"], note=k["note"])
        out.append(r)
    return out


def fmt(x, spec=".2f"):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def markdown(preds, models, res, src, key_hash, commit, lat):
    lines = []
    lines.append(f"Kernels: sources hash {key_hash}, commit {commit}, nvcc sm_90 -O3 (SASS via nvdisasm -gi).")
    lines.append("")
    lines.append("| kernel | regs | blocks/SM | tile work per thread (likely path; static upper bound) | 16-B / scalar global ops | "
                 f"look-back once (cycles, L2 trips) | serial fold per {src.fold_span} predecessors (cycles, instr.) | window per {src.window_span} (cycles, L2 trips) | chain: tiles/us per row (without the serial fold) |")
    lines.append("|---|---:|---:|---|---|---|---|---|---|")
    for key, km in models.items():
        if key[0] == "warp rows":
            continue
        pol = src.policy[key]
        rr = resources_for(res, KERNELS[key])
        pipes = ", ".join(f"{k} {v}" for k, v in sorted(km["tile_pipes"].items(), key=lambda kv: -kv[1]))
        fold = "; ".join(f"{f['cycles']} ({f['instructions']})" for f in km["fold"]) or "none"
        win = "; ".join(f"{w['cycles']} ({w['l2_trips']})" for w in km["window"]) or "none"
        clock = DEVICES["H200"]["clock_ghz"] * 1e3
        per_window = max([w["cycles"] for w in km["window"]] or [0]) / src.window_span
        per_fold = max([f["cycles"] for f in km["fold"]] or [0]) / src.fold_span
        rate = lambda c: f"{clock / c:.0f}" if c else "unbounded"
        chain = f"{rate(per_fold + per_window)} ({rate(per_window)})"
        lines.append(f"| {key[0]}<{key[1]}> ({pol['kThreads']}x{pol['kTileItems']}) | {rr['regs']} | {blocks_per_sm(rr, pol['kThreads'])} | "
                     f"{sum(km['tile_pipes'].values())}: {pipes}; {sum(km['tile_pipes_static'].values())} | {km['tile_global_vector']} / {km['tile_global_scalar']} | "
                     f"{km['lookback_once_cycles']} ({km['lookback_once_l2']}) | {fold} | {win} | {chain} |")
    cliffs = [(key, km) for key, km in models.items() if key[0] != "warp rows" and km.get("cliff")]
    if cliffs:
        lines.append("")
        lines.append("The slow cliff's chain (issue 11 item 7; cliff_model): per non-composing tile, the handoff "
                     "(its predecessor's publish seen by its poll) plus its path from that poll to its own publish, "
                     "plus the in-order steps where the wide composition fails too.")
        lines.append("")
        lines.append("| kernel | path: instructions (wide scan = slow; tile; look-back; of them rare) | path latency, cycles (L2 trips) | "
                     "path issue, all warps (cycles) | poll pass / handoff (cycles) | in order: per thread / per warp (cycles) | "
                     "us per tile at 1.98 GHz: wide / in order from thread 1 |")
        lines.append("|---|---|---:|---:|---|---|---|")
        for key, km in cliffs:
            cm, pol = km["cliff"], src.policy[key]
            warps = pol["kThreads"] // 32
            clock = DEVICES["H200"]["clock_ghz"] * 1e3
            wide, parts = cliff_tile_cycles(cm, lat, warps, pol["kThreads"])
            inord, _ = cliff_tile_cycles(cm, lat, warps, pol["kThreads"], 1)
            t = cm["path_by_tag"]
            lines.append(f"| {key[0]}<{key[1]}> ({pol['kThreads']}x{pol['kTileItems']}) | {cm['path_instructions']} "
                         f"(slow {t['slow']}; tile {t['tile']}; look-back {t['lookback']}; rare {cm['path_rare']}) | "
                         f"{cm['path_cycles']} ({cm['path_l2']}) | {parts['issue']:.0f} | {fmt(cm['poll_cycles'], '.0f')} / {parts['handoff']:.0f} | "
                         f"{fmt(cm['lane_cycles'], '.0f')} / {fmt(cm['warp_cycles'], '.0f')} | {wide / clock:.2f} / {inord / clock:.2f} |")
    for dev in DEVICES:
        lines.append("")
        lines.append(f"**{dev}** ({DEVICES[dev]['sms']} SMs, {DEVICES[dev]['clock_ghz']} GHz, copy {DEVICES[dev]['copy_tbs']} TB/s assumed; L2 hit {lat['l2']} cycles)")
        lines.append("")
        lines.append("| case | predicted ms | floor ms | predicted / floor | bound | tiles/us (bw, issue, chain) | target |")
        lines.append("|---|---:|---:|---:|---|---|---|")
        for p in preds[dev]:
            lam = ("-" if p.get("tiles_per_us") is None else
                   f"{p['tiles_per_us']:.1f} ({p['lam_bw']:.0f}, {p['lam_issue']:.0f}, {fmt(p['lam_chain'], '.1f')})")
            if p.get("us_per_tile") is not None:  # the cliff's chains: well under a tile per us
                lam = f"{p['tiles_per_us']:.3g} ({p['lam_bw']:.0f}, {p['lam_issue']:.0f}, {p['lam_chain']:.3g})"
            bound = p["bound"] + (f"; {p['note']}" if p.get("note") else "")
            lines.append(f"| {p['case']} | {fmt(p.get('time_us') and p['time_us'] / 1e3, '.3f')} | "
                         f"{fmt(p.get('floor_us') and p['floor_us'] / 1e3, '.3f')} | {fmt(p.get('ratio'))} | {bound} | {lam} | {p['target_note']} |")
    return "\n".join(lines)


def self_test():
    """The SASS reader, tagging, loop classes and scheduler on a small hand-written kernel."""
    import tempfile
    status = os.path.join(NATIVE, "cuda/tile_status.cuh")
    text = f""".text.fakeKernel:
\t//## File "{status}", line 1
        /*0000*/                   MOV R2, RZ ;
.L_x_1:
        /*0010*/                   LDS.64 R4, [R10] ;
        /*0020*/                   FFMA R2, R4, R2, R5 ;
        /*0030*/                   FSETP.NAN.AND P0, PT, R2, R2, PT ;
        /*0040*/                   IADD3 R10, R10, -0x8, RZ ;
        /*0050*/                   ISETP.NE.AND P1, PT, R10, RZ, PT ;
        /*0060*/              @P1 BRA `(.L_x_1) ;
.L_x_2:
        /*0070*/                   LD.E.STRONG.GPU R7, [R8.64] ;
        /*0080*/                   ISETP.EQ.AND P2, PT, R7, RZ, PT ;
        /*0090*/              @P2 BRA `(.L_x_2) ;
        /*00a0*/                   EXIT ;
.text.other:
"""
    with tempfile.NamedTemporaryFile("w", suffix=".sass", delete=False) as f:
        f.write(text)
    try:
        ins, labels = kernel_sass(f.name, r"fakeKernel")
    finally:
        os.unlink(f.name)
    src = Sources()
    blocks, loops = analyse(ins, labels, src)
    checks = {
        "instructions": (len(ins), 11),
        "all look-back": ({i.tag for i in ins}, {"lookback"}),
        "loops": (len(loops), 2),
        "64-bit operand pairs": (regs_of(ins[1]), (["R4", "R5"], ["R10"])),
        "predicate dests": (regs_of(ins[3])[0], ["P0"]),
    }
    lat = dict(LATENCY)
    fold = next(L for L in loops if L["head"] == 1)
    seq = walk(ins, blocks, fold["head"], set(fold["own"]))
    # LDS 30 -> FFMA 4 -> FSETP; IADD3 4 -> ISETP 4 -> BRA (+2) -> next LDS: 46 cycles a pass,
    # carried through R10 (the LDS waits for the previous pass's IADD3 only via in-order issue).
    checks["fold pass cycles"] = (iteration_latency(seq, lat), (46, 0))
    poll = next(L for L in loops if L["head"] != 1)
    pseq = walk(ins, blocks, poll["head"], set(poll["own"]))
    checks["poll pass (one L2 round trip)"] = (iteration_latency(pseq, lat), (lat["l2"] + 4 + 2 + 1, 1))
    checks.update(self_test_cliff(src, lat))
    bad = {k: v for k, v in checks.items() if v[0] != v[1]}
    for k, (got, want) in bad.items():
        print(f"self-test: {k}: got {got}, want {want}")
    print("self-test " + ("FAILED" if bad else "passed"))
    return 1 if bad else 0


def self_test_cliff(src, lat):
    """The slow cliff's chain (cliff_model) on a hand-written tile: the wait for the tile before
    (a poll, then the spin), a path whose branch skips a cold block behind a reconvergence-only
    block (the lookahead), a barrier, the publish after the results."""
    import tempfile
    status = os.path.join(NATIVE, "cuda/tile_status.cuh")
    kernel = os.path.join(NATIVE, "cuda/scan_kernel.cuh")
    monoid = os.path.join(NATIVE, "monoid.h")
    cold = next(a + 1 for (a, b), name in sorted(src.funcs[os.path.realpath(monoid)].items())
                if "LINREC_HD_COLD" in src.lines_of(monoid)[a - 1] and b > a)
    slow = src.slow_block[0]  # in the slow paths, not in the in-order block
    text = f""".text.fakeCliff:
\t//## File "{status}", line {src.carry_wait_line}
        /*0000*/                   LDG.E.128.STRONG.GPU R4, [R2.64] ;
        /*0010*/                   ISETP.NE.AND P0, PT, R4, RZ, PT ;
        /*0020*/              @P0 BRA `(.L_x_2) ;
.L_x_1:
        /*0030*/                   CS2R R8, SR_GLOBALTIMERLO ;
        /*0040*/                   LDG.E.128.STRONG.GPU R4, [R2.64] ;
        /*0050*/                   ISETP.EQ.AND P0, PT, R4, RZ, PT ;
        /*0060*/              @P0 BRA `(.L_x_1) ;
.L_x_2:
\t//## File "{kernel}", line {slow}
        /*0070*/                   DFMA R10, R6, R6, R6 ;
        /*0080*/                   DSETP.GE.AND P1, PT, |R10|, R6, PT ;
        /*0090*/             @!P1 BRA `(.L_x_4) ;
.L_x_3:
        /*00a0*/                   BSYNC B0 ;
.L_x_6:
\t//## File "{monoid}", line {cold}
        /*00b0*/                   DADD R12, R10, -R10 ;
        /*00c0*/                   DMUL R10, R12, R12 ;
        /*00d0*/                   BRA `(.L_x_5) ;
.L_x_4:
\t//## File "{kernel}", line {slow}
        /*00e0*/                   BSYNC B0 ;
.L_x_5:
        /*00f0*/                   BAR.SYNC.DEFER_BLOCKING 0x0 ;
\t//## File "{kernel}", line {src.publish_after_line}
        /*0100*/                   STG.E.STRONG.GPU [R2.64], R10 ;
        /*0110*/                   EXIT ;
.text.other:
"""
    with tempfile.NamedTemporaryFile("w", suffix=".sass", delete=False) as f:
        f.write(text)
    try:
        ins, labels = kernel_sass(f.name, r"fakeCliff")
        cm = cliff_model(f.name, r"fakeCliff", src, lat)
    finally:
        os.unlink(f.name)
    blocks, _ = analyse(ins, labels, src)
    drop = lambda i: i.rare or waiting(i)
    plain = walk(ins, blocks, 2, set(range(len(blocks))), drop, mostly=True)
    ahead = walk(ins, blocks, 2, set(range(len(blocks))), drop, mostly=True, lookahead=True)
    checks = {
        "cliff: cold block behind a BSYNC-only block, walk without lookahead": ([i.op for i in plain if i.rare], ["DADD", "DMUL", "BRA"]),
        "cliff: ... with lookahead": ([i.op for i in ahead if i.rare], []),
    }
    if cm is None:
        checks["cliff: chain found"] = (None, "a chain")
        return checks
    # Path from past the spin to the publish: DFMA 1 -> (8) DSETP 9 -> (8) BRA 17 (+2) -> BSYNC 20
    # -> BAR 21 (+20) -> STG 42. Poll pass: CS2R, LDG (270) -> ISETP (4) -> BRA (+2): 278.
    checks["cliff: path (start past the spin, end at the publish)"] = (
        (cm["at"], cm["publish_at"], cm["path_instructions"], cm["path_by_tag"]["slow"], cm["path_rare"]),
        ("0x70", "0x100", 6, 5, 0))  # the publish is after the slow paths: tile work
    checks["cliff: path cycles, poll pass"] = ((cm["path_cycles"], cm["poll_cycles"]), (42, 278))
    # Per tile: handoff L2 + half a poll pass (270 + 139) + the path (its latency 42 > the issue of
    # 8 warps x 6 instructions: 12 cycles); in order from thread 1: 256 lane passes, 8 warp passes.
    total, parts = cliff_tile_cycles(cm, lat, 8, 256)
    checks["cliff: chain cycles per tile (wide)"] = ((total, parts["handoff"], parts["issue"]), (451.0, 409.0, 12.0))
    total, parts = cliff_tile_cycles(dict(cm, lane_cycles=100, warp_cycles=50), lat, 8, 256, first=1)
    checks["cliff: chain cycles per tile (in order from thread 1)"] = ((total, parts["inorder"]), (451.0 + 26000, 26000))
    return checks


def main():
    if "--self-test" in sys.argv:
        sys.exit(self_test())
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=os.path.join(ROOT, "bench/gpu/build/model"))
    ap.add_argument("--compare", help="a gpu.json: print predicted vs measured ratios")
    ap.add_argument("--device", help="with --compare: H200 or H100 (default: from gpu.json's device name)")
    ap.add_argument("--l2-scale", type=float, default=1.0, help="scale the L2 and fence latencies (sensitivity)")
    ap.add_argument("--latency", action="append", default=[], metavar="NAME=CYCLES",
                    help=f"override a latency ({', '.join(LATENCY)}), e.g. --latency alu=5")
    ap.add_argument("--host-copy-gbs", type=float, help="host-f32: pageable->pinned copy rate (default %.0f)" % HOST_COPY_GBS)
    ap.add_argument("--lookback-scale", type=float,
                    help="multiply every look-back latency by this (default: LOOKBACK_SCALE, per monoid; 1: uncalibrated)")
    ap.add_argument("--details", action="store_true", help="print the SASS counts as JSON")
    ap.add_argument("--json", help="write the predictions as JSON to this file")
    args = ap.parse_args()
    lat = dict(LATENCY)
    lat["l2"] = round(lat["l2"] * args.l2_scale)
    lat["membar"] = round(lat["membar"] * args.l2_scale)
    for kv in args.latency:
        name, value = kv.split("=")
        if name not in lat:
            sys.exit(f"model.py: no latency named {name}")
        lat[name] = int(value)
    if args.lookback_scale:
        globals()["LOOKBACK_SCALE_ALL"] = args.lookback_scale
    if args.host_copy_gbs:
        globals()["HOST_COPY_GBS"] = args.host_copy_gbs
    key, ptxas, sass = build(args.cache)
    src = Sources()
    res = ptxas_resources(ptxas)
    models = {}
    cases = bench_cases()
    for k in sorted({c[1] for c in cases if c[1]}, key=list(KERNELS).index):
        name_re = KERNELS[k]
        m = kernel_model(sass, name_re, src, lat)
        if m is None:
            sys.exit(f"model.py: no kernel matches {name_re} in the SASS")
        if any(c[1] == k and c[4] for c in cases):
            m["cliff"] = cliff_model(sass, name_re, src, lat)
        models[k] = m
        models[("warp rows",) + k] = warp_rows_model(sass, WARP_ROWS[k], src, lat)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "native"], capture_output=True, text=True).stdout.strip()
    commit += "+dirty native/" if dirty else ""
    preds = {d: predict(models, res, src, d, lat) for d in DEVICES}
    if args.details:
        print(json.dumps({" ".join(k): v for k, v in models.items()}, indent=1))
    if args.json:
        json.dump(dict(commit=commit, sources=key, latency=lat, devices=DEVICES, predictions=preds), open(args.json, "w"), indent=1)
    if args.compare:
        g = json.load(open(args.compare))
        dev = args.device or ("H100" if "H100" in g.get("device", "") else "H200")
        print(f"# {g.get('device')} (commit {g.get('commit')}) vs the model for {dev} (kernels at {commit})\n")
        measured_at = str(g.get("commit") or "")[:7]
        if measured_at and not commit.startswith(measured_at):
            print(f"(gpu.json was measured at {measured_at}, the model read the kernels at {commit}: "
                  "check out the measured commit for a like-for-like comparison)\n")
        print("| case | measured / floor | predicted / floor | measured / predicted | measured ms | predicted ms | bound (model) | target |")
        print("|---|---:|---:|---:|---:|---:|---|---|")
        by_case = {p["case"]: p for p in preds[dev]}
        for r in g["results"]:
            p = by_case.get(r["case"], {})
            meas = r["median_ms"] / r["floor_ms"] if r.get("floor_ms") else None
            vs = r["median_ms"] / (p["time_us"] / 1e3) if p.get("time_us") else None
            print(f"| {r['case']} | {fmt(meas)} | {fmt(p.get('ratio'))} | {fmt(vs)} | {r['median_ms']:.3f} | "
                  f"{fmt(p.get('time_us') and p['time_us'] / 1e3, '.3f')} | {p.get('bound', '-')} | {p.get('target_note', '-')} |")
        return
    print(markdown(preds, models, res, src, key, commit, lat))


if __name__ == "__main__":
    main()
