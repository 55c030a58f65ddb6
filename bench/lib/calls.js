'use strict';
// The cases of issue 10, each against the yardstick a user would compare with: small calls
// against the JS loop, short rows against one long row, Scanner pushes against a JS loop over
// the states, awaited scanAsync, results without and with `out`, the log methods against the
// direct one, 1 thread against the plain C++ loop, and the seed's recipe in PyTorch.
//
// Each ratio is measured in one run, case and yardstick alternating sample by sample (so that
// load on a shared machine falls on both alike); figures are medians after warm-up.
const linrec = require('../../dist');
const { addon } = require('../../dist/addon');
const { mulberry32 } = require('./random');
const { nowMs, median, timeAlternating } = require('./timing');
const { table } = require('./tables');
const { seedTorch } = require('./torch');
const { loopSpec } = require('./loop-spec');
const { freshLinrec } = require('./linrec-copies');
const { variedCalls } = require('./varied-calls');
const { freshVsOutKept } = require('./kept-memory');
const { pushKeysPairs } = require('./push-keys');

const fround = Math.fround;

function randomArrays(Ctor, n, seed, kind = 'uniform') {
  const rnd = mulberry32(seed);
  const a = new Ctor(n);
  const b = new Ctor(n + 1);
  const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
  for (let i = 0; i < a.length; i++) a[i] = kind === 'normal' ? normal() : rnd();
  for (let i = 0; i < b.length; i++) b[i] = kind === 'normal' ? normal() : 3 * rnd();
  return { a, b };
}

/** A JS Scanner.push of one float32 row: steps a, bm from the carried state into a new array. */
function jsPushLoop(a, bm) {
  const m = a.length;
  const state = new Float32Array(1);
  return () => {
    const o = new Float32Array(m);
    let v = state[0];
    for (let i = 0; i < m; i++) o[i] = v = fround(a[i] * v + bm[i]);
    state[0] = v;
    return o;
  };
}

/** The float32 JS loop into `out` (the `sequential` one without its validation). */
function jsLoop(a, b, out, rows = 1) {
  const n = a.length / rows;
  for (let r = 0; r < rows; r++) {
    let x = b[r * (n + 1)];
    out[r * (n + 1)] = x;
    for (let i = 0; i < n; i++) {
      x = fround(a[r * n + i] * x + b[r * (n + 1) + i + 1]);
      out[r * (n + 1) + i + 1] = x;
    }
  }
  return out;
}

/**
 * Per-call milliseconds of each function, medians over `runs` samples taken in alternation; a
 * sample is `reps` back-to-back calls (enough for the clock at small sizes). `settleMs`: calls to
 * each function for that long first, for calls of well under a microsecond, whose first optimized
 * code V8 replaces within tens of milliseconds (longer under load): without it, their samples
 * could time code still being compiled (bench/NOTES.md, session 7).
 */
function compare(fns, { reps = 1, runs = 7, warmup = 2, settleMs = 0 } = {}) {
  if (settleMs > 0) for (const f of fns) for (const t0 = nowMs(); nowMs() - t0 < settleMs;) for (let i = 0; i < 100; i++) f();
  return timeAlternating(fns, { warmup, runs, reps }).map(median);
}

async function compareAsync(f, { reps, runs, warmup = 1 }) {
  for (let i = 0; i < warmup * reps; i++) await f();
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const t0 = nowMs();
    for (let k = 0; k < reps; k++) await f();
    samples.push((nowMs() - t0) / reps);
  }
  return median(samples);
}

