'use strict';
// Fresh results against `out` in a process that called linrec.keepFreedMemory (bench/lib/calls.js's
// "results" rows): the setting is the C library's, for the whole process, so it is measured in a
// child process of its own rather than in the harness's.
//   node bench/lib/kept-memory.js <n> <runs>   prints {"took", "fresh", "out"} (ms, medians)
const { execFileSync } = require('child_process');

/** Times scan without out against with out at n float32 steps, with freed memory kept, in a child process. */
function freshVsOutKept(n, runs) {
  return JSON.parse(execFileSync(process.execPath, [__filename, String(n), String(runs)], { encoding: 'utf8' }));
}

module.exports = { freshVsOutKept };

// Warm-up: the C library's heap grows to what the results alive between collections take
// (faulted in once), then holds it.
if (require.main === module) {
  const linrec = require('../../dist');
  const { compare, randomArrays } = require('./calls');
  const n = Number(process.argv[2]);
  const took = linrec.keepFreedMemory(1 << 30);
  const { a, b } = randomArrays(Float32Array, n, 21);
  const out = new Float32Array(n + 1);
  const [fresh, kept] = compare([() => linrec.scan(a, b), () => linrec.scan(a, b, { out })], { reps: 1, runs: Number(process.argv[3]), warmup: 10 });
  console.log(JSON.stringify({ took, fresh, out: kept }));
}
