// In place (`out: values`), for test/54: scans on many threads with LINREC_TEST_CPU_HELP_AT_ONCE
// (every thread that finds the tile before its own unpublished composes it at once, as under
// load) against the same scan on one thread, bit for bit. A thread that composed a late tile from
// inputs that tile's own thread was overwriting gave a wrong carry to every tile after it.
//   LINREC_TEST_CPU_HELP_AT_ONCE=1 node test/in-place-help.child.js <seed> <reps>   (LINREC_ADDON: the build)
// Prints one JSON object: per case, the calls whose results differed from one thread's.
'use strict';
const linrec = require('../dist');

let state = Number(process.argv[2]) >>> 0 || 1;
const reps = Number(process.argv[3] ?? 10);
const uniform = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
const same = (x, y) => Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
const n = 1 << 21;
const differing = {};
for (const C of [Float32Array, Float64Array]) {
  const a = C.from({ length: n }, () => 1.2 * uniform() - 0.1);
  const b = C.from({ length: n + 1 }, () => 2 * uniform() - 1);
  for (const [name, call] of [
    ['direct', (v, threads) => linrec.scan(a, v, { out: v, threads })],
    ['direct reverse', (v, threads) => linrec.scan(a, v, { out: v, threads, reverse: true })],
    ['log', (v, threads) => linrec.scan(a, v, { out: v, threads, method: 'log' })],
  ]) {
    const want = call(b.slice(), 1);
    let bad = 0;
    for (let r = 0; r < reps; r++) {
      const v = b.slice();
      call(v, 8);
      if (!same(v, want)) bad++;
    }
    differing[`${C.name} ${name}`] = bad;
  }
}
process.stdout.write(JSON.stringify(differing));