const fmtMs = (ms) => (ms < 0.01 ? `${(ms * 1e6).toFixed(0)} ns` : ms < 10 ? `${(ms * 1e3).toFixed(1)} µs` : `${ms.toFixed(1)} ms`);
const x = (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)}x`;

async function runCalls({ quick = false, log = () => {} } = {}) {
  const runs = quick ? 5 : 9;
  const threads = linrec.backends().cpu.threads;
  const rows = [];
  const add = (group, kase, value, goal, detail) => rows.push({ group, case: kase, value, goal, detail });

  // Small calls: scan with out against the JS loop on the same inputs.
  for (const n of [16, 100, 1000]) {
    const { a, b } = randomArrays(Float32Array, n, n);
    const out = new Float32Array(n + 1);
    const out2 = new Float32Array(n + 1);
    const reps = Math.max(200, Math.round((quick ? 2e5 : 1e6) / n));
    const [tl, tj] = compare([() => linrec.scan(a, b, { out }), () => jsLoop(a, b, out2)], { reps, runs, settleMs: 250 });
    add(
      'small calls',
      `scan with out, n = ${n}, ÷ the JS f32 loop`,
      x(tl / tj),
      { 16: '≤ 5x', 100: '≤ 1x', 1000: '≤ 0.5x' }[n],
      `${fmtMs(tl)} vs ${fmtMs(tj)}`,
    );
    log(`  small n=${n}: ${fmtMs(tl)} vs JS ${fmtMs(tj)}`);
  }
  const afterSmallCalls = rows.length; // where the rows after varied calls (measured last) go
  {
    const n = 1000;
    const { a, b } = randomArrays(Float32Array, n, 7);
    const out = new Float32Array(n + 1);
    const t = await compareAsync(() => linrec.scanAsync(a, b, { out }), { reps: quick ? 500 : 2000, runs });
    add('small calls', 'awaited scanAsync, n = 1000, per call', fmtMs(t), '≤ 20 µs', 'runs inline below 2^14 steps of work');
    log(`  scanAsync n=1000: ${fmtMs(t)}`);
  }

  // Scanner pushes.
  {
    const m = 16;
    const scanner = linrec.createScanner();
    const { a, b } = randomArrays(Float32Array, m, 16);
    const bm = b.subarray(1);
    const jsPush = jsPushLoop(a, bm);
    scanner.push(a, bm);
    const [tl, tj] = compare([() => scanner.push(a, bm), jsPush], { reps: quick ? 20000 : 100000, runs, settleMs: 250 });
    add('Scanner', 'push of 16 steps ÷ the JS loop', x(tl / tj), '≤ 5x', `${fmtMs(tl)} vs ${fmtMs(tj)}`);
    log(`  push16: ${fmtMs(tl)} vs JS ${fmtMs(tj)}`);
  }
  {
    const keys = 1e5;
    const scanner = linrec.createScanner({ rows: keys });
    const { a, b } = randomArrays(Float32Array, keys, 5);
    const pairs = pushKeysPairs(scanner, a, b.subarray(1));
    const [tl, tj] = compare(pairs.allocating, { reps: quick ? 5 : 20, runs });
    add('Scanner', 'push of 1 step on 10^5 rows ÷ a JS loop over 10^5 states', x(tl / tj), '≤ 1x', `${fmtMs(tl)} vs ${fmtMs(tj)}`);
    log(`  push 1x1e5: ${fmtMs(tl)} vs JS ${fmtMs(tj)}`);
    // A server that keeps one state per key needs no new array a tick: push into out (here in
    // place on the tick's values) against the JS loop that updates its states in place.
    const [to, ti] = compare(pairs.inPlace, { reps: quick ? 5 : 20, runs });
    add('Scanner', 'push of 1 step on 10^5 rows into out ÷ a JS loop updating 10^5 states in place', x(to / ti), '≤ 1x', `${fmtMs(to)} vs ${fmtMs(ti)}`);
    log(`  push 1x1e5 into out: ${fmtMs(to)} vs JS in place ${fmtMs(ti)}`);
  }

  // Short rows: the same 4·10^6 steps as rows of 1, 10, 100 against one row.
  {
    const total = quick ? 1e6 : 4e6;
    const one = randomArrays(Float32Array, total, 11);
    const oneOut = new Float32Array(total + 1);
    for (const len of [1, 10, 100]) {
      const r = total / len;
      const { a } = randomArrays(Float32Array, total, 12);
      const b = randomArrays(Float32Array, r * (len + 1) - 1, 13).b;
      const out = new Float32Array(r * (len + 1));
      const [ts, t1] = compare([() => linrec.scan(a, b, { rows: r, out }), () => linrec.scan(one.a, one.b, { out: oneOut })], { reps: 1, runs });
      // Elements moved: a, values and result (values and result have one x_0 per row).
      const moved = total + 2 * r * (len + 1);
      const movedOne = total + 2 * (total + 1);
      add(
        'short rows',
        `${total.toExponential(0)} steps as rows of ${len} ÷ one row, per step (per element moved)`,
        `${x(ts / t1)} (${x(ts / moved / (t1 / movedOne))})`,
        '≤ 1.5x per element moved',
        `${fmtMs(ts)} vs ${fmtMs(t1)}`,
      );
      log(`  rows of ${len}: ${fmtMs(ts)} vs one row ${fmtMs(t1)}`);
    }
  }

  // Results without out against with out, in a loop's steady state: warmed up as the kept-memory
  // row is (10 calls), since a loop's first results take memory the host had taken back (cold
  // huge pages, bench/NOTES.md session 17) and its later ones the blocks it freed itself.
  for (const n of quick ? [1e6] : [1e6, 1e7]) {
    const { a, b } = randomArrays(Float32Array, n, 21);
    const out = new Float32Array(n + 1);
    const [tf, to] = compare([() => linrec.scan(a, b), () => linrec.scan(a, b, { out })], { reps: 1, runs, warmup: 10 });
    add('results', `scan without out ÷ with out, n = ${n.toExponential(0)}`, x(tf / to), '≤ 1.3x', `${fmtMs(tf)} vs ${fmtMs(to)}`);
    log(`  fresh vs out n=${n}: ${fmtMs(tf)} vs ${fmtMs(to)}`);
    // The same where the process keeps freed memory (linrec.keepFreedMemory, process-wide: a child
    // process): a fresh result reuses a collected one's pages instead of faulting new ones in.
    const kept = freshVsOutKept(n, runs);
    if (kept.took) {
      add(
        'results',
        `the same with keepFreedMemory(1 GiB), n = ${n.toExponential(0)}`,
        x(kept.fresh / kept.out),
        '≤ 1.3x',
        `${fmtMs(kept.fresh)} vs ${fmtMs(kept.out)}`,
      );
      log(`  fresh vs out, freed memory kept, n=${n}: ${fmtMs(kept.fresh)} vs ${fmtMs(kept.out)}`);
    } else add('results', `the same with keepFreedMemory(1 GiB), n = ${n.toExponential(0)}`, 'skipped', '≤ 1.3x', 'no such setting here (glibc only)');
  }

  // The log methods against the direct one (both with out), and 1 thread against the C++ loop.
  const logSizes = quick ? [1e5, 1e6] : [1e5, 1e6, 1e7];
  for (const n of logSizes) {
    // Samples of ~10 ms or more (a call at 10^6 is ~1 ms: single calls read 2.0-3.1x logScan ÷
    // direct across runs of one tree, session 24), 5 of them at 10^7.
    const logRuns = n >= 1e7 ? Math.min(runs, 5) : runs;
    const reps = Math.max(1, Math.round(5e6 / n));
    const nrm = randomArrays(Float32Array, n, 31, 'normal');
    const out = new Float32Array(n + 1);
    const [tl, td] = compare([() => linrec.scan(nrm.a, nrm.b, { method: 'log', out }), () => linrec.scan(nrm.a, nrm.b, { out })], {
      reps,
      runs: logRuns,
      warmup: 1,
    });
    add('log methods', `scan method 'log' f32, a, b ~ N(0,1), n = ${n.toExponential(0)}, ÷ direct`, x(tl / td), '≤ 3x', `${fmtMs(tl)} vs ${fmtMs(td)}`);
    const uni = randomArrays(Float32Array, n, 32);
    const la = uni.a.map(Math.log);
    const lb = uni.b.map(Math.log);
    const lout = { logAbs: new Float32Array(n + 1), sign: new Int8Array(n + 1) };
    const [tr, td2] = compare([() => linrec.logScan(la, lb, { out: lout }), () => linrec.scan(uni.a, uni.b, { out })], { reps, runs: logRuns, warmup: 1 });
    add(
      'log methods',
      `logScan of real logs, a ~ U(0,1), b ~ U(0,3), n = ${n.toExponential(0)}, ÷ direct`,
      x(tr / td2),
      '≤ 3x',
      `${fmtMs(tr)} vs ${fmtMs(td2)}`,
    );
    log(`  log n=${n}: ${fmtMs(tl)} / logScan ${fmtMs(tr)} vs direct ${fmtMs(td)}`);
  }
  {
    const n = quick ? 2e5 : 2e6;
    const { a, b } = randomArrays(Float64Array, n, 41, 'normal');
    const out = new Float64Array(n + 1);
    const [tl, td] = compare([() => linrec.scan(a, b, { method: 'log', out }), () => linrec.scan(a, b, { out })], {
      reps: 1,
      runs: Math.min(runs, 5),
      warmup: 1,
    });
    add('log methods', `scan method 'log' f64, n = ${n.toExponential(0)}, ÷ direct f64`, x(tl / td), '≤ 4x', `${fmtMs(tl)} vs ${fmtMs(td)}`);
  }
  // Both seed distributions: a ~ N(0, 1) in float32 put lane products where the underflow
  // certificate refined them (2.3x the time, session 23) while a ~ U(0, 1) showed nothing.
  for (const kind of ['uniform', 'normal'])
    for (const n of quick ? [1e5, 1e6] : [1e5, 1e6, 1e7]) {
      const { a, b } = randomArrays(Float32Array, n, 51, kind);
      const out = new Float32Array(n + 1);
      const out2 = new Float32Array(n + 1);
      const spec = loopSpec(a, b, out2, n);
      const native = addon();
      const [t1, tc] = compare([() => linrec.scan(a, b, { out, threads: 1 }), () => native.sequentialNative(spec)], {
        reps: n <= 1e5 ? 10 : 1,
        runs,
      });
      const data = kind === 'normal' ? 'a, b ~ N(0,1)' : 'a ~ U(0,1)';
      add('one thread', `1 thread ÷ the C++ loop, ${data}, n = ${n.toExponential(0)} (time)`, x(t1 / tc), '≤ 1x', `${fmtMs(t1)} vs ${fmtMs(tc)}`);
    }

  // The seed's recipe in PyTorch on the CPU, against linrec's log method and direct method.
  const torch = seedTorch(logSizes, log);
  if (torch.available) {
    for (const n of logSizes) {
      const t = torch.sizes[String(n)];
      if (!t) continue;
      const uni = randomArrays(Float32Array, n, 61);
      const la = uni.a.map(Math.log);
      const lb = uni.b.map(Math.log);
      const out = new Float32Array(n + 1);
      const lout = { logAbs: new Float32Array(n + 1), sign: new Int8Array(n + 1) };
      const [tr, td] = compare([() => linrec.logScan(la, lb, { out: lout }), () => linrec.scan(uni.a, uni.b, { out })], {
        reps: 1,
        runs: Math.min(runs, 5),
        warmup: 1,
      });
      const realMs = t.real * 1e3;
      add(
        'seed recipe (PyTorch CPU)',
        `torch ${torch.version} real form (logcumsumexp), n = ${n.toExponential(0)}: time ÷ linrec logScan (÷ linrec direct)`,
        `${x(realMs / tr)} (${x(realMs / td)})`,
        'linrec faster',
        `${fmtMs(realMs)} vs ${fmtMs(tr)} / ${fmtMs(td)}`,
      );
      if (t.complex !== undefined) {
        const nrm = randomArrays(Float32Array, n, 62, 'normal');
        const [tl] = compare([() => linrec.scan(nrm.a, nrm.b, { method: 'log', out })], { reps: 1, runs: Math.min(runs, 5), warmup: 1 });
        const complexMs = t.complex * 1e3;
        add(
          'seed recipe (PyTorch CPU)',
          `torch general form (complex64 logcumsumexp), a, b ~ N(0,1), n = ${n.toExponential(0)}: time ÷ linrec method 'log'`,
          x(complexMs / tl),
          'linrec faster',
          `${fmtMs(complexMs)} vs ${fmtMs(tl)}`,
        );
      } else if (t.complexError) {
        add('seed recipe (PyTorch CPU)', `torch general form, n = ${n.toExponential(0)}`, 'skipped', '', t.complexError);
      }
    }
  } else {
    add('seed recipe (PyTorch CPU)', 'the seed recipe in PyTorch', 'skipped', '', torch.reason);
  }
  // The same calls from a copy of linrec's JS that first made a varied mix of calls (both
  // dtypes, every option, log methods, Scanners: bench/lib/varied-calls.js), against a copy that
  // made only these calls, both in alternation with the JS loop: what a process that mixes call
  // shapes pays for a small call (after the harness, the first rows are such a process's too).
  // Last, so that the mix's garbage and compiled code weigh on no other row.
  {
    const fresh = freshLinrec().linrec;
    const warmed = freshLinrec().linrec;
    await variedCalls(warmed, quick ? 30 : 100);
    for (const n of [16, 100, 1000]) {
      const { a, b } = randomArrays(Float32Array, n, n);
      const out = new Float32Array(n + 1);
      const out2 = new Float32Array(n + 1);
      const reps = Math.max(200, Math.round((quick ? 2e5 : 1e6) / n));
      const fns = [() => warmed.scan(a, b, { out }), () => fresh.scan(a, b, { out }), () => jsLoop(a, b, out2)];
      const [tw, tf, tj] = compare(fns, { reps, runs, settleMs: 250 });
      rows.splice(afterSmallCalls + [16, 100, 1000].indexOf(n), 0, {
        group: 'small calls',
        case: `scan with out, n = ${n}, after varied calls (a fresh copy) ÷ the JS f32 loop`,
        value: `${x(tw / tj)} (${x(tf / tj)})`,
        goal: { 16: '≤ 5x', 100: '≤ 1x', 1000: '≤ 0.5x' }[n],
        detail: `${fmtMs(tw)} (${fmtMs(tf)}) vs ${fmtMs(tj)}`,
      });
      log(`  small n=${n} after varied calls: ${fmtMs(tw)} (fresh copy ${fmtMs(tf)}) vs JS ${fmtMs(tj)}`);
    }
  }
  return { threads, rows };
}

function callsMarkdown(result) {
  return (
    [
      '## The cases of issue 10 (ratios of median times, measured in alternation in one run)',
      table(
        ['group', 'case', 'measured', 'goal', 'times'],
        result.rows.map((r) => [r.group, r.case, r.value, r.goal ?? '', r.detail ?? '']),
      ),
    ].join('\n\n') + '\n'
  );
}

module.exports = { runCalls, callsMarkdown, jsLoop, jsPushLoop, randomArrays, compare };
