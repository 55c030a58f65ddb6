'use strict';
// A/B of the direct method: two builds (package folders: dist/, scripts/, package.json, node_modules,
// build-cmake/Release/linrec.node) in one process, alternating; medians of B ÷ A time (wall and CPU),
// inputs a ~ U(0.5, 0.99), b ~ U(-0.5, 0.5), preallocated out. Session 19.
//   node bench/probes/direct-ab.js <dirA> <dirB> [1e5,1e6,1e7] [1,2] [rounds]
// DIRECT_AB_A=lo,hi: a ~ U(lo, hi) instead (session 20: U(0, 1), whose lane products underflow).
// Also the ratio of the fastest rounds (min B / min A), steadier than the medians under load.
const path = require('path');
const A = require(path.resolve(process.argv[2])),
  B = require(path.resolve(process.argv[3]));
const sizes = (process.argv[4] || '1e5,1e6,1e7').split(',').map(Number);
const threadsList = (process.argv[5] || '1,2').split(',').map(Number);
const rounds = Number(process.argv[6] || 11);
const [aLow, aHigh] = (process.env.DIRECT_AB_A || '0.5,0.99').split(',').map(Number);
const aAt = process.env.DIRECT_AB_A ? () => aLow + (aHigh - aLow) * rnd() : () => 0.5 + 0.49 * rnd();
const { median } = require('../lib/timing');
let s = 7;
const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
for (const C of [Float32Array, Float64Array])
  for (const n of sizes) {
    const a = new C(n).map(aAt),
      b = new C(n + 1).map(() => rnd() - 0.5);
    const oA = new C(n + 1),
      oB = new C(n + 1);
    const reps = n >= 1e7 ? 1 : n >= 1e6 ? 5 : 40;
    for (const threads of threadsList) {
      const fA = () => A.scan(a, b, { out: oA, threads }),
        fB = () => B.scan(a, b, { out: oB, threads });
      const time = (f) => {
        const t0 = process.hrtime.bigint(),
          c0 = cpu();
        for (let r = 0; r < reps; r++) f();
        return [Number(process.hrtime.bigint() - t0) / 1e6 / reps, (cpu() - c0) / reps];
      };
      time(fA);
      time(fB);
      time(fA);
      time(fB);
      const rw = [],
        rc = [],
        tA = [],
        tB = [];
      for (let k = 0; k < rounds; k++) {
        const [wa, ca] = k % 2 ? time(fA) : [0, 0];
        const [wb, cb] = time(fB);
        const [wa2, ca2] = k % 2 ? [wa, ca] : time(fA);
        rw.push(wb / wa2);
        rc.push(cb / ca2);
        tA.push(wa2);
        tB.push(wb);
      }
      const same = Buffer.compare(Buffer.from(oA.buffer), Buffer.from(oB.buffer)) === 0;
      console.log(
        `${C.name.slice(0, 7)} n=${n.toExponential(0)} t=${threads}: A ${median(tA).toFixed(2)} ms B ${median(tB).toFixed(2)} ms; B/A wall ${median(rw).toFixed(3)} [${Math.min(...rw).toFixed(2)}-${Math.max(...rw).toFixed(2)}] cpu ${median(rc).toFixed(3)}; min B/min A ${(Math.min(...tB) / Math.min(...tA)).toFixed(3)}; same bits ${same}`,
      );
    }
  }
