'use strict';
// The benchmark harness shared by `npm run bench` (bench/cpu.js) and the GPU bench.
//
// It measures, for n = 10^3..10^7 (10^8 with a GPU and --large):
//   - throughput (elements/s, median of several timed runs after warm-up) of the JS loop
//     (`sequential`, float32 rounding), the plain C++ loop (addon().sequentialNative), linrec on
//     the CPU at 1 thread and at all threads (direct float32; direct float64 and log float32),
//     the memcpy floors, and, when CUDA is usable, linrec on the GPU (host arrays and DeviceArrays);
//   - accuracy (max over t of |x_t - ref_t| / (|ref_t| + mean|ref|) against a float64 loop on
//     the same float32 inputs) of linrec direct/log float32, the float32 JS loop and the seed's
//     recipe (Heinsen's log-space scan, emulated in float32), on fresh random inputs each trial.
//
// Everything here is plain CommonJS on top of ../dist (build it first: `npm run prepare`).
// The parts with one job each live in bench/lib/ (random, machine, timing, accuracy, the seed
// recipe, tables); this file holds the cases, the run and the command line.
// See bench/NOTES.md for what each row and column means.

const fs = require('fs');
const os = require('os');
const path = require('path');

const linrec = require('../dist');
const { addon } = require('../dist/addon');
const { integerArg } = require('../dist/cli-number');
const { mulberry32, deriveSeed, DISTRIBUTIONS, fillInputs } = require('./lib/random');
const { machine } = require('./lib/machine');
const { nowMs, median, timeIt } = require('./lib/timing');
const { reference64, mixedError } = require('./lib/accuracy');
const { seedComplex32, seedReal32 } = require('./lib/seed-recipe');
const { fmtErr, markdown } = require('./lib/tables');
const { loopSpec } = require('./lib/loop-spec');

const SCHEMA = 'linrec-bench/1';

// ---------------------------------------------------------------------------------------------
// The throughput cases. Each returns { fn, dispose? } for one size, on the inputs it is given.

/**
 * x_t = a_t + b_t: the scan's memory traffic without its dependency. A top-level function of its
 * arguments (not a closure over one size's arrays), so V8's optimized code serves every size.
 */
function addKernel(out, a, b, n) {
  for (let t = 1; t <= n; t++) out[t] = a[t - 1] + b[t];
}

