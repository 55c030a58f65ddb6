#!/usr/bin/env node
'use strict';
// Instructions per small call, by function, without a clock (bench/NOTES.md session 10: a
// 100-step call's ~2,800 instructions): runs `scan(a, b, { out })` of n steps under valgrind's
// callgrind twice, with `calls` and 2·calls calls, and prints the difference per call of each
// function's own instructions (startup and compilation cancel out).
//   LINREC_PREBUILT=0 node bench/probes/call-instructions.js [package dir] [n = 100] [calls = 20000]
// The child: node bench/probes/call-instructions.js --child <package dir> <n> <calls>
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

if (process.argv[2] === '--child') {
  const linrec = require(path.resolve(process.argv[3]));
  const n = Number(process.argv[4]);
  const calls = Number(process.argv[5]);
  const a = new Float32Array(n);
  const b = new Float32Array(n + 1);
  for (let i = 0; i < n; i++) {
    a[i] = (i % 7) / 7;
    b[i] = (i % 5) / 5;
  }
  const out = new Float32Array(n + 1);
  for (let i = 0; i < calls; i++) linrec.scan(a, b, { out });
  return;
}

const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
const n = Number(process.argv[3] ?? 100);
const calls = Number(process.argv[4] ?? 20000);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-cg-'));

function selfCounts(count) {
  const file = path.join(tmp, `cg.${count}`);
  execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${file}`, process.execPath, __filename, '--child', dir, String(n), String(count)], {
    stdio: 'ignore',
  });
  const text = execFileSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const counts = new Map();
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (m && !line.includes('PROGRAM TOTALS')) counts.set(m[2].slice(0, 150), Number(m[1].replace(/,/g, '')));
  }
  return counts;
}

const once = selfCounts(calls);
const twice = selfCounts(2 * calls);
const perCall = [...new Set([...once.keys(), ...twice.keys()])].map((k) => [k, ((twice.get(k) ?? 0) - (once.get(k) ?? 0)) / calls]);
const total = perCall.reduce((s, [, v]) => s + v, 0);
console.log(`scan with out, n = ${n}: ${total.toFixed(0)} instructions a call`);
for (const [k, v] of perCall.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, 30))
  if (Math.abs(v) >= 3) console.log(`${v.toFixed(0).padStart(8)}  ${k}`);
fs.rmSync(tmp, { recursive: true, force: true });
