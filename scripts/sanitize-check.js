#!/usr/bin/env node
// Native-boundary check for sanitizer / valgrind runs (plain node, no jest): exercises every
// method, dtype, direction, row count, the Scanner, aggregate, sync and async, edge sizes around
// the lane/tile/threading thresholds, in-place output, and malformed specs sent straight to the
// addon, comparing each result with the sequential loop. Exits 1 on any mismatch.
//
//   LINREC_ADDON=build-asan/Release/linrec.node node scripts/sanitize-check.js
//   LINREC_CHECK_SMALL=1  smaller sizes (valgrind)
'use strict';
const path = require('path');

const root = path.join(__dirname, '..');
const linrec = require(path.join(root, 'dist', 'index.js'));
const { addon } = require(path.join(root, 'dist', 'addon.js'));
const { mixedErrorStats } = require(path.join(root, 'dist', 'yardstick.js'));
const { scan, scanAsync, logScan, logScanAsync, aggregate, aggregateAsync, createScanner, sequential } = linrec;

const SMALL = !!process.env.LINREC_CHECK_SMALL;
let failures = 0;
let checks = 0;

function fail(what, detail) {
  failures++;
  console.error(`FAIL ${what}: ${detail}`);
}

// Deterministic data (mulberry32).
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function data(Ctor, rows, n, seed, { zeros = 0.01 } = {}) {
  const r = rng(seed);
  const a = new Ctor(rows * n);
  const b = new Ctor(rows * (n + 1));
  for (let i = 0; i < a.length; i++) a[i] = r() < zeros ? 0 : 2 * r() - 1;
  for (let i = 0; i < b.length; i++) b[i] = 2 * r() - 1;
  return { a, b };
}

// The mixed relative error of src/yardstick.ts: |x - ref| <= tol * (|ref| + mean|ref|), NaN and
// infinities only where ref has the same.
function close(what, x, ref, tol) {
  checks++;
  if (x.length !== ref.length) return fail(what, `length ${x.length} != ${ref.length}`);
  const e = mixedErrorStats(x, ref);
  if (e.mismatches) return fail(what, `index ${e.firstMismatch}: ${x[e.firstMismatch]} vs ${ref[e.firstMismatch]}`);
  if (e.max > tol) return fail(what, `index ${e.at}: ${x[e.at]} vs ${ref[e.at]} (error ${e.max}, tol ${tol})`);
}

function same(what, x, y) {
  checks++;
  const bx = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const by = Buffer.from(y.buffer, y.byteOffset, y.byteLength);
  if (!bx.equals(by)) fail(what, 'not bitwise identical');
}

const tolOf = (Ctor, method) => (Ctor === Float32Array ? (method === 'log' ? 2e-4 : 5e-5) : method === 'log' ? 1e-11 : 1e-12);

const SIZES = SMALL
  ? [0, 1, 2, 7, 8, 9, 17, 1039, 1040, 1041, 8319, 8320, 8321, 70001]
  : [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 1039, 1040, 1041, 8319, 8320, 8321, 16641, 65535, 65536, 65537, 200003];
const ROWS = SMALL ? [1, 3] : [1, 2, 5];