function throughputCases(threadsAll, cuda) {
  const cpu = [
    {
      id: 'js-loop',
      label: 'JS loop (sequential, f32)',
      group: 'baseline',
      dtype: 'float32',
      method: 'sequential',
      threads: 1,
      device: 'js',
      slow: true,
      setup: ({ a32, b32 }) => {
        const out = new Float32Array(b32.length);
        return { fn: () => linrec.sequential(a32, b32, { out }) };
      },
    },
    {
      id: 'cpp-loop',
      label: 'C++ loop (sequentialNative, f32)',
      group: 'baseline',
      dtype: 'float32',
      method: 'sequential',
      threads: 1,
      device: 'cpu',
      setup: ({ a32, b32, n }) => {
        const out = new Float32Array(b32.length);
        const spec = loopSpec(a32, b32, out, n);
        const native = addon();
        return { fn: () => native.sequentialNative(spec) };
      },
    },
    {
      id: 'linrec-1t',
      label: 'linrec CPU 1 thread (direct, f32)',
      group: 'linrec',
      dtype: 'float32',
      method: 'direct',
      threads: 1,
      device: 'cpu',
      setup: ({ a32, b32 }) => {
        const out = new Float32Array(b32.length);
        return { fn: () => linrec.scan(a32, b32, { device: 'cpu', threads: 1, out }) };
      },
    },
    {
      id: 'linrec-all',
      label: `linrec CPU ${threadsAll} threads (direct, f32)`,
      group: 'linrec',
      dtype: 'float32',
      method: 'direct',
      threads: threadsAll,
      device: 'cpu',
      setup: ({ a32, b32 }) => {
        const out = new Float32Array(b32.length);
        return { fn: () => linrec.scan(a32, b32, { device: 'cpu', threads: threadsAll, out }) };
      },
    },
    {
      id: 'linrec-all-f64',
      label: `linrec CPU ${threadsAll} threads (direct, f64)`,
      group: 'linrec',
      dtype: 'float64',
      method: 'direct',
      threads: threadsAll,
      device: 'cpu',
      setup: ({ a64, b64 }) => {
        const out = new Float64Array(b64.length);
        return { fn: () => linrec.scan(a64, b64, { device: 'cpu', threads: threadsAll, out }) };
      },
    },
    {
      id: 'linrec-all-log',
      label: `linrec CPU ${threadsAll} threads (log, f32)`,
      group: 'linrec',
      dtype: 'float32',
      method: 'log',
      threads: threadsAll,
      device: 'cpu',
      slow: true,
      setup: ({ a32, b32 }) => {
        const out = new Float32Array(b32.length);
        return { fn: () => linrec.scan(a32, b32, { device: 'cpu', threads: threadsAll, method: 'log', out }) };
      },
    },
    {
      // The floor the brief names: TypedArray.prototype.set of a 3n-float32 array into another
      // (V8 copies same-type, non-overlapping typed arrays with memmove): 12 bytes copied per
      // element, i.e. 12 B read + 12 B written.
      id: 'memcpy',
      label: 'memcpy floor (copy 12 B/element)',
      group: 'floor',
      dtype: 'float32',
      method: 'copy',
      threads: 1,
      device: 'cpu',
      traffic: 24,
      setup: ({ n }) => {
        const src = new Float32Array(3 * n).fill(1);
        const dst = new Float32Array(3 * n);
        return { fn: () => dst.set(src) };
      },
    },
    {
      // Traffic-matched floor: copy 6 B per element (1.5n floats), i.e. 6 B read + 6 B written =
      // the scan's 12 B of traffic (read a, b; write x). Same definition as bench/gpu/bench_gpu.cu.
      id: 'memcpy-half',
      label: 'memcpy floor (copy 6 B/element = 12 B traffic)',
      group: 'floor',
      dtype: 'float32',
      method: 'copy',
      threads: 1,
      device: 'cpu',
      traffic: 12,
      setup: ({ n }) => {
        const m = Math.ceil(1.5 * n);
        const src = new Float32Array(m).fill(1);
        const dst = new Float32Array(m);
        return { fn: () => dst.set(src) };
      },
    },
    {
      // The scan's exact access pattern without the dependency: x_t = a_t + b_t in JS.
      id: 'js-add',
      label: 'JS loop x=a+b (same traffic, no dependency)',
      group: 'floor',
      dtype: 'float32',
      method: 'add',
      threads: 1,
      device: 'js',
      setup: ({ a32, b32, n }) => {
        const out = new Float32Array(b32.length);
        return { fn: () => addKernel(out, a32, b32, n) };
      },
    },
  ];
  if (!cuda) return cpu;
  const gpu = [
    {
      id: 'cuda-host',
      label: 'linrec CUDA, host arrays (direct, f32, incl. PCIe)',
      group: 'gpu',
      dtype: 'float32',
      method: 'direct',
      threads: null,
      device: 'cuda',
      setup: ({ a32, b32 }) => {
        const out = new Float32Array(b32.length);
        return { fn: () => linrec.scan(a32, b32, { device: 'cuda', out }) };
      },
    },
    ...[
      ['cuda-device', 'direct', 'float32'],
      ['cuda-device-f64', 'direct', 'float64'],
      ['cuda-device-log', 'log', 'float32'],
    ].map(([id, method, dtype]) => ({
      id,
      label: `linrec CUDA, DeviceArrays (${method}, ${dtype === 'float64' ? 'f64' : 'f32'})`,
      group: 'gpu',
      dtype,
      method,
      threads: null,
      device: 'cuda',
      setup: ({ a32, b32, a64, b64 }) => {
        const [a, b] = dtype === 'float64' ? [a64, b64] : [a32, b32];
        const da = linrec.toDevice(a);
        const db = linrec.toDevice(b);
        const out = linrec.DeviceArray.empty(b.length, dtype);
        return {
          fn: () => linrec.scan(da, db, { method, out }),
          dispose: () => [da, db, out].forEach((d) => d.dispose()),
        };
      },
    })),
    {
      // Device-to-device copy of 6 B per element (12 B of traffic), like bench/gpu/bench_gpu.cu.
      id: 'gpu-memcpy',
      label: 'GPU memcpy floor (D2D copy 6 B/element)',
      group: 'gpu-floor',
      dtype: 'float32',
      method: 'copy',
      threads: null,
      device: 'cuda',
      traffic: 12,
      setup: ({ n }) => {
        const m = Math.ceil(1.5 * n);
        const src = linrec.toDevice(new Float32Array(m).fill(1));
        const dst = linrec.DeviceArray.empty(m, 'float32');
        return { fn: () => dst.buffer.copyFrom(src.buffer), dispose: () => [src, dst].forEach((d) => d.dispose()) };
      },
    },
  ];
  return [...cpu, ...gpu];
}

