#!/usr/bin/env node
'use strict';
// The CPU engine when other processes compete for the cores: scan of 10^7 float32 steps (with
// out; direct and log methods, and logScan of the coefficients' logs) on the default threads and on one thread, medians of 9 calls, with 0, 1 and 2 busy
// processes beside it (each a JS spin loop). Session 16: tiles hand their carries from thread to
// thread, so a thread that the OS deschedules stalls the one waiting for its carry.
//   LINREC_PREBUILT=0 node bench/probes/contention.js <checkout> [n]
const path = require('path');
const { median: medianOf, timeIt } = require('../lib/timing');
const { spawn } = require('child_process');
const L = require(path.resolve(process.argv[2] ?? '.'));
const n = Number(process.argv[3] ?? 1e7);
const a = new Float32Array(n).map(() => Math.random());
const b = new Float32Array(n + 1).map(() => Math.random());
const out = new Float32Array(n + 1);
const median = (f) => medianOf(timeIt(f, { warmup: 0, runs: 9, reps: 1 }));
(async () => {
  for (const busy of [0, 1, 2]) {
    const kids = Array.from({ length: busy }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 300));
    const threads = L.backends().cpu.threads ?? 'default';
    const la = a.map((v) => Math.log(v));
    const lo = { logAbs: new Float32Array(n + 1), sign: new Int8Array(n + 1) };
    const tLog = median(() => L.logScan(la, b, { out: lo }));
    const tLogOne = median(() => L.logScan(la, b, { out: lo, threads: 1 }));
    console.log(`${busy} busy, logScan: default threads ${tLog.toFixed(1)} ms, 1 thread ${tLogOne.toFixed(1)} ms, ratio ${(tLog / tLogOne).toFixed(2)}`);
    for (const method of ['direct', 'log']) {
      L.scan(a, b, { out, method });
      const tDefault = median(() => L.scan(a, b, { out, method }));
      const tOne = median(() => L.scan(a, b, { out, method, threads: 1 }));
      console.log(
        `${busy} busy, ${method}: default threads (${threads}) ${tDefault.toFixed(1)} ms, 1 thread ${tOne.toFixed(1)} ms, ratio ${(tDefault / tOne).toFixed(2)}`,
      );
    }
    for (const k of kids) k.kill('SIGKILL');
  }
})();
