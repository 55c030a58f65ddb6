'use strict';
// In place on several threads against one thread (session 25's race: a late tile composed from
// values its own thread was overwriting). Run with LINREC_TEST_CPU_HELP_AT_ONCE=1 to help every
// wait, as a loaded machine does now and then; prints each call whose result differed.
//   LINREC_TEST_CPU_HELP_AT_ONCE=1 node bench/probes/in-place-race.js [n=2097152] [reps=20]
const l = require('../..');
const n = Number(process.argv[2] || 1 << 21),
  reps = Number(process.argv[3] || 20);
let bad = 0;
for (const C of [Float32Array, Float64Array])
  for (const threads of [2, 3, 8]) {
    let s = 12345;
    const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296;
    const a = C.from({ length: n }, () => rnd() * 1.2 - 0.1),
      b = C.from({ length: n + 1 }, () => rnd() * 2 - 1);
    const want = l.scan(a, b, { threads: 1 });
    for (let r = 0; r < reps; r++) {
      const v = b.slice();
      l.scan(a, v, { out: v, threads });
      let diff = 0;
      for (let i = 0; i < v.length; i++) if (!Object.is(v[i], want[i])) diff++;
      if (diff) {
        bad++;
        console.log(C.name, 'threads', threads, 'rep', r, 'differs at', diff);
      }
    }
  }
console.log('bad runs', bad);