const BYTES_PER_ELEMENT = { float32: 12, float64: 24 };

/**
 * At each size: set every case up, warm each one up, then take the timed samples in rounds, one
 * sample of every case per round (the starting case rotating), so that load changes on a shared
 * machine fall on all cases alike rather than on whichever ran during them.
 */
function runThroughput(cfg, log) {
  const records = [];
  const cases = throughputCases(cfg.threadsAll, cfg.cuda);
  for (const n of cfg.sizes) {
    const seed = deriveSeed(cfg.seed, 'throughput', n);
    const a32 = new Float32Array(n);
    const b32 = new Float32Array(n + 1);
    fillInputs('uniform', seed, a32, b32);
    const a64 = Float64Array.from(a32);
    const b64 = Float64Array.from(b32);
    const inputs = { n, a32, b32, a64, b64 };
    const schedule = cfg.schedule(n);
    const reps = Math.max(1, Math.round(cfg.minElementsPerSample / n));
    const live = [];
    try {
      for (const c of cases) {
        const { warmup, runs } = c.slow ? schedule.slow : schedule.normal;
        live.push({ c, warmup, runs, ...c.setup(inputs), samples: [] });
      }
      for (const s of live) for (let i = 0; i < s.warmup; i++) s.fn();
      const rounds = Math.max(...live.map((s) => s.runs));
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < live.length; j++) {
          const s = live[(j + r) % live.length];
          if (s.samples.length >= s.runs) continue;
          s.samples.push(timeIt(s.fn, { warmup: 0, runs: 1, reps })[0]);
        }
      }
    } finally {
      for (const s of live) if (s.dispose) s.dispose();
    }
    for (const { c, warmup, runs, samples } of live) {
      const medianMs = median(samples);
      const rec = {
        kind: 'throughput',
        id: c.id,
        label: c.label,
        group: c.group,
        n,
        dtype: c.dtype,
        method: c.method,
        threads: c.threads,
        device: c.device,
        distribution: 'uniform',
        seed,
        warmup,
        runs,
        reps,
        samplesMs: samples.map((x) => +x.toPrecision(6)),
        medianMs: +medianMs.toPrecision(6),
        minMs: +Math.min(...samples).toPrecision(6),
        maxMs: +Math.max(...samples).toPrecision(6),
        elementsPerSec: +(n / (medianMs / 1e3)).toPrecision(6),
        // bytes read + written per element (the scan: a, b read, x written)
        trafficBytesPerElement: c.traffic ?? BYTES_PER_ELEMENT[c.dtype],
      };
      rec.gbPerSec = +((rec.elementsPerSec * rec.trafficBytesPerElement) / 1e9).toPrecision(4);
      records.push(rec);
      log(
        `  n=${n.toExponential(0)} ${c.label.padEnd(44)} median ${medianMs.toFixed(3)} ms  (${(rec.elementsPerSec / 1e6).toFixed(1)} M el/s, ${warmup}+${runs}x${reps})`,
      );
    }
  }
  return records;
}

