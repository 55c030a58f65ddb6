#!/usr/bin/env node
'use strict';
// Scanner.push of one step on 10^5 keys (issue 10) without allocating: push into options.out (in
// place on the tick's values) against the JS loop that updates its states in place, and both
// allocating as the bench's first push row does; alternating in one process (medians of 31 rounds
// of 20 calls). Session 16.   LINREC_PREBUILT=0 node bench/probes/push-keys-out.js <checkout>
const path = require('path');
const { timeAlternating, median } = require('../lib/timing');
const { pushKeysPairs } = require('../lib/push-keys');
const L = require(path.resolve(process.argv[2] ?? '.'));
const rows = 1e5;
const a = new Float32Array(rows).map(() => Math.random());
const b = new Float32Array(rows).map(() => Math.random());
const scanner = L.createScanner({ rows });
const pairs = pushKeysPairs(scanner, a, b);
const fns = [...pairs.inPlace, ...pairs.allocating];
const [to, ti, ta, tj] = timeAlternating(fns, { warmup: 3, runs: 31, reps: 20 }).map(median);
const us = (t) => `${(t * 1e3).toFixed(1)} us`;
console.log(`into out ${us(to)} vs JS in place ${us(ti)}: ${(to / ti).toFixed(2)}x; allocating ${us(ta)} vs JS allocating ${us(tj)}: ${(ta / tj).toFixed(2)}x`);
