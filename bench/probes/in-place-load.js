#!/usr/bin/env node
'use strict';
// In place (`out: values`) against out of place on several threads, with 0 and 2 busy processes
// beside it (JS spin loops), and 4 threads on a 2-core machine: wall-clock medians of 9 calls, n =
// 10^7 float32, a ~ U(0,1), b ~ U(0,1). Session 25 made a late tile in place wait for its own thread
// (a composing thread could read inputs that thread was overwriting); session 26 composes it
// while its thread has not begun its stores (TileScan::InputsRead). The copy of b that each in-place
// call needs is timed apart and taken off.
//   [THREADS=2,4] node bench/probes/in-place-load.js [checkout=.]   (LINREC_ADDON: the build)
const path = require('path');
const { spawn } = require('child_process');
const L = require(path.resolve(process.argv[2] ?? '.'));
const n = 1e7;
const a = new Float32Array(n).map(() => Math.random()),
  b = new Float32Array(n + 1).map(() => Math.random());
const out = new Float32Array(n + 1),
  v = new Float32Array(n + 1);
const median = (f) => {
  const ms = [];
  for (let i = 0; i < 9; i++) {
    const t0 = process.hrtime.bigint();
    f();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms.sort((x, y) => x - y)[4];
};
(async () => {
  for (const busy of [0, 2]) {
    const kids = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 300));
    for (const method of ['direct', 'log'])
      for (const threads of (process.env.THREADS ?? '2,4').split(',').map(Number)) {
        const tOut = median(() => L.scan(a, b, { out, method, threads }));
        const tCopy = median(() => v.set(b));
        const tIn =
          median(() => {
            v.set(b);
            L.scan(a, v, { out: v, method, threads });
          }) - tCopy;
        console.log(`${busy} busy, ${method}, ${threads} threads: out ${tOut.toFixed(1)} ms, in place ${tIn.toFixed(1)} ms, ratio ${(tIn / tOut).toFixed(2)}`);
      }
    kids.forEach((k) => k.kill());
  }
})();
