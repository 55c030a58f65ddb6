// logScan: the scan in log space, from logs (e.g. log-sigmoid gates) to log|x| and its sign.
import { createScanner, logScan, logScanAsync, scan } from '../src';
import { F, fill, fresh, mixedError, reference, seedInputs, tagOf } from './helpers';

const logSigmoid = (z: number) => -Math.log1p(Math.exp(-z));

function signedLogs(arr: Float64Array) {
  const logAbs = new Float64Array(arr.length);
  const sign = new Int8Array(arr.length);
  arr.forEach((v, i) => {
    logAbs[i] = Math.log(Math.abs(v));
    sign[i] = v < 0 ? -1 : 1;
  });
  return { logAbs, sign };
}

const toValues = (r: { logAbs: ArrayLike<number>; sign: Int8Array }) => Float64Array.from(r.logAbs, (l, i) => r.sign[i] * Math.exp(l));

describe('logScan', () => {
  test('plain real logs (all positive): log|x| of the recurrence, signs all +1', () => {
    const r = fresh();
    for (const reverse of [false, true])
      for (const rows of [1, 4]) {
        const n = 20_000;
        const coeffs = fill(new Float64Array(rows * n), r.uniform);
        const values = fill(new Float64Array(rows * (n + 1)), () => 3 * r.uniform());
        const out = logScan(coeffs.map(Math.log), values.map(Math.log), { rows, reverse });
        expect(tagOf(out.logAbs)).toBe('[object Float64Array]');
        expect(tagOf(out.sign)).toBe('[object Int8Array]');
        expect(out.sign.every((s) => s === 1)).toBe(true);
        expect(mixedError(toValues(out), reference(coeffs, values, rows, reverse))).toBeLessThan(1e-12);
      }
  });

  test('{ logAbs, sign } inputs of both signs (the general case)', () => {
    for (const reverse of [false, true]) {
      const { coeffs, values } = seedInputs(Float64Array, 2, 30_000, 'normal');
      const out = logScan(signedLogs(coeffs as Float64Array), signedLogs(values as Float64Array), { rows: 2, reverse });
      const ref = reference(coeffs, values, 2, reverse);
      expect(mixedError(toValues(out), ref)).toBeLessThan(1e-12);
      ref.forEach((v, i) => {
        if (v !== 0) expect(out.sign[i]).toBe(Math.sign(v));
      });
    }
  });

  test('log-sigmoid gates: a long gated sum whose x overflows float32 stays finite in log space', () => {
    const r = fresh();
    const n = 100_000;
    // gates near 1 and large inputs: x grows past 3.4e38
    const gates = fill(new Float32Array(n), () => logSigmoid(8 + r.normal()));
    const inputs = fill(new Float32Array(n + 1), () => 85 + r.normal());
    const out = logScan(gates, inputs);
    expect(out.logAbs.every((v) => Number.isFinite(v))).toBe(true);
    expect(Math.max(...out.logAbs.subarray(n - 10))).toBeGreaterThan(Math.log(3.4e38));
    // the same in float64 direct as reference (x is representable there)
    const ref = reference(Float64Array.from(gates, Math.exp), Float64Array.from(inputs, Math.exp));
    const got = Float64Array.from(out.logAbs);
    const refLog = ref.map(Math.log);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - refLog[i]));
    expect(worst).toBeLessThan(1e-5); // absolute error of log x = relative error of x
  });

  test('zero is logAbs = -Infinity: a zero coefficient resets; zero values add nothing', () => {
    const out = logScan(new Float64Array([Math.log(2), -Infinity, Math.log(3)]), new Float64Array([0, -Infinity, Math.log(5), -Infinity]));
    [1, 2, 5, 15].forEach((v, i) => expect(toValues(out)[i]).toBeCloseTo(v, 12));
  });

  test('exact cancellation gives -Infinity with sign +1', () => {
    const out = logScan({ logAbs: new Float64Array([0]), sign: new Int8Array([-1]) }, new Float64Array([0, 0]));
    expect(out.logAbs[1]).toBe(-Infinity); // -1·1 + 1 = 0
    expect(out.sign[1]).toBe(1);
  });

  test('exact cancellation inside a long signed row (a whole tile of the fast path) gives -Infinity', () => {
    // x_t = e^-270·x + 1 rounds to 1 in double, then x_t+1 = -1·1 + 1 = 0 exactly; the tile's plain
    // output path took log 0 as -709.09 (bench/probes/logscan-zero.js: 12 of 40 seeds).
    const r = fresh();
    for (let round = 0; round < 8; round++) {
      const n = 20_000,
        t = 10_000;
      const la = new Float32Array(n).map(() => Math.log(r.uniform()));
      const lb = new Float32Array(n + 1).map(() => Math.log(3 * r.uniform()));
      const sa = Int8Array.from(la, () => (r.uniform() < 0.3 ? -1 : 1));
      const sb = Int8Array.from(lb, () => (r.uniform() < 0.3 ? -1 : 1));
      [la[t - 1], sa[t - 1], lb[t], sb[t]] = [-270, 1, 0, 1];
      [la[t], sa[t], lb[t + 1], sb[t + 1]] = [0, -1, 0, 1];
      for (const threads of [1, 2]) {
        const out = logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { threads });
        expect({ round, threads, logAbs: out.logAbs[t + 1] }).toEqual({ round, threads, logAbs: -Infinity });
      }
    }
  });

  test('logs far beyond float64 range, across whole tiles: log|x| exact to rounding', () => {
    // Every x leaves float64's range: e^(1000·t) growing, then e^-2000 from a constant tiny b;
    // 20 000 steps span three 8320-step tiles, so tile carries are huge and tiny too.
    const near = (got: number, want: number) => Math.abs(got - want) <= 4 * Number.EPSILON * Math.abs(want);
    for (const C of [Float32Array, Float64Array]) {
      const n = 20_000;
      const growing = logScan(new C(n).fill(1000), new C(n + 1).fill(0));
      const tinyValues = new C(n + 1).fill(-2000);
      tinyValues[0] = 0; // x_0 = 1
      const tiny = logScan(new C(n).fill(-1000), tinyValues);
      const expected: [number, number, number][] = [];
      for (const t of [1, 2, 8319, 8320, 8321, 16_641, 19_999, 20_000]) expected.push([t, growing.logAbs[t], 1000 * t]);
      expected.push([1, tiny.logAbs[1], -1000], [2, tiny.logAbs[2], -2000 + Math.LN2]);
      for (const t of [3, 8320, 8321, 20_000]) expected.push([t, tiny.logAbs[t], -2000]);
      for (const [t, got, want] of expected) {
        const ok = C === Float64Array ? near(got, want) : got === Math.fround(want);
        if (!ok) expect({ t, got }).toEqual({ t, got: want });
      }
      expect(growing.sign.every((s) => s === 1) && tiny.sign.every((s) => s === 1)).toBe(true);
    }
  });

  test("short rows and a row's last partial tile (one plain chain), in the band, leaving it, and from x_0 = 0", () => {
    // log|x| by log-add-exp in double on the given logs: the reference for every case below.
    const logAddExp = (p: number, q: number) => {
      const m = Math.max(p, q);
      return m === -Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(p - q)));
    };
    const r = fresh();
    for (const C of [Float32Array, Float64Array])
      for (const n of [1, 7, 100, 2048, 2049, 8321])
        for (const kind of ['plain', 'leaves the band', 'from zero'] as const)
          for (const reverse of [false, true]) {
            const rows = 3;
            const la = fill(new C(rows * n), () => Math.log(r.uniform()));
            const lb = fill(new C(rows * (n + 1)), () => Math.log(3 * r.uniform()));
            for (let row = 0; row < rows; row++) {
              const x0 = row * (n + 1) + (reverse ? n : 0);
              if (kind === 'from zero') lb[x0] = -Infinity;
              // e^500 and e^-600: logs beyond the plain band (2^±400) mid-row; row 2: plain inputs
              // whose x grows out of the band (e^(1.5·t)), so the plain chain falls back
              if (kind === 'leaves the band' && row < 2) lb[row * (n + 1) + 1 + Math.floor(n / 2)] = row === 1 ? -600 : 500;
              if (kind === 'leaves the band' && row === 2) la.fill(1.5, row * n, (row + 1) * n);
            }
            const out = logScan(la, lb, { rows, reverse });
            for (let row = 0; row < rows; row++) {
              const at = (i: number) => (reverse ? n - i : i); // step i's place in the row (x_0 at 0)
              let lx = lb[row * (n + 1) + at(0)];
              for (let i = 1; i <= n; i++) {
                const k = at(i);
                lx = logAddExp(la[row * n + (reverse ? k : k - 1)] + lx, lb[row * (n + 1) + k]);
                const got = out.logAbs[row * (n + 1) + k];
                const tolerance = (C === Float32Array ? 4e-7 : 1e-12) * Math.max(1, Math.abs(lx)); // the reference's own error: ~1e-14
                if (!(Math.abs(got - lx) <= tolerance) || out.sign[row * (n + 1) + k] !== 1)
                  expect({ C: C.name, n, kind, reverse, row, i, got, sign: out.sign[row * (n + 1) + k] }).toEqual({
                    C: C.name,
                    n,
                    kind,
                    reverse,
                    row,
                    i,
                    got: lx,
                    sign: 1,
                  });
              }
            }
          }
  });

  test('positive tiles at the edge of the plain band: values near 2^400, coefficients 1 and just above', () => {
    // x_0 = b = e^l, a = e^g: x_t = e^l·(e^(g(t+1)) − 1)/(e^g − 1), or (t + 1)·e^l for g = 0. With
    // l = 269 a tile's first lanes stay below 2^400 by a bound known ahead (the engine skips their
    // band checks), its later lanes and tiles leave the band (general path); l = 270 never fits
    // the bound. g = 2^-21 is a coefficient just above 1 that the bound still admits, g = 0.05 one
    // it does not (x grows past float64's range).
    for (const C of [Float32Array, Float64Array]) {
      for (const l of [262, 269, 270]) {
        for (const g of [0, 2 ** -21, 0.05]) {
          const n = 20_000;
          const got = logScan(new C(n).fill(g), new C(n + 1).fill(l)).logAbs;
          const tolerance = C === Float32Array ? 2 ** -23 : 1e-12;
          for (let t = 0; t <= n; t += 1 + (t % 97)) {
            const growth = g * (t + 1); // log(e^growth − 1) without overflow
            const want = l + (g === 0 ? Math.log(t + 1) : growth + Math.log1p(-Math.exp(-growth)) - Math.log(Math.expm1(g)));
            if (!(Math.abs(got[t] - want) <= tolerance * want)) expect({ C: C.name, l, g, t, got: got[t] }).toEqual({ want });
          }
        }
      }
    }
  });

  test('a chain that starts negative, dips below the plain band inside one lane and comes back: minus the positive row (every API)', () => {
    // The plain path checks each lane's chain against the band (2^±400) by its least and greatest
    // magnitude; they started at the signed first value, so a lane starting negative was never
    // checked against the band's bottom: x went to 1e-320 (a float64 subnormal) in double and
    // came back with 4 digits left (bench/NOTES.md, session 24). Tiles are 4 lanes of 2080 steps;
    // the dip (8 steps, every coefficient a plain input) lies inside one lane, in tile 0's lane 0
    // (from x_0: the rescan) or tile 1's lane 1. Addends: x_0 = s only (other lanes start at b =
    // 0 and reduce by the general path: the rescan's check alone), or s at every lane's first
    // step too (the reduce's check: a wrong lane aggregate moves every later x). The log method's
    // range is beyond float64's, so the row from -1 is the row from +1 negated, bit for bit.
    const L = 2080;
    const T = 4 * L;
    const n = 3 * T;
    // float32 inputs of scan: 1e-100 is 0 there, so 10^-30 ten times
    const dip64 = [1e-100, 1e-100, 1e-100, 1e-20, 1e20, 1e100, 1e100, 1e100];
    const dip32: number[] = [...Array(10).fill(1e-30), 1e-20, 1e20, ...Array(10).fill(1e30)];
    const logsOf = (v: Float64Array, C: Float32ArrayConstructor | Float64ArrayConstructor) => {
      const logAbs = new C(v.length);
      v.forEach((x, i) => (logAbs[i] = Math.log(Math.abs(x))));
      return { logAbs, sign: Int8Array.from(v, (x) => (x < 0 ? -1 : 1)) };
    };
    const logs64 = (v: Float64Array) => ({ logAbs: Float64Array.from(v, (x) => Math.log(Math.abs(x))), sign: Int8Array.from(v, (x) => (x < 0 ? -1 : 1)) });
    const firstDiff = (p: ArrayLike<number>, q: ArrayLike<number>, negate: boolean) => {
      for (let i = 0; i < p.length; i++) if (q[i] !== (negate ? -p[i] : p[i])) return i;
      return -1;
    };
    for (const dipAt of [100, T + L + 100])
      for (const everyLane of [false, true]) {
        const row = (s: number, dip = dip64) => {
          const a = new Float64Array(n).fill(1);
          const b = new Float64Array(n + 1);
          b[0] = s;
          if (everyLane) for (let i = 0; i < n; i += L) b[i + 1] = s;
          dip.forEach((v, k) => (a[dipAt + k] = v));
          return { a, b };
        };
        const P = row(1);
        const N = row(-1);
        const what = { dipAt, everyLane };
        // x after the row for s = 1: the addends' count (the dip's factors multiply to 1 within 1e-15)
        expect({ ...what, last: scan(P.a, P.b, { method: 'log' })[n] }).toEqual({ ...what, last: expect.closeTo(everyLane ? 13 : 1, 12) });
        for (const C of [Float64Array, Float32Array])
          for (const reverse of [false, true]) {
            const dip = C === Float64Array ? dip64 : dip32;
            const [pc, nc] = [row(1, dip), row(-1, dip)];
            const [pa, pb, na, nb] = [pc.a, pc.b, nc.a, nc.b].map((v) => C.from(reverse ? v.slice().reverse() : v));
            const p = scan(pa, pb, { method: 'log', reverse });
            expect({ ...what, C: C.name, reverse, at: firstDiff(p, scan(na, nb, { method: 'log', reverse }), true) }).toEqual({
              ...what,
              C: C.name,
              reverse,
              at: -1,
            });
            const inPlace = nb.slice();
            scan(na, inPlace, { method: 'log', reverse, out: inPlace });
            expect({ ...what, C: C.name, reverse, inPlace: firstDiff(p, inPlace, true) }).toEqual({ ...what, C: C.name, reverse, inPlace: -1 });
          }
        for (const C of [Float64Array, Float32Array]) {
          const p = logScan(logsOf(P.a, C), logsOf(P.b, C));
          const q = logScan(logsOf(N.a, C), logsOf(N.b, C));
          const signs = p.sign.every((v) => v === 1) && q.sign.every((v) => v === -1);
          expect({ ...what, C: C.name, logScan: firstDiff(p.logAbs, q.logAbs, false), signs }).toEqual({ ...what, C: C.name, logScan: -1, signs: true });
        }
        const pushed = (s: number) =>
          createScanner({ log: true, dtype: 'float64', initial: { logAbs: 0, sign: s } }).push(logs64(P.a), logs64((s > 0 ? P : N).b.subarray(1)));
        expect({ ...what, scanner: firstDiff(pushed(1).logAbs, pushed(-1).logAbs, false) }).toEqual({ ...what, scanner: -1 });
      }
  });

  test('float32 coefficients near 1 over whole tiles (lane products that matter): logs to 1e-7, any thread count', () => {
    // The bounded plain tiles take each lane's coefficient product from the sum of its logs and
    // reduce each lane as two half chains (bench/NOTES.md, session 9): here the products are
    // e^-0.5 to e^-1 a lane, so they weigh in every carry. Max mixed error of the output logs
    // against float64 (measured ~3e-8; the float32 loop's ~3e-7).
    const r = fresh();
    const n = 3 * 8320 + 100;
    const logA = new Float32Array(n).map(() => Math.log(1 - 1e-3 * r.uniform()));
    const logB = new Float32Array(n + 1).map(() => Math.log(3 * r.uniform()));
    const one = logScan(logA, logB, { threads: 1 }).logAbs;
    const three = logScan(logA, logB, { threads: 3 }).logAbs;
    expect(Buffer.compare(Buffer.from(one.buffer), Buffer.from(three.buffer))).toBe(0);
    const want = new Float64Array(n + 1);
    let x = Math.exp(logB[0]);
    want[0] = logB[0];
    for (let t = 0; t < n; t++) {
      x = Math.exp(logA[t]) * x + Math.exp(logB[t + 1]);
      want[t + 1] = Math.log(x);
    }
    const mean = want.reduce((s, v) => s + Math.abs(v), 0) / want.length;
    let worst = 0;
    for (let t = 0; t <= n; t++) worst = Math.max(worst, Math.abs(one[t] - want[t]) / (Math.abs(want[t]) + mean));
    expect(worst).toBeLessThan(1e-7);
  });

  test('tiles beyond the plain range, NaN and zeros: the same bits on 1 and 2 threads, run after run, either direction, with and without signs', () => {
    // Tiles with logs beyond ±280 (or NaN, or −inf) take the general conversion; every tile must be
    // converted the same way whatever thread takes it and whenever: session 11 found a build whose
    // waiting thread converted its next tile by blocks, whose float64 bits (FMA contraction) then
    // depended on timing: 5–16 of 60 two-thread runs differed (bench/NOTES.md, session 11). Reverse
    // rows convert copies of their ranges in step order (session 12): typical logs take that path.
    const r = fresh();
    const n = 300_000;
    const kinds: Record<string, (i: number) => number> = {
      typical: () => Math.log(r.uniform()),
      beyond: (i) => (i % 5000 === 7 ? 300 + 100 * r.uniform() : Math.log(r.uniform())),
      nan: (i) => (i === 20_001 ? NaN : Math.log(0.2 + 0.8 * r.uniform())),
      zeros: (i) => (i % 7000 === 3 ? -Infinity : Math.log(0.5 + 0.5 * r.uniform())),
    };
    const signs = (length: number) => Int8Array.from({ length }, () => (r.uniform() < 0.3 ? -1 : 1));
    for (const C of [Float64Array, Float32Array])
      for (const [kind, draw] of Object.entries(kinds)) {
        const logA = new C(n);
        const logB = new C(n + 1);
        for (let i = 0; i <= n; i++) {
          if (i < n) logA[i] = draw(i);
          logB[i] = draw(i + 1) + 0.5;
        }
        const signA = signs(n),
          signB = signs(n + 1);
        for (const reverse of [false, true])
          for (const signed of [false, true]) {
            const a = signed ? { logAbs: logA, sign: signA } : logA,
              b = signed ? { logAbs: logB, sign: signB } : logB;
            const bits = (x: { logAbs: Float32Array | Float64Array; sign: Int8Array }) =>
              Buffer.concat([
                Buffer.from(x.logAbs.buffer, x.logAbs.byteOffset, x.logAbs.byteLength),
                Buffer.from(x.sign.buffer, x.sign.byteOffset, x.sign.byteLength),
              ]);
            const one = bits(logScan(a, b, { threads: 1, reverse }));
            for (let run = 0; run < 8; run++) {
              const two = bits(logScan(a, b, { threads: 2, reverse }));
              if (!two.equals(one)) expect({ C: C.name, kind, reverse, signed, run }).toBe('the same bits as one thread');
            }
          }
      }
  });

  test('a NaN, an infinity or a zero in one lane of a tile leaves every x before it bitwise unchanged (logScan and scan method "log")', () => {
    // A tile with one input that is not plain (NaN, ±inf, a log beyond ±270) is computed lane by
    // lane and chain by chain, plain up to that step: the x before it must be the bits of the
    // same call without it (README, "Special values"). Session 13's CI drew a counterexample: the
    // whole tile had switched to the general loops, whose lane products (float64) and results'
    // logs (no low parts) round differently; float32 lanes took other paths by the tile's bounds.
    // Positions in each of a full tile's four lanes (8320 steps, 2080 a lane) and in the partial
    // last tile; coefficients near 1 (lane products matter) and just below 1 (bounded lanes).
    const r = fresh();
    const n = 2 * 8320 + 3000;
    const arrayOf = (C: { new (n: number): F }, length: number, f: (i: number) => number): F => {
      const v = new C(length);
      for (let i = 0; i < length; i++) v[i] = f(i);
      return v;
    };
    const cases: { C: { new (n: number): F; name: string }; drawA: () => number; signed: boolean; drawB?: () => number }[] = [
      { C: Float64Array, drawA: () => Math.log(1 + (r.uniform() - 0.5) * 2e-3), signed: false },
      { C: Float64Array, drawA: () => Math.log(1 + (r.uniform() - 0.5) * 2e-3), signed: true },
      { C: Float32Array, drawA: () => Math.log(1 - 1e-5 * r.uniform()), signed: false, drawB: () => Math.log(3 * r.uniform() + 0.01) },
      { C: Float32Array, drawA: () => Math.log(1 + (r.uniform() - 0.5) * 2e-3), signed: true },
    ];
    // and 40 more anywhere in the second tile: a float32 lane's other path showed in about 1 in 20.
    const positions = [8320 + 700, 8320 + 2080 + 1500, 8320 + 4160 + 2000, 8320 + 6240 + 1900, 8320 + 6240 + 2079, 2 * 8320 + 2500];
    for (let k = 0; k < 40; k++) positions.push(8320 + Math.floor(8320 * r.uniform()));
    const poisons = [NaN, Infinity, -Infinity, 400];
    let checked = 0;
    for (const { C, drawA, signed, drawB } of cases) {
      const logA = arrayOf(C, n, drawA);
      const logB = arrayOf(C, n + 1, drawB ?? ((i) => Math.log(Math.abs(Math.cos(i)) + 0.01)));
      const signA = Int8Array.from({ length: n }, () => (signed && r.uniform() < 0.2 ? -1 : 1));
      const signB = Int8Array.from({ length: n + 1 }, () => (signed && r.uniform() < 0.2 ? -1 : 1));
      for (const reverse of [false, true]) {
        const run = (la: F, lb: F) => logScan(signed ? { logAbs: la, sign: signA } : la, signed ? { logAbs: lb, sign: signB } : lb, { reverse }).logAbs;
        const clean = run(logA, logB);
        positions.forEach((t, k) => {
          const poison = poisons[k % poisons.length];
          const inA = k % 2 === 0;
          const before = reverse ? (i: number) => i > t : (i: number) => i <= t; // x not depending on step t
          const la = logA.slice(),
            lb = logB.slice();
          if (inA) la[t] = poison;
          else lb[reverse ? t : t + 1] = poison;
          const x = run(la, lb);
          const bad = clean.findIndex((v, i) => before(i) && !Object.is(v, x[i]));
          expect({ C: C.name, signed, reverse, t, poison, inA, bad }).toEqual({ C: C.name, signed, reverse, t, poison, inA, bad: -1 });
          checked++;
        });
      }
    }
    // scan's log method on raw inputs (session 13's counterexample: float64, reverse, n = 8320).
    for (const C of [Float64Array, Float32Array])
      for (const reverse of [false, true]) {
        const a = arrayOf(C, n, () => 1 + (r.uniform() - 0.5) * 2e-3);
        const b = arrayOf(C, n + 1, (i) => Math.cos(i));
        const clean = scan(a, b, { method: 'log', reverse });
        for (const t of positions) {
          const a2 = a.slice();
          a2[t] = NaN;
          const x = scan(a2, b, { method: 'log', reverse });
          const bad = clean.findIndex((v, i) => (reverse ? i > t : i <= t) && !Object.is(v, x[i]));
          expect({ C: C.name, reverse, t, bad }).toEqual({ C: C.name, reverse, t, bad: -1 });
          checked++;
        }
      }
    expect(checked).toBe(4 * 2 * positions.length + 2 * 2 * positions.length);
  });

  test('x exactly 0 for stretches (sparse addends, zero coefficients), then growth: every log entry point against the float64 loop, zeros and their signs exact', () => {
    // Sparse event data: b = 0 (and x_0 = 0) for whole lanes and tiles, so x is exactly 0 there;
    // the plain path steps such chains from session 25 on (before, the general loops, 17-22x
    // slower: bench/NOTES.md). A zero is exact in the loop (a·0 + 0), so every entry point must
    // give one there: scan 'log' a zero (of the loop's sign where every association gives that
    // sign: +0 from nonnegative inputs, -0 from -0 addends and positive coefficients; with signed
    // coefficients a lane's carry A·x + B may round a zero's sign otherwise, as main did), logScan
    // -Infinity with sign +1. Elsewhere (events that decay below float64's range between them,
    // growth past 2^400) within rounding of the loop, which runs here in float64 with a shared
    // power of 2 (m·2^e) so that it neither underflows nor loses an exact zero.
    const r = fresh();
    const T = 8320;
    const n = 5 * T + 1234; // 5 whole tiles and a partial one
    const kinds: Record<string, { a: (i: number) => number; b: (i: number) => number; zeroSigns?: boolean }> = {
      'zeros, sparse events, growth': {
        zeroSigns: true,
        a: (i) => (i < n / 2 ? r.uniform() : 1 + 0.03 * r.uniform()),
        b: (i) => (i < 2 * T + 50 ? 0 : r.uniform() < 1e-3 ? 3 * r.uniform() : 0),
      },
      // signed coefficients and ±0 addends: zeros of both signs; a zero coefficient meeting a zero addend restarts x at 0
      'signed zeros': {
        a: () => (r.uniform() < 1e-3 ? 0 : r.normal()),
        b: (i) => (i > T && r.uniform() < 1e-3 ? r.normal() : r.uniform() < 0.5 ? -0 : 0),
      },
      '-0 addends, positive coefficients': { a: () => r.uniform(), b: () => -0, zeroSigns: true },
    };
    const bits = (v: Float32Array | Float64Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const rev = <V extends Float32Array | Float64Array | Int8Array>(v: V) => v.slice().reverse() as V;
    for (const [kind, draw] of Object.entries(kinds)) {
      const a64 = Float64Array.from({ length: n }, (_, i) => draw.a(i));
      const b64 = Float64Array.from({ length: n + 1 }, (_, i) => draw.b(i));
      for (const C of [Float64Array, Float32Array]) {
        const a = C.from(a64),
          b = C.from(b64);
        // The loop: x_t = m[t]·2^e[t], and c[t]·2^e[t] the sum of its terms' magnitudes (the scale
        // of its rounding, cancellation included). m[t] is exactly 0 where x_t is.
        const m = new Float64Array(n + 1),
          c = new Float64Array(n + 1),
          e = new Int32Array(n + 1);
        let x = b[0],
          sum = Math.abs(b[0]),
          k = 0;
        m[0] = x;
        c[0] = sum;
        for (let t = 0; t < n; t++) {
          const bt = b[t + 1];
          if (bt !== 0 && k !== 0) [x, sum, k] = [x * 2 ** k, sum * 2 ** k, 0]; // negligible against bt
          x = a[t] * x + bt;
          sum = Math.abs(a[t]) * sum + Math.abs(bt);
          if (sum !== 0 && sum < 2 ** -600) [x, sum, k] = [x * 2 ** 600, sum * 2 ** 600, k - 600];
          [m[t + 1], c[t + 1], e[t + 1]] = [x, sum, k];
        }
        const f32 = C === Float32Array;
        const checkValues = (got: ArrayLike<number>, what: string) => {
          let bad = -1;
          for (let t = 0; t <= n && bad < 0; t++) {
            const want = f32 ? Math.fround(m[t] * 2 ** e[t]) : m[t] * 2 ** e[t];
            if (m[t] === 0) {
              if (draw.zeroSigns ? !Object.is(got[t], want) : got[t] !== 0) bad = t;
            } else if (!Number.isFinite(want)) {
              if (got[t] !== want) bad = t;
            } else if (!(Math.abs(got[t] - want) <= (f32 ? 1e-6 : 1e-10) * c[t] * 2 ** e[t] + (f32 ? 1e-44 : 1e-300))) bad = t;
          }
          expect({ kind, C: C.name, what, bad, got: bad < 0 ? 0 : got[bad] }).toEqual({ kind, C: C.name, what, bad: -1, got: 0 });
        };
        const checkLogs = (got: { logAbs: ArrayLike<number>; sign: ArrayLike<number> }, what: string) => {
          let bad = -1;
          for (let t = 0; t <= n && bad < 0; t++) {
            if (m[t] === 0) {
              if (got.logAbs[t] !== -Infinity || got.sign[t] !== 1) bad = t;
            } else {
              // x/c from the logs, against m/c; a log's own rounding (half an ulp: 2^-24 of |log|
              // for float32, 2^-53 for float64) is that much of x
              const ratio = got.sign[t] * Math.exp(got.logAbs[t] - Math.log(c[t]) - e[t] * Math.LN2);
              const logUlp = Math.abs(got.logAbs[t]) * (f32 ? 2 ** -23 : 2 ** -52);
              if (!(Math.abs(ratio - m[t] / c[t]) <= (f32 ? 1e-6 : 1e-10) + logUlp)) bad = t;
            }
          }
          expect({ kind, C: C.name, what, bad, got: bad < 0 ? 0 : got.logAbs[bad] }).toEqual({ kind, C: C.name, what, bad: -1, got: 0 });
        };
        for (const threads of [1, 2]) {
          const out = scan(a, b, { method: 'log', threads });
          checkValues(out, `scan log, threads ${threads}`);
          const back = scan(rev(a), rev(b), { method: 'log', threads, reverse: true });
          expect({ kind, C: C.name, threads, reverse: bits(rev(back)).equals(bits(out)) }).toEqual({ kind, C: C.name, threads, reverse: true });
          const inPlace = b.slice();
          scan(a, inPlace, { method: 'log', threads, out: inPlace });
          expect({ kind, C: C.name, threads, inPlace: bits(inPlace).equals(bits(out)) }).toEqual({ kind, C: C.name, threads, inPlace: true });
        }
        const sa = Int8Array.from(a, (v) => (v < 0 ? -1 : 1)),
          sb = Int8Array.from(b, (v) => (v < 0 ? -1 : 1));
        const la = C.from(Array.from(a, (v) => Math.log(Math.abs(v)))),
          lb = C.from(Array.from(b, (v) => Math.log(Math.abs(v))));
        const signed = logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { threads: 1 });
        checkLogs(signed, 'logScan signed');
        const two = logScan({ logAbs: la, sign: sa }, { logAbs: lb, sign: sb }, { threads: 2 });
        const back = logScan({ logAbs: rev(la), sign: rev(sa) }, { logAbs: rev(lb), sign: rev(sb) }, { reverse: true });
        const same = (p: typeof signed, q: typeof signed) =>
          bits(p.logAbs).equals(bits(q.logAbs)) &&
          Buffer.from(p.sign.buffer, p.sign.byteOffset, p.sign.length).equals(Buffer.from(q.sign.buffer, q.sign.byteOffset, q.sign.length));
        expect({ kind, C: C.name, threads2: same(two, signed), reverse: same({ logAbs: rev(back.logAbs), sign: rev(back.sign) }, signed) }).toEqual({
          kind,
          C: C.name,
          threads2: true,
          reverse: true,
        });
        if (a.every((v) => v >= 0)) checkLogs(logScan(la, lb), 'logScan real');
        // (one code path for both dtypes: the push overloads are per dtype)
        type Pushes = { push: (c: unknown, v: unknown) => { logAbs: Float32Array | Float64Array; sign: Int8Array } };
        const scanner = createScanner({ log: true, dtype: f32 ? 'float32' : 'float64', initial: { logAbs: lb[0], sign: sb[0] } }) as unknown as Pushes;
        const cut = 2 * T + 77; // two pushes, the second from the first's last x
        const first = scanner.push(
          { logAbs: la.subarray(0, cut), sign: sa.subarray(0, cut) },
          { logAbs: lb.subarray(1, cut + 1), sign: sb.subarray(1, cut + 1) },
        );
        const second = scanner.push({ logAbs: la.subarray(cut), sign: sa.subarray(cut) }, { logAbs: lb.subarray(cut + 1), sign: sb.subarray(cut + 1) });
        const pushed = { logAbs: new C(n + 1), sign: new Int8Array(n + 1) };
        [pushed.logAbs[0], pushed.sign[0]] = [lb[0], sb[0]];
        pushed.logAbs.set(first.logAbs, 1);
        pushed.sign.set(first.sign, 1);
        pushed.logAbs.set(second.logAbs, cut + 1);
        pushed.sign.set(second.sign, cut + 1);
        checkLogs(pushed, 'Scanner log');
      }
    }
  });

  test('logs beyond ±2^29·ln 2 (3.7e8) count as infinity or zero', () => {
    expect(Array.from(logScan(new Float64Array([0]), new Float64Array([0, 1e9])).logAbs)).toEqual([0, Infinity]);
    expect(Array.from(logScan(new Float64Array([-1e9]), new Float64Array([0, 0])).logAbs)).toEqual([0, 0]); // a reset
  });

  test('agrees with scan(..., { method: "log" }) on raw inputs (float32)', () => {
    const { coeffs, values } = seedInputs(Float32Array, 1, 50_000, 'normal');
    const viaLogs = logScan(signedLogs(Float64Array.from(coeffs)), signedLogs(Float64Array.from(values)));
    const direct = scan(coeffs, values, { method: 'log' });
    expect(mixedError(toValues(viaLogs), Float64Array.from(direct))).toBeLessThan(1e-6);
  });

  test('in place: out = logValues (logAbs and sign)', () => {
    const { coeffs, values } = seedInputs(Float64Array, 2, 5000, 'normal');
    const a = signedLogs(coeffs as Float64Array);
    const b = signedLogs(values as Float64Array);
    const expected = logScan(a, b, { rows: 2 });
    const out = logScan(a, b, { rows: 2, out: b });
    expect(out).toBe(b);
    expect(Array.from(b.logAbs)).toEqual(Array.from(expected.logAbs));
    expect(Array.from(b.sign)).toEqual(Array.from(expected.sign));
  });

  test('out and logScanAsync', async () => {
    const { coeffs, values } = seedInputs(Float64Array, 1, 10_000, 'uniform');
    const a = coeffs.map(Math.log);
    const b = values.map(Math.log);
    const sync = logScan(a, b);
    const out = { logAbs: new Float64Array(b.length), sign: new Int8Array(b.length) };
    expect(logScan(a, b, { out })).toBe(out);
    const viaAsync = await logScanAsync(a, b);
    expect(Array.from(out.logAbs)).toEqual(Array.from(sync.logAbs));
    expect(Array.from(viaAsync.logAbs)).toEqual(Array.from(sync.logAbs));
  });
});