/** Time ratios at each n (see NOTES.md): >1 in the 'speedup' ones means linrec is faster. */
function ratios(records) {
  const by = new Map(records.map((r) => [`${r.id}@${r.n}`, r.medianMs]));
  const sizes = [...new Set(records.map((r) => r.n))];
  const defs = [
    ['linrec-all / memcpy', 'linrec-all', 'memcpy', 'time of linrec (all threads, f32) ÷ time of the 12 B/element copy'],
    ['linrec-all / memcpy-half', 'linrec-all', 'memcpy-half', 'time of linrec (all threads, f32) ÷ time of the traffic-matched copy'],
    ['JS-loop / linrec-all', 'js-loop', 'linrec-all', 'speedup of linrec (all threads) over the JS loop'],
    ['C++-loop / linrec-all', 'cpp-loop', 'linrec-all', 'speedup of linrec (all threads) over the C++ loop'],
    ['C++-loop / linrec-1t', 'cpp-loop', 'linrec-1t', 'speedup of linrec (1 thread) over the C++ loop'],
    ['JS-loop / C++-loop', 'js-loop', 'cpp-loop', 'speedup of the C++ loop over the JS loop'],
    ['cuda-device / gpu-memcpy', 'cuda-device', 'gpu-memcpy', 'time of linrec on DeviceArrays ÷ time of the D2D copy'],
    ['linrec-all / cuda-device', 'linrec-all', 'cuda-device', 'speedup of the GPU (DeviceArrays) over linrec CPU'],
    ['linrec-all / cuda-host', 'linrec-all', 'cuda-host', 'speedup of the GPU (host arrays, incl. PCIe) over linrec CPU'],
  ];
  const out = [];
  for (const [name, num, den, meaning] of defs) {
    for (const n of sizes) {
      const p = by.get(`${num}@${n}`);
      const q = by.get(`${den}@${n}`);
      if (p === undefined || q === undefined) continue;
      out.push({ kind: 'ratio', name, numerator: num, denominator: den, meaning, n, value: +(p / q).toPrecision(4) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Accuracy.

function accuracyMethods(threadsAll) {
  return [
    { id: 'linrec-direct-f32', label: 'linrec direct f32', run: ({ a32, b32 }) => linrec.scan(a32, b32, { device: 'cpu', threads: threadsAll }) },
    { id: 'linrec-log-f32', label: 'linrec log f32', run: ({ a32, b32 }) => linrec.scan(a32, b32, { device: 'cpu', threads: threadsAll, method: 'log' }) },
    { id: 'sequential-f32', label: 'JS loop f32 (sequential)', run: ({ a32, b32 }) => linrec.sequential(a32, b32) },
    { id: 'seed-complex-f32', label: 'seed recipe f32, complex form (Heinsen)', seed: true, run: ({ a32, b32 }) => seedComplex32(a32, b32) },
    { id: 'seed-real-f32', label: 'seed recipe f32, real form (a, b > 0)', seed: true, positiveOnly: true, run: ({ a32, b32 }) => seedReal32(a32, b32) },
    {
      id: 'linrec-direct-f64',
      label: 'linrec direct f64 (sanity)',
      run: ({ a32, b32 }) => linrec.scan(Float64Array.from(a32), Float64Array.from(b32), { device: 'cpu', threads: threadsAll }),
    },
  ];
}

function runAccuracy(cfg, log) {
  const methods = accuracyMethods(cfg.threadsAll);
  const records = [];
  for (const dist of Object.keys(DISTRIBUTIONS)) {
    for (const n of cfg.accuracySizes) {
      const trials = cfg.accuracyTrials(n);
      const per = new Map(methods.map((m) => [m.id, []]));
      const seeds = [];
      for (let k = 0; k < trials; k++) {
        const seed = deriveSeed(cfg.seed, 'accuracy', dist, n, k);
        seeds.push(seed);
        const a32 = new Float32Array(n);
        const b32 = new Float32Array(n + 1);
        fillInputs(dist, seed, a32, b32);
        const ref = reference64(a32, b32);
        for (const m of methods) {
          if (m.positiveOnly && !DISTRIBUTIONS[dist].positive) continue;
          const t0 = nowMs();
          const x = m.run({ a32, b32 });
          const ms = nowMs() - t0;
          per.get(m.id).push({ ...mixedError(x, ref), ms });
        }
      }
      for (const m of methods) {
        const list = per.get(m.id);
        if (!list.length) continue;
        const maxes = list.map((e) => e.max);
        const rec = {
          kind: 'accuracy',
          id: m.id,
          label: m.label,
          distribution: dist,
          distributionLabel: DISTRIBUTIONS[dist].label,
          n,
          trials,
          seeds,
          // per trial: max and mean over t of the mixed error
          maxErrors: maxes.map(jsonNumber),
          meanErrors: list.map((e) => jsonNumber(e.mean)),
          nonFinite: list.reduce((s, e) => s + e.nonFinite, 0),
          medianMaxError: jsonNumber(median(maxes)),
          worstMaxError: jsonNumber(Math.max(...maxes)),
          medianMeanError: jsonNumber(median(list.map((e) => e.mean))),
          medianMs: +median(list.map((e) => e.ms)).toPrecision(4),
        };
        records.push(rec);
      }
      const show = records
        .filter((r) => r.distribution === dist && r.n === n)
        .map((r) => `${r.label}: ${fmtErr(r.medianMaxError)}`)
        .join('; ');
      log(`  accuracy, ${DISTRIBUTIONS[dist].label}, n=${n.toExponential(0)} (${trials} trials): ${show}`);
    }
  }
  return records;
}

/** JSON has no Infinity/NaN: keep finite numbers (4 significant digits), else the string. */
function jsonNumber(x) {
  return Number.isFinite(x) ? +x.toPrecision(4) : String(x);
}

// ---------------------------------------------------------------------------------------------
// Configuration and the whole run.

/** A path as the user reads it: relative where it is under the working directory, else absolute. */
function shownPath(p) {
  const rel = path.relative(process.cwd(), p);
  if (rel === '') return '.';
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? path.resolve(p) : rel;
}

/**
 * --out DIR, absolute; refused before anything runs where the results could not be written there:
 * an existing file, or a path under one, is a usage error; a folder not writable, a failure.
 */
function resultsFolder(value, usage) {
  const abs = path.resolve(value);
  for (let p = abs; ; p = path.dirname(p)) {
    let stat;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      if ((e.code === 'ENOENT' || e.code === 'ENOTDIR') && p !== path.dirname(p)) continue;
      break;
    }
    if (!stat.isDirectory())
      throw usage(`--out ${value}: ${p === abs ? 'is' : `${shownPath(p)} is`} a file, not a folder: name a folder for the results (made if missing)`);
    try {
      fs.accessSync(p, fs.constants.W_OK);
    } catch {
      throw new Error(`--out ${value}: ${p === abs ? 'the folder' : `${shownPath(p)}`} is not writable`);
    }
    break;
  }
  return abs;
}

function parseArgs(argv) {
  const o = {
    quick: false,
    large: false,
    seed: undefined,
    throughput: true,
    accuracy: true,
    sizes: undefined,
    accuracySizes: undefined,
    outDir: undefined,
    charts: true,
  };
  // A wrong argument is a usage error (err.usage: the CLI exits 2), never a silent default.
  const usage = (message) => Object.assign(new Error(message), { usage: true });
  // Flags that take no value: the option each sets, and to what.
  const flags = {
    '--quick': ['quick', true],
    '--large': ['large', true],
    '--gpu': ['gpu', true],
    '--no-gpu': ['gpu', false],
    '--no-throughput': ['throughput', false],
    '--no-accuracy': ['accuracy', false],
    '--no-charts': ['charts', false],
  };
  for (let i = 0; i < argv.length; i++) {
    // --flag value or --flag=value
    const [arg, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw usage(`${arg} needs a value`);
      return argv[++i];
    };
    // Sizes: whole numbers of elements from 1 to 10^9 (three arrays of 10^9 float64 are 24 GB).
    // (the command line's one syntax for whole numbers, src/cli-number.ts: 1000, 1e3)
    const list = (s) =>
      s.split(',').map((x) => {
        const n = integerArg(x);
        if (n === undefined || n < 1 || n > 1e9) throw usage(`${arg}: ${JSON.stringify(x)} is not a size from 1 to 1e9 (e.g. ${arg} 1e3,1e5)`);
        return n;
      });
    if (Object.prototype.hasOwnProperty.call(flags, arg)) {
      if (inline !== undefined) throw usage(`${arg} takes no value (received ${argv[i]})`);
      const [key, set] = flags[arg];
      o[key] = set;
    } else if (arg === '--seed') {
      const text = value();
      const seed = integerArg(text);
      if (seed === undefined) throw usage(`--seed must be an integer >= 0 (received '${text}')`);
      o.seed = seed >>> 0;
    } else if (arg === '--sizes') o.sizes = list(value());
    else if (arg === '--accuracy-sizes') o.accuracySizes = list(value());
    else if (arg === '--out') o.outDir = resultsFolder(value(), usage);
    else if (arg === '--help' || arg === '-h') o.help = true;
    else throw usage(`unknown option ${argv[i]} (try --help)`);
  }
  if (process.env.LINREC_BENCH_QUICK === '1') o.quick = true;
  if (process.env.LINREC_BENCH_SEED) o.seed = Number(process.env.LINREC_BENCH_SEED) >>> 0;
  return o;
}

/**
 * The options' help: one list for `npm run bench` (bench/cpu.js, the default) and `linrec bench`
 * (src/cli.ts: `cli`), which takes --device for --gpu / --no-gpu, writes to ./linrec-bench, lets
 * --sizes bound the accuracy sizes and leaves the charts out where vega is not installed.
 */
function usage({ cli = false } = {}) {
  const rows = [
    ['--quick', 'sizes up to 10^6, fewer runs (smoke test)'],
    cli
      ? ['--device auto|cpu|cuda', 'auto (default): CUDA rows where CUDA is usable; cpu: none; cuda: fails where CUDA is not usable']
      : ['--gpu | --no-gpu', 'add / leave out the CUDA rows (need backends().cuda.available)'],
    ['--large', 'add n = 10^8 when the CUDA rows are on'],
    ['--sizes 1e3,1e5', 'throughput sizes: whole numbers from 1 to 1e9 (default 10^3..10^7 by decades)'],
    ['--accuracy-sizes 1e3', `accuracy sizes (default ${cli ? 'the --sizes given, else ' : ''}10^3..10^7; --quick: up to 10^5)`],
    ['--seed N', 'base seed of the PRNG (default: random, recorded in the JSON)'],
    ['--no-throughput', 'leave out the throughput tables'],
    ['--no-accuracy', 'leave out the accuracy tables'],
    ['--no-charts', `JSON and markdown only${cli ? ' (the default where vega is not installed)' : ''}`],
    ['--out DIR', `where results go (default ${cli ? './linrec-bench' : 'bench/results'})`],
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return ['options:', ...rows.map(([flag, what]) => `  ${flag.padEnd(width)}${what}`), 'env: LINREC_BENCH_QUICK=1, LINREC_BENCH_SEED=N'].join('\n');
}

const USAGE = usage();

function config(opts = {}) {
  const cudaAvailable = linrec.backends().cuda.available;
  const cuda = opts.gpu === undefined ? cudaAvailable : !!opts.gpu && cudaAvailable;
  const quick = !!opts.quick;
  const decades = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  let sizes = opts.sizes && opts.sizes.length ? opts.sizes : decades(3, quick ? 6 : 7);
  if (opts.large && cuda && !(opts.sizes && opts.sizes.length)) sizes = [...sizes, 1e8];
  const accuracySizes = opts.accuracySizes && opts.accuracySizes.length ? opts.accuracySizes : decades(3, quick ? 5 : 7);
  const seed = opts.seed !== undefined ? opts.seed >>> 0 : require('crypto').randomBytes(4).readUInt32LE(0) >>> 0;
  return {
    quick,
    cuda,
    seed,
    sizes,
    accuracySizes,
    threadsAll: linrec.backends().cpu.threads,
    throughput: opts.throughput !== false,
    accuracy: opts.accuracy !== false,
    minElementsPerSample: quick ? 2e5 : 1e6,
    // warm-up and timed runs per case; `slow`: the JS loop and the log method
    schedule: (n) => {
      if (quick) return { normal: { warmup: 1, runs: 3 }, slow: { warmup: 1, runs: 3 } };
      if (n >= 1e8) return { normal: { warmup: 1, runs: 3 }, slow: { warmup: 1, runs: 3 } };
      if (n >= 1e7) return { normal: { warmup: 2, runs: 7 }, slow: { warmup: 1, runs: 5 } };
      return { normal: { warmup: 2, runs: 7 }, slow: { warmup: 2, runs: 7 } };
    },
    accuracyTrials: (n) => (quick ? 2 : n >= 1e7 ? 2 : n >= 1e6 ? 3 : 5),
  };
}

/** Runs the benchmark; returns the JSON document (see NOTES.md for its fields). */
function runHarness(opts = {}) {
  const log = opts.log || ((s) => process.stderr.write(`${s}\n`));
  const cfg = config(opts);
  const started = nowMs();
  const doc = {
    schema: SCHEMA,
    machine: machine(),
    config: {
      quick: cfg.quick,
      cuda: cfg.cuda,
      seed: cfg.seed,
      prng: 'mulberry32, per-case seeds derived from the base seed (deriveSeed in bench/harness.js)',
      sizes: cfg.sizes,
      accuracySizes: cfg.accuracy ? cfg.accuracySizes : [],
      threadsAll: cfg.threadsAll,
      minElementsPerSample: cfg.minElementsPerSample,
      errorMetric: 'max over t of |x_t - ref_t| / (|ref_t| + mean_t |ref_t|), ref = float64 loop on the same float32 inputs',
      memcpyFloor:
        "'memcpy': Float32Array.prototype.set of a 3n-float32 array (12 B copied per element); 'memcpy-half': of a 1.5n-float32 array (6 B copied = 12 B of traffic per element)",
    },
    throughput: [],
    ratios: [],
    accuracy: [],
  };
  if (cfg.throughput) {
    log(`throughput: sizes ${cfg.sizes.map((n) => n.toExponential(0)).join(', ')}${cfg.cuda ? ' (with CUDA)' : ''}`);
    doc.throughput = runThroughput(cfg, log);
    doc.ratios = ratios(doc.throughput);
  }
  if (cfg.accuracy) {
    log(`accuracy: sizes ${cfg.accuracySizes.map((n) => n.toExponential(0)).join(', ')}`);
    doc.accuracy = runAccuracy(cfg, log);
  }
  doc.elapsedSeconds = +((nowMs() - started) / 1e3).toFixed(1);
  doc.loadAverageAtEnd = os.loadavg().map((x) => +x.toFixed(2));
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Run, print, write: used by bench/cpu.js (name 'cpu') and by the GPU bench (name 'gpu').

async function main({ name = 'cpu', argv = process.argv.slice(2), defaults = {} } = {}) {
  const parsed = parseArgs(argv);
  const args = { ...defaults };
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) args[k] = v;
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const outDir = args.outDir || path.join(__dirname, 'results');
  const doc = runHarness(args);
  const md = markdown(doc);
  process.stdout.write(md);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(doc, null, 1)}\n`);
  fs.writeFileSync(path.join(outDir, `${name}.md`), md);
  const written = [`${name}.json`, `${name}.md`];
  if (args.charts) {
    const { renderCharts } = require('./charts');
    written.push(...(await renderCharts(doc, outDir, { prefix: name === 'cpu' ? '' : `${name}-` })));
  }
  process.stderr.write(`wrote ${written.map((f) => shownPath(path.join(outDir, f))).join(', ')}\n`);
  return doc;
}

module.exports = {
  SCHEMA,
  DISTRIBUTIONS,
  mulberry32,
  deriveSeed,
  fillInputs,
  machine,
  median,
  timeIt,
  reference64,
  mixedError,
  seedComplex32,
  seedReal32,
  parseArgs,
  config,
  runHarness,
  markdown,
  main,
  USAGE,
  usage,
};