async function main() {
  const info = linrec.backends();
  console.log(`linrec sanitize-check: addon ${process.env.LINREC_ADDON || '(default)'}; cuda ${info.cuda.available}; ${SMALL ? 'small' : 'full'} sizes`);
  let seed = 1;
  for (const Ctor of [Float32Array, Float64Array]) {
    for (const n of SIZES) {
      for (const rows of ROWS) {
        if (rows * n > 400000) continue;
        for (const reverse of [false, true]) {
          const { a, b } = data(Ctor, rows, n, seed++);
          const ref = sequential(a, b, { rows, reverse });
          const tag = `${Ctor.name} n=${n} rows=${rows} reverse=${reverse}`;
          for (const method of ['direct', 'log']) {
            const threads = [1, 3][seed % 2];
            const x = scan(a, b, { rows, reverse, method, threads, device: 'cpu' });
            close(`scan ${method} ${tag}`, x, ref, tolOf(Ctor, method));
            const y = await scanAsync(a, b, { rows, reverse, method, threads: 4 - threads });
            same(`scanAsync ${method} ${tag} == scan`, y, x);
          }
          // In place: out === values.
          const inPlace = b.slice();
          const r = scan(a, inPlace, { rows, reverse, out: inPlace });
          if (r !== inPlace) fail(`in-place ${tag}`, 'did not return out');
          same(`in-place ${tag}`, inPlace, scan(a, b, { rows, reverse }));

          // logScan from |a|, |b| logs with signs.
          const la = new Ctor(a.length),
            sa = new Int8Array(a.length);
          const lb = new Ctor(b.length),
            sb = new Int8Array(b.length);
          a.forEach((v, i) => {
            la[i] = Math.log(Math.abs(v));
            sa[i] = v < 0 ? -1 : 1;
          });
          b.forEach((v, i) => {
            lb[i] = Math.log(Math.abs(v));
            sb[i] = v < 0 ? -1 : 1;
          });
          const lx =
            seed % 2
              ? logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { rows, reverse })
              : await logScanAsync({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { rows, reverse });
          const back = new Float64Array(lx.logAbs.length);
          for (let i = 0; i < back.length; i++) back[i] = lx.sign[i] * Math.exp(lx.logAbs[i]);
          close(`logScan ${tag}`, back, ref, Ctor === Float32Array ? 2e-4 : 1e-11);

          // aggregate: x_end = A·x_start + B per row, for values without x_0.
          const bNoX0 = new Ctor(rows * n);
          for (let q = 0; q < rows; q++) bNoX0.set(b.subarray(q * (n + 1) + (reverse ? 0 : 1), q * (n + 1) + (reverse ? n : n + 1)), q * n);
          const agg = seed % 2 ? aggregate(a, bNoX0, { rows, reverse }) : await aggregateAsync(a, bNoX0, { rows, reverse });
          const end = new Float64Array(rows);
          for (let q = 0; q < rows; q++) {
            const x0 = b[q * (n + 1) + (reverse ? n : 0)];
            end[q] = agg.A[q] * x0 + agg.B[q];
          }
          const refEnd = new Float64Array(rows);
          for (let q = 0; q < rows; q++) refEnd[q] = ref[q * (n + 1) + (reverse ? 0 : n)];
          close(`aggregate ${tag}`, end, refEnd, Ctor === Float32Array ? 1e-4 : 1e-11);
        }
      }
    }
  }

  // Scanner: chunked pushes (sync and async, direct, log method, log state) == one-shot.
  for (const Ctor of [Float32Array, Float64Array]) {
    const dtype = Ctor === Float32Array ? 'float32' : 'float64';
    for (const reverse of [false, true]) {
      for (const mode of ['direct', 'log', 'logState']) {
        const rows = 3;
        const n = SMALL ? 9000 : 90001;
        const { a, b } = data(Ctor, rows, n, seed++);
        const initial = [0.5, -1, 2];
        for (let q = 0; q < rows; q++) b[q * (n + 1) + (reverse ? n : 0)] = initial[q];
        const ref = sequential(a, b, { rows, reverse });
        const sc = createScanner({
          rows,
          dtype,
          reverse,
          ...(mode === 'logState'
            ? { log: true, initial: { logAbs: initial.map((v) => Math.log(Math.abs(v))), sign: initial.map(Math.sign) } }
            : { initial, method: mode }),
        });
        const got = new Float64Array(rows * (n + 1));
        for (let q = 0; q < rows; q++) got[q * (n + 1) + (reverse ? n : 0)] = initial[q];
        const cuts = [0, 1, 2, 1040, 1041, 9000, 30000, n].filter((c) => c <= n);
        const pieces = [];
        for (let k = 0; k + 1 < cuts.length; k++) if (cuts[k + 1] > cuts[k]) pieces.push([cuts[k], cuts[k + 1]]);
        pieces.push([n, n]); // an empty push
        if (reverse) pieces.reverse();
        let which = 0;
        for (const [lo, hi] of pieces) {
          const m = hi - lo;
          const ca = new Ctor(rows * m),
            cb = new Ctor(rows * m);
          for (let q = 0; q < rows; q++) {
            ca.set(a.subarray(q * n + lo, q * n + hi), q * m);
            cb.set(b.subarray(q * (n + 1) + lo + (reverse ? 0 : 1), q * (n + 1) + hi + (reverse ? 0 : 1)), q * m);
          }
          const argA = mode === 'logState' ? logOf(Ctor, ca) : ca;
          const argB = mode === 'logState' ? logOf(Ctor, cb) : cb;
          let x = which++ % 2 ? sc.push(argA, argB) : await sc.pushAsync(argA, argB);
          if (mode === 'logState') x = Float64Array.from(x.logAbs, (l, i) => x.sign[i] * Math.exp(l));
          for (let q = 0; q < rows; q++) for (let i = 0; i < m; i++) got[q * (n + 1) + lo + i + (reverse ? 0 : 1)] = x[q * m + i];
        }
        close(`Scanner ${dtype} ${mode} reverse=${reverse}`, got, ref, Ctor === Float32Array ? 2e-4 : 1e-11);
        sc.reset();
        sc.dispose();
      }
    }
  }

  // Special values: NaN, ±Infinity, subnormals, exact resets.
  for (const Ctor of [Float32Array, Float64Array]) {
    const n = SMALL ? 5000 : 70000;
    const { a, b } = data(Ctor, 1, n, seed++);
    a[100] = 0;
    b[4000] = NaN;
    b[50] = Ctor === Float32Array ? 1e-40 : 1e-310;
    for (const method of ['direct', 'log']) {
      const x = scan(a, b, { method });
      checks++;
      if (x[101] !== b[101]) fail(`reset ${Ctor.name} ${method}`, `${x[101]} != ${b[101]}`); // a[100] is a_101
      for (let t = 4000; t <= n; t++)
        if (!Number.isNaN(x[t])) {
          fail(`NaN ${Ctor.name} ${method}`, `x[${t}] = ${x[t]}`);
          break;
        }
      close(`prefix before NaN ${Ctor.name} ${method}`, x.subarray(0, 4000), sequential(a, b).subarray(0, 4000), tolOf(Ctor, method));
    }
    const ones = new Ctor(n).fill(1);
    const inf = new Ctor(n + 1).fill(1);
    inf[0] = Infinity;
    const xi = scan(ones, inf);
    checks++;
    if (!xi.every((v) => v === Infinity)) fail(`Infinity ${Ctor.name}`, 'not all +Infinity');
  }

  // The rare paths (session 25): x overflowing to ±inf partway (direct: infinite carries through
  // lanes and tiles, rareProducts; aggregate's in-order B), exact-zero stretches in the log method
  // (rescans through zeros and below the band, generalLane), each forward and reverse, in place
  // too, on 1 and 3 threads, against the loop.
  for (const Ctor of [Float32Array, Float64Array]) {
    const n = SMALL ? 20000 : 200003;
    const r = rng(seed++);
    const kinds = {
      'overflow U(-10,10)': [() => 20 * r() - 10, () => r() - 0.5],
      'overflow 1.01, events': [(i) => (i % 7919 === 5 ? 0 : i % 10007 === 3 ? NaN : 1.01), (i) => (i % 15013 === 7 ? Infinity : r() - 0.5)],
      'log b all 0': [() => r(), () => 0],
      'log b sparse 1e-3': [() => r(), () => (r() < 1e-3 ? 3 * r() : 0)],
      'log b 0 first half': [() => r(), (i) => (i < n / 2 ? 0 : 3 * r())],
    };
    for (const [kind, [fa, fb]] of Object.entries(kinds)) {
      const a = new Ctor(n).map((_, i) => fa(i));
      const b = new Ctor(n + 1).map((_, i) => fb(i));
      const b0 = b[0] === 0 ? 1 : b[0];
      b[0] = b0; // x_0 nonzero: the zeros come from the addends
      const method = kind.startsWith('log') ? 'log' : 'direct';
      for (const reverse of [false, true]) {
        const ref = sequential(a, b, { reverse });
        const tag = `${kind} ${Ctor.name} reverse=${reverse}`;
        const one = scan(a, b, { reverse, method, threads: 1 });
        close(`rare paths: scan ${method} ${tag}`, one, ref, method === 'log' ? tolOf(Ctor, 'log') : Infinity);
        same(`rare paths: 3 threads ${tag}`, scan(a, b, { reverse, method, threads: 3 }), one);
        const inPlace = b.slice();
        scan(a, inPlace, { reverse, method, threads: 3, out: inPlace });
        same(`rare paths: in place ${tag}`, inPlace, one);
        if (method === 'log') {
          const lx = logScan(a.map(Math.log), b.map(Math.log), { reverse, threads: 3 });
          const back = Float64Array.from(lx.logAbs, (l, i) => lx.sign[i] * Math.exp(l));
          close(`rare paths: logScan ${tag}`, back, ref, tolOf(Ctor, 'log'));
        } else {
          const values = reverse ? b.subarray(0, n) : b.subarray(1);
          const { A, B } = aggregate(a, values, { reverse, threads: 3 });
          // B is x_end from x_start = 0: the loop from a 0 in x_0's place.
          const from0 = new Ctor(n + 1);
          from0.set(values, reverse ? 0 : 1);
          const loop = sequential(a, from0, { reverse });
          const bEnd = reverse ? loop[0] : loop[n];
          checks++;
          if (!(
            Object.is(B[0], bEnd) ||
            (Number.isNaN(B[0]) && Number.isNaN(bEnd)) ||
            (Number.isFinite(bEnd) && Math.abs(B[0] - bEnd) <= 1e-3 * Math.abs(bEnd))
          ))
            fail(`rare paths: aggregate ${tag}`, `B ${B[0]} vs the loop's ${bEnd} (A ${A[0]})`);
        }
      }
    }
  }

  // Many concurrent async calls of mixed sizes.
  {
    const jobs = [];
    for (let k = 0; k < 32; k++) {
      const n = [0, 5, 1041, 70000, 9000][k % 5];
      const Ctor = k % 3 ? Float32Array : Float64Array;
      const { a, b } = data(Ctor, 1, n, seed++);
      jobs.push(
        scanAsync(a, b, { method: k % 2 ? 'log' : 'direct' }).then((x) =>
          close(`concurrent #${k}`, x, sequential(a, b), tolOf(Ctor, k % 2 ? 'log' : 'direct')),
        ),
      );
    }
    await Promise.all(jobs);
  }

  // Invalid calls through the public API: errors, not crashes.
  const bad = [
    () => scan([1], [1, 2]),
    () => scan(new Float32Array(3), new Float32Array(3)),
    () => scan(new Float32Array(3), new Float64Array(4)),
    () => scan(new Float32Array(4), new Float32Array(6), { rows: 2, out: new Float32Array(5) }),
    () => logScan({ logAbs: new Float32Array(3), sign: new Int8Array(2) }, new Float32Array(4)),
    () => aggregate(new Float32Array(3), new Float32Array(4)),
    () => createScanner({ rows: 2 }).push(new Float32Array(3), new Float32Array(3)),
  ];
  for (const [i, f] of bad.entries()) {
    checks++;
    try {
      f();
      fail(`invalid call #${i}`, 'did not throw');
    } catch (e) {
      if (!/^ERR_LINREC_/.test(e.code)) fail(`invalid call #${i}`, `code ${e.code}: ${e.message}`);
    }
  }

  // Malformed specs straight to the addon: its own guards must refuse them (ERR_LINREC_INTERNAL).
  const native = addon();
  const f32 = (k) => new Float32Array(k);
  const op = (data, offset = 0, stride = 0, sign) => ({ data, offset, stride, ...(sign ? { sign } : {}) });
  const spec = (over) => ({
    method: 0,
    rows: 1,
    n: 4,
    reverse: false,
    threads: 2,
    cuda: false,
    a: op(f32(4), 0, 4),
    b: op(f32(5), 1, 5),
    x: op(f32(5), 1, 5),
    x0: op(f32(5), 0, 5),
    ...over,
  });
  const malformed = [
    spec({ n: 5 }), // a too short for n
    spec({ rows: 2 }), // every operand too short for rows
    spec({ b: op(f32(5), 2, 5) }), // offset pushes b past its end
    spec({ x: op(new Float64Array(5), 1, 5) }), // mixed element types
    spec({ x: op(new Int8Array(5), 1, 5) }), // int8 data
    spec({ a: op(new Int32Array(4), 0, 4) }), // unsupported type
    spec({ a: op([1, 2, 3, 4], 0, 4) }), // not a typed array
    spec({ method: 2, x: op(f32(5), 1, 5) }), // log outputs without signs
    spec({ method: 2, a: op(f32(4), 0, 4, new Int8Array(3)) }), // sign length != data length
    spec({ x0: op(f32(1), 3, 0) }), // x0 offset out of range
  ];
  for (const [i, s] of malformed.entries())
    for (const call of ['scan', 'scanAsync']) await expectInternalError(`malformed spec #${i} (${call})`, () => native[call](s));
  const aggSpec = (over) => ({
    rows: 1,
    n: 4,
    reverse: false,
    threads: 1,
    cuda: false,
    a: op(f32(4), 0, 4),
    b: op(f32(4), 0, 4),
    outA: op(f32(1), 0, 1),
    outB: op(f32(1), 0, 1),
    ...over,
  });
  for (const [i, s] of [aggSpec({ n: 5 }), aggSpec({ rows: 2 }), aggSpec({ outB: op(new Float64Array(1), 0, 1) })].entries())
    await expectInternalError(`malformed aggregate spec #${i}`, () => native.aggregate(s));
  // An incomplete spec never reaches the binding: the layout encoder (src/addon.ts) fails first.
  for (const [what, call] of [
    ['incomplete scan spec', () => native.scan(spec({ x: undefined }))],
    ['incomplete aggregate spec', () => native.aggregate(aggSpec({ outA: undefined }))],
  ]) {
    checks++;
    try {
      call();
      fail(what, 'accepted');
    } catch (e) {
      if (e.name !== 'TypeError') fail(what, `${e.name}: ${e.message}`);
    }
  }

  console.log(`linrec sanitize-check: ${checks} checks, ${failures} failures`);
  process.exitCode = failures ? 1 : 0;
}

/** The addon's own guards must refuse a malformed spec (thrown, or a rejected promise) with ERR_LINREC_INTERNAL. */
async function expectInternalError(what, call) {
  checks++;
  try {
    await call();
    fail(what, 'accepted');
  } catch (e) {
    if (e.code !== 'ERR_LINREC_INTERNAL') fail(what, `code ${e.code}: ${e.message}`);
  }
}

function logOf(Ctor, v) {
  const logAbs = new Ctor(v.length);
  const sign = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    logAbs[i] = Math.log(Math.abs(v[i]));
    sign[i] = v[i] < 0 ? -1 : 1;
  }
  return { logAbs, sign };
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
