// In place (`out: values`, logScan's `out: logValues`, a Scanner pushing into its values), for
// test/54: scans on several threads against the same scan on one thread, bit for bit, while a
// late tile is composed by the thread waiting for it:
// - LINREC_TEST_CPU_HELP_AT_ONCE=1: every thread that finds the tile before its own unpublished
//   composes it at once, as under load. Before session 25 a thread composed a late tile from
//   inputs that tile's own thread was overwriting: a wrong carry for every tile after it.
// - LINREC_TEST_CPU_HOLD_TILE=k: tile k's thread waits, before its stores, until tile k + 1 is
//   published: another thread must compose tile k. Session 25's engine waited for late tiles in
//   place instead (under load 3-80x slower than out of place): a hang here.
//   node test/in-place-help.child.js <seed> <reps> <threads>   (LINREC_ADDON: the build)
// Prints one JSON object: per case, the calls whose results differed from one thread's.
'use strict';
const linrec = require('../dist');

let state = Number(process.argv[2]) >>> 0 || 1;
const reps = Number(process.argv[3] ?? 10);
const threads = Number(process.argv[4] ?? 8);
const uniform = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
const bytes = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const same = (x, y) => x.every((v, i) => Buffer.compare(bytes(v), bytes(y[i])) === 0);
const n = 1 << 21;
const differing = {};
for (const C of [Float32Array, Float64Array]) {
  const a = C.from({ length: n }, () => 1.2 * uniform() - 0.1);
  const b = C.from({ length: n + 1 }, () => 2 * uniform() - 1);
  const logsOf = (v) => ({ logAbs: v.map((u) => Math.log(Math.abs(u))), sign: Int8Array.from(v, (u) => (u < 0 ? -1 : 1)) });
  const la = logsOf(a),
    lb = logsOf(b);
  const values = () => [b.slice()];
  const logValues = () => [lb.logAbs.slice(), lb.sign.slice()];
  for (const [name, fresh, call] of [
    ['direct', values, ([v], t) => linrec.scan(a, v, { out: v, threads: t })],
    ['direct reverse', values, ([v], t) => linrec.scan(a, v, { out: v, threads: t, reverse: true })],
    ['log', values, ([v], t) => linrec.scan(a, v, { out: v, threads: t, method: 'log' })],
    ['logScan', logValues, ([logAbs, sign], t) => linrec.logScan(la, { logAbs, sign }, { out: { logAbs, sign }, threads: t })],
    // A Scanner's state is its x_0 and its last x: a late first tile waits for its own thread, so
    // holding tile 0 would hang by design.
    ...(process.env.LINREC_TEST_CPU_HOLD_TILE === '0'
      ? []
      : [
          [
            'Scanner',
            values,
            ([v], t) => {
              const scanner = linrec.createScanner({ threads: t, initial: v[0], dtype: C === Float64Array ? 'float64' : 'float32' });
              const pushed = v.subarray(1);
              scanner.push(a, pushed, { out: pushed });
              v[0] = scanner.state[0]; // the carried state too (the last x), compared with the results
            },
          ],
        ]),
  ]) {
    const want = fresh();
    call(want, 1);
    let bad = 0;
    for (let r = 0; r < reps; r++) {
      const got = fresh();
      call(got, threads);
      if (!same(got, want)) bad++;
    }
    differing[`${C.name} ${name}`] = bad;
  }
}
process.stdout.write(JSON.stringify(differing));
