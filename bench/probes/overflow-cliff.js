#!/usr/bin/env node
'use strict';
// Session 23's cliff 1 (bench/NOTES.md, session 25): the direct method where x overflows to ±inf
// partway (a ~ N(0,2), N(0,10), 1e30·U(0,1), a = 1.01, U(0,1) with an infinite coefficient at rate
// 1e-4; b ~ U(-0.5, 0.5)), against the same call on a ~ U(0,1) (typical data) and the plain C++
// loop (sequentialNative, one thread). Builds are package folders, each with the addon it loads
// (`<dir>=<linrec.node>`; the folders must differ); every build, thread count and kind runs in
// one alternating loop (wall time, medians after a warm-up round), so ratios compare like with
// like on a loaded machine. Prints per build and kind: ms at 1 and 2 threads, each ÷ typical data
// at the same threads, 2 threads ÷ 1, 1 thread ÷ the loop; and whether the builds' results are
// the same bytes and the non-finite elements those of the loop. With `aggregate` (session 23's
// cliff 6, products that overflow): aggregate(a, b) instead of scan (÷ loop: the same loop).
//   node bench/probes/overflow-cliff.js <dirA>=<addonA> <dirB>=<addonB> -- [n=1e6] [float32,float64] [runs=9] [kindRegex] [scan|aggregate]
const path = require('path');
const { splitArgs, loadBuilds } = require('./lib/builds');
const { mulberry32 } = require('../lib/random');
const { loopSpec } = require('../lib/loop-spec');
const { nowMs, cpuMs, median, timeAlternating } = require('../lib/timing');
// OVERFLOW_CLIFF_CLOCK=cpu: CPU time (user + system) instead of wall time, steadier for one thread
// on a loaded machine (2 threads' CPU time counts their spins, not their wall time).
const clock = process.env.OVERFLOW_CLIFF_CLOCK === 'cpu' ? cpuMs : nowMs;
const { specs, opts } = splitArgs();
const n = Number(opts[0] ?? 1e6),
  types = (opts[1] ?? 'float32,float64').split(','),
  runs = Number(opts[2] ?? 9),
  only = new RegExp(opts[3] ?? '.'),
  aggregate = opts[4] === 'aggregate';
const builds = loadBuilds(specs).map((b) => ({ ...b, name: path.basename(b.dir) }));
const loop = require(path.join(builds[builds.length - 1].dir, 'dist/addon.js')).addon().sequentialNative;
const rnd = mulberry32(25);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const kinds = {
  'U(0,1)': () => rnd(),
  'N(0,2)': () => 2 * gauss(),
  'N(0,10)': () => 10 * gauss(),
  '1e30U': () => 1e30 * rnd(),
  1.01: () => 1.01,
  'U+inf@1e-4': () => (rnd() < 1e-4 ? Infinity : rnd()),
};
const bytes = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const reps = Math.max(1, Math.round(3e6 / n));
console.log(`${aggregate ? 'aggregate' : 'scan'} n=${n} runs=${runs} reps=${reps} (${clock === cpuMs ? 'CPU' : 'wall'} ms, medians; ratios of medians)`);
for (const T of types.map((t) => (t === 'float64' ? Float64Array : Float32Array))) {
  const data = Object.entries(kinds)
    .filter(([k]) => k === 'U(0,1)' || only.test(k))
    .map(([kind, f]) => ({ kind, a: new T(n).map(f), b: new T(n + 1).map(() => rnd() - 0.5), lout: new T(n + 1) }));
  const cases = [];
  for (const d of data) {
    cases.push({ d, f: () => loop(loopSpec(d.a, d.b, d.lout, n)) });
    for (const bld of builds)
      for (const threads of [1, 2]) {
        const out = new T(n + 1);
        const f = aggregate
          ? () => {
              const { A, B } = bld.L.aggregate(d.a, d.b.subarray(1), { threads });
              out[0] = A[0];
              out[1] = B[0];
            }
          : () => bld.L.scan(d.a, d.b, { out, threads });
        cases.push({ d, bld, threads, out, f });
      }
  }
  const samples = timeAlternating(
    cases.map((c) => c.f),
    { warmup: 1, runs, reps, clock },
  );
  cases.forEach((c, i) => (c.ms = median(samples[i])));
  const at = (d, bld, threads) => cases.find((c) => c.d === d && c.bld === bld && c.threads === threads);
  const typical = data[0];
  console.log(T.name);
  for (const d of data) {
    const loopMs = cases.find((c) => c.d === d && !c.bld).ms;
    const nonFinite = (x) => x.map((v) => (Number.isFinite(v) ? 0 : Number.isNaN(v) ? 2 : v > 0 ? 1 : 3));
    const loopPattern = bytes(nonFinite(d.lout));
    const cols = builds.map((bld) => {
      const [c1, c2] = [1, 2].map((t) => at(d, bld, t));
      const [u1, u2] = [1, 2].map((t) => at(typical, bld, t).ms);
      const pattern = aggregate || [c1, c2].every((c) => bytes(nonFinite(c.out)).equals(loopPattern));
      return (
        `${bld.name}: t1 ${c1.ms.toFixed(2)} t2 ${c2.ms.toFixed(2)} | ÷typ t1 ${(c1.ms / u1).toFixed(2)} t2 ${(c2.ms / u2).toFixed(2)}` +
        ` | t2/t1 ${(c2.ms / c1.ms).toFixed(2)} | t1÷loop ${(c1.ms / loopMs).toFixed(2)}${pattern ? '' : ' NON-FINITE DIFFERS FROM LOOP'}`
      );
    });
    const outs = cases.filter((c) => c.d === d && c.bld).map((c) => bytes(c.out));
    const same = outs.every((o) => o.equals(outs[0]));
    console.log(`  ${d.kind.padEnd(11)} loop ${loopMs.toFixed(2)} | ${cols.join(' || ')} | same bytes: ${same}`);
  }
}
