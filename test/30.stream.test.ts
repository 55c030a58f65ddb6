// Streams: any chunking gives the one-shot scan; the next chunk waits for the previous one's
// native work; errors reach pipeline(); byte streams may be split anywhere.
import { EventEmitter, on } from 'events';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { backends, createScanner, logScan, scan, Scanner, type ScannerOptions } from '../src/index';
import { createByteScanStream, createScanStream, scanIterable, type ScanChunk } from '../src/stream';
import { addon, type NativeScanSpec } from '../src/addon';
import { reference } from '../src/yardstick';
import { randomFor, seedNote } from './seed';
import { signedProblem } from './helpers';

type F = Float32Array | Float64Array;
type FC = Float32ArrayConstructor | Float64ArrayConstructor;
const tag = (v: unknown) => Object.prototype.toString.call(v);

// Reproducible inputs from the run's seed (test/seed.ts), which the test names show.
const rand = randomFor('30.stream');
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const problem = (C: FC, rows: number, n: number) => signedProblem(C, rows, n, rand);

function expectClose(actual: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(actual[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= worst)) [worst, at] = [err, i];
  }
  if (!(worst <= tol)) throw new Error(`max relative error ${worst} > ${tol} at ${at}: ${actual[at]} vs ${want[at]}`);
}
const tolerance = (C: FC) => (C === Float32Array ? 1e-4 : 1e-11);

/** Random step ranges [s, e) covering 0..n, some empty; from the end when reversing. */
function segments(n: number, reverse: boolean): [number, number][] {
  const cuts = [0, n];
  for (let k = int(0, 6); k > 0; k--) cuts.push(int(0, n));
  cuts.sort((x, y) => x - y);
  const segs = cuts.slice(1).map((e, i) => [cuts[i], e] as [number, number]);
  return reverse ? segs.reverse() : segs;
}

/** The chunk for steps [s, e) of every row, as Scanner.push takes it (values without x_0). */
function chunkOf(C: FC, a: F, v: F, rows: number, [s, e]: [number, number], reverse: boolean): ScanChunk {
  const n = a.length / rows;
  const m = e - s;
  const coeffs = new C(rows * m);
  const values = new C(rows * m);
  for (let r = 0; r < rows; r++) {
    coeffs.set(a.subarray(r * n + s, r * n + e), r * m);
    const b0 = r * (n + 1) + (reverse ? s : s + 1);
    values.set(v.subarray(b0, b0 + m), r * m);
  }
  return { coeffs, values };
}

/** Puts each chunk's x back where scan() has it; x_0 (x_n reversing) comes from values. */
function assemble(C: FC, v: F, rows: number, n: number, segs: [number, number][], outs: ArrayLike<number>[], reverse: boolean): F {
  const x = C.from(v) as F;
  segs.forEach(([s, e], k) => {
    const m = e - s;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) x[r * (n + 1) + (reverse ? s : s + 1) + j] = outs[k][r * m + j];
    }
  });
  return x;
}

async function collect<T>(readable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of readable) out.push(item);
  return out;
}

describe(`createScanStream ${seedNote()}`, () => {
  const cases: [string, boolean, FC][] = [];
  for (const C of [Float32Array, Float64Array]) for (const reverse of [false, true]) cases.push([C.name, reverse, C]);

  test.each(cases)('%s reverse=%p: random chunkings equal the one-shot scan', async (_name, reverse, C) => {
    for (let trial = 0; trial < 8; trial++) {
      const rows = int(1, 4);
      const n = int(0, 3000);
      const { a, v } = problem(C, rows, n);
      const segs = segments(n, reverse);
      const initial = Array.from({ length: rows }, (_, r) => v[r * (n + 1) + (reverse ? n : 0)]);
      const stream = createScanStream({ rows, reverse, initial, dtype: C === Float64Array ? 'float64' : 'float32', method: trial % 2 ? 'log' : 'direct' });
      const outs = await collect<F>(Readable.from(segs.map((seg) => chunkOf(C, a, v, rows, seg, reverse))).pipe(stream));
      outs.forEach((o, k) => {
        expect(tag(o)).toBe(tag(a));
        expect(o.length).toBe(rows * (segs[k][1] - segs[k][0]));
      });
      const x = assemble(C, v, rows, n, segs, outs, reverse);
      expectClose(x, reference(a, v, rows, reverse), tolerance(C) * (trial % 2 ? 100 : 1));
      expectClose(x, scan(a, v, { rows, reverse }), tolerance(C) * (trial % 2 ? 100 : 1));
    }
  });

  test('the scanner it pushes through carries the last x as its state', async () => {
    const { a, v } = problem(Float64Array, 2, 100);
    const stream = createScanStream({ rows: 2, dtype: 'float64', initial: [v[0], v[101]] });
    await collect(Readable.from(segments(100, false).map((seg) => chunkOf(Float64Array, a, v, 2, seg, false))).pipe(stream));
    const ref = reference(a, v, 2);
    expectClose(stream.scanner.state as Float64Array, [ref[100], ref[201]], 1e-12);
  });

  test('log: true takes logs and emits { logAbs, sign }, like logScan', async () => {
    const rows = 2;
    const n = 500;
    const { a, v } = problem(Float64Array, rows, n);
    const lg = (x: F) => ({ logAbs: Float64Array.from(x, (y) => Math.log(Math.abs(y))), sign: Int8Array.from(x, (y) => (y < 0 ? -1 : 1)) });
    const la = lg(a);
    const lv = lg(v);
    const segs = segments(n, false);
    const chunks = segs.map(([s, e]) => {
      const raw = chunkOf(Float64Array, a, v, rows, [s, e], false);
      return { coeffs: lg(raw.coeffs as F), values: lg(raw.values as F) };
    });
    const initial = { logAbs: [lv.logAbs[0], lv.logAbs[n + 1]], sign: [lv.sign[0], lv.sign[n + 1]] };
    const outs = await collect<{ logAbs: F; sign: Int8Array }>(Readable.from(chunks).pipe(createScanStream({ rows, log: true, dtype: 'float64', initial })));
    const x = assemble(
      Float64Array,
      v,
      rows,
      n,
      segs,
      outs.map((o) => Float64Array.from(o.logAbs, (l, i) => o.sign[i] * Math.exp(l))),
      false,
    );
    const one = logScan(la, lv, { rows });
    expectClose(
      x,
      Float64Array.from(one.logAbs, (l, i) => one.sign[i] * Math.exp(l)),
      1e-9,
    );
    expectClose(x, reference(a, v, rows), 1e-9);
  });
});

describe(`scanIterable ${seedNote()}`, () => {
  test.each([false, true])('over a sync iterable and an async generator (reverse=%p)', async (reverse) => {
    const rows = 3;
    const n = 777;
    const { a, v } = problem(Float32Array, rows, n);
    const segs = segments(n, reverse);
    // Float32Array chunks for a float32 iterable (the typings refuse other element types).
    const chunks = segs.map((seg) => chunkOf(Float32Array, a, v, rows, seg, reverse)) as { coeffs: Float32Array; values: Float32Array }[];
    const initial = Array.from({ length: rows }, (_, r) => v[r * (n + 1) + (reverse ? n : 0)]);
    async function* slowly() {
      for (const c of chunks) {
        await new Promise((r) => setTimeout(r, 1));
        yield c;
      }
    }
    for (const source of [chunks, slowly()]) {
      const outs = await collect(scanIterable(source, { rows, reverse, initial }));
      expectClose(assemble(Float32Array, v, rows, n, segs, outs as F[], reverse), reference(a, v, rows, reverse), 1e-4);
    }
  });

  test('a bad chunk rejects the iteration with its ERR_LINREC_ code', async () => {
    const bad = [
      { coeffs: new Float32Array(4), values: new Float32Array(4) },
      { coeffs: new Float32Array(4), values: new Float32Array(3) },
    ];
    await expect(collect(scanIterable(bad))).rejects.toMatchObject({ code: 'ERR_LINREC_LENGTH_MISMATCH', name: 'RangeError' });
    await expect(collect(scanIterable([42 as never]))).rejects.toMatchObject({ code: 'ERR_LINREC_INVALID_TYPE' });
  });
});

describe('backpressure', () => {
  test('a chunk is taken only after the previous one is scanned, and a slow consumer holds the producer back', async () => {
    const total = 120;
    const m = 20000;
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const stream = createScanStream({ dtype: 'float32' });
    // The native calls in flight (each chunk's push is one: m + 1 > 2^14 steps leave the main thread).
    const host = addon();
    const realAsync = host.scanAsync;
    host.scanAsync = async (spec: NativeScanSpec) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await realAsync(spec);
      } finally {
        inFlight--;
      }
    };
    function* source() {
      for (let k = 0; k < total; k++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield { coeffs: new Float32Array(m).fill(0.5), values: new Float32Array(m).fill(1) };
      }
    }
    const slow = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(chunk: Float32Array, _enc, cb) {
        expect(chunk.length).toBe(m);
        consumed++;
        setTimeout(cb, 2);
      },
    });
    try {
      await pipeline(Readable.from(source()), stream, slow);
    } finally {
      host.scanAsync = realAsync;
    }
    expect(consumed).toBe(total);
    expect(maxInFlight).toBe(1);
    // Only the streams' buffers (highWaterMark: 2 chunks each by default) run ahead, not the whole source.
    expect(maxAhead).toBeLessThan(40);
  });
});

describe('errors through pipeline', () => {
  const run = (chunks: unknown[], options = {}) =>
    pipeline(Readable.from(chunks), createScanStream(options), new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));

  test.each<[string, unknown[], object, string]>([
    ['values of the wrong length', [{ coeffs: new Float32Array(3), values: new Float32Array(2) }], {}, 'ERR_LINREC_LENGTH_MISMATCH'],
    ['a float64 chunk in a float32 stream', [{ coeffs: new Float64Array(3), values: new Float64Array(3) }], {}, 'ERR_LINREC_DTYPE_MISMATCH'],
    ['a plain array', [{ coeffs: [1, 2], values: [1, 2] }], {}, 'ERR_LINREC_INVALID_TYPE'],
    ['a chunk that is not { coeffs, values }', ['hello'], {}, 'ERR_LINREC_INVALID_TYPE'],
    ['rows that do not divide the chunk', [{ coeffs: new Float32Array(5), values: new Float32Array(5) }], { rows: 2 }, 'ERR_LINREC_LENGTH_MISMATCH'],
    [
      'a bad chunk after good ones',
      [
        { coeffs: new Float32Array(3), values: new Float32Array(3) },
        { coeffs: new Float32Array(3), values: null },
      ],
      {},
      'ERR_LINREC_INVALID_TYPE',
    ],
  ])('%s', async (_name, chunks, options, code) => {
    await expect(run(chunks, options)).rejects.toMatchObject({ code });
  });

  test('a chunk with a misspelled key: the message shows the keys it has', async () => {
    await expect(run([{ coeffs: new Float32Array(1), value: new Float32Array(1) }])).rejects.toMatchObject({
      code: 'ERR_LINREC_INVALID_TYPE',
      message: 'chunk 0: Expected an object { coeffs, values } for chunk but received object { coeffs, value }',
    });
  });

  test('bad options throw at creation', () => {
    expect(() => createScanStream({ rows: 0 })).toThrow(expect.objectContaining({ code: 'ERR_LINREC_INVALID_VALUE' }));
    expect(() => createScanStream({ bogus: 1 } as object)).toThrow(expect.objectContaining({ code: 'ERR_LINREC_UNKNOWN_OPTION' }));
    if (!backends().cuda.available)
      expect(() => createScanStream({ device: 'cuda' })).toThrow(expect.objectContaining({ code: 'ERR_LINREC_CUDA_UNAVAILABLE' }));
  });

  test('a destroyed stream releases its scanner', async () => {
    const stream = createScanStream();
    stream.destroy();
    await new Promise((r) => stream.once('close', r));
    await expect(stream.scanner.pushAsync(new Float32Array(1), new Float32Array(1))).rejects.toMatchObject({ code: 'ERR_LINREC_DISPOSED' });
  });
});

describe(`createByteScanStream ${seedNote()}`, () => {
  /** x_0 then interleaved (a_t, b_t), little-endian. */
  function bytesOf(C: FC, x0: number, a: F, b: F): Buffer {
    const all = new C(1 + 2 * a.length);
    all[0] = x0;
    for (let t = 0; t < a.length; t++) [all[1 + 2 * t], all[2 + 2 * t]] = [a[t], b[t]];
    return Buffer.from(all.buffer);
  }
  /** Splits buf at the given byte offsets, copying each piece to a misaligned spot half the time. */
  function split(buf: Buffer, cuts: number[]): Buffer[] {
    const at = [0, ...cuts.sort((x, y) => x - y), buf.length];
    return at.slice(1).map((e, i) => {
      const piece = buf.subarray(at[i], e);
      if (rand() < 0.5) return piece;
      const host = Buffer.alloc(piece.length + 3);
      piece.copy(host, 1);
      return host.subarray(1, 1 + piece.length);
    });
  }
  async function runBytes(C: FC, pieces: Buffer[]): Promise<F> {
    const out = await collect<Buffer>(
      Readable.from(pieces, { objectMode: false }).pipe(createByteScanStream({ dtype: C === Float64Array ? 'float64' : 'float32' })),
    );
    const bytes = Buffer.concat(out);
    return new C(new Uint8Array(bytes).buffer) as F;
  }

  test.each([Float32Array, Float64Array])('%p: random split points, inside x_0 and inside elements, equal scan()', async (C) => {
    for (let trial = 0; trial < 10; trial++) {
      const n = int(0, 5000);
      const { a, v } = problem(C, 1, n);
      const buf = bytesOf(C, v[0], a, v.subarray(1) as F);
      const item = C.BYTES_PER_ELEMENT;
      const cuts = [int(1, item - 1)]; // always split x_0
      for (let k = int(0, 12); k > 0; k--) cuts.push(int(0, buf.length));
      const x = await runBytes(C, split(buf, cuts));
      expect(x.length).toBe(n + 1);
      expect(x[0]).toBe(v[0]);
      expectClose(x, reference(a, v, 1), tolerance(C));
      expectClose(x, scan(a, v), tolerance(C));
    }
  });

  test('one byte at a time', async () => {
    const { a, v } = problem(Float32Array, 1, 40);
    const buf = bytesOf(Float32Array, v[0], a, v.subarray(1) as F);
    const x = await runBytes(
      Float32Array,
      Array.from(buf, (_, i) => buf.subarray(i, i + 1)),
    );
    expectClose(x, reference(a, v, 1), 1e-5);
  });

  test('x_0 alone gives x_0', async () => {
    const x = await runBytes(Float64Array, [Buffer.from(new Float64Array([2.5]).buffer)]);
    expect(Array.from(x)).toEqual([2.5]);
  });

  test.each<[string, number]>([
    ['half a pair', 4],
    ['half a pair and part of the next element', 6],
    ['one byte', 1],
  ])('a trailing partial element is ERR_LINREC_FORMAT at the end: %s', async (_name, trailing) => {
    // x_0 and two whole pairs, then `trailing` bytes of a third pair, split at random.
    const buf = Buffer.from(new Float32Array([1, 0.5, 1, 0.5, 1, 0.5, 1]).buffer).subarray(0, 20 + trailing);
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await expect(pipeline(Readable.from(split(buf, [int(0, buf.length), int(0, buf.length)])), createByteScanStream(), sink)).rejects.toMatchObject({
      code: 'ERR_LINREC_FORMAT',
      message: expect.stringContaining(`truncated: ${trailing} trailing bytes`),
    });
  });

  test('input shorter than x_0, or empty, is ERR_LINREC_FORMAT', async () => {
    const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
    await expect(pipeline(Readable.from([Buffer.alloc(3)]), createByteScanStream(), sink())).rejects.toMatchObject({
      code: 'ERR_LINREC_FORMAT',
      message: expect.stringMatching(/truncated: 3 trailing bytes/),
    });
    await expect(pipeline(Readable.from([Buffer.alloc(7)]), createByteScanStream({ dtype: 'float64' }), sink())).rejects.toMatchObject({
      code: 'ERR_LINREC_FORMAT',
    });
    await expect(pipeline(Readable.from([]), createByteScanStream(), sink())).rejects.toMatchObject({
      code: 'ERR_LINREC_FORMAT',
      message: expect.stringMatching(/empty/),
    });
  });

  test('bad options throw at creation', () => {
    expect(() => createByteScanStream({ dtype: 'int8' as 'float32' })).toThrow(expect.objectContaining({ code: 'ERR_LINREC_INVALID_VALUE' }));
    expect(() => createByteScanStream({ threads: -1 })).toThrow(expect.objectContaining({ code: 'ERR_LINREC_INVALID_VALUE' }));
  });
});

describe('highWaterMark (in chunks)', () => {
  test('createScanStream: buffers highWaterMark chunks on each side (default 2), refuses 0', () => {
    const s1 = createScanStream({ highWaterMark: 1 });
    expect([s1.readableHighWaterMark, s1.writableHighWaterMark]).toEqual([1, 1]);
    const s2 = createScanStream();
    expect([s2.readableHighWaterMark, s2.writableHighWaterMark]).toEqual([2, 2]);
    expect(() => createScanStream({ highWaterMark: 0 })).toThrow(expect.objectContaining({ code: 'ERR_LINREC_INVALID_VALUE' }));
    expect(() => scanIterable([], { highWaterMark: 1.5 })).not.toThrow(); // a generator checks on first next()
  });

  test.each([1, 3])('scanIterable: takes at most highWaterMark = %p chunks ahead of a slow consumer', async (highWaterMark) => {
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    function* source() {
      for (let k = 0; k < 30; k++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield { coeffs: new Float32Array(1000).fill(0.5), values: new Float32Array(1000).fill(1) };
      }
    }
    for await (const x of scanIterable(source(), { highWaterMark })) {
      expect(x.length).toBe(1000);
      consumed++;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(consumed).toBe(30);
    // The chunk being consumed, plus highWaterMark scanned (or being scanned) ahead.
    expect(maxAhead).toBeLessThanOrEqual(highWaterMark + 1);
    await expect(collect(scanIterable([], { highWaterMark: 0 }))).rejects.toMatchObject({ code: 'ERR_LINREC_INVALID_VALUE' });
  });
});

describe('a failed chunk: its index in the error, and the carry before it stays readable', () => {
  const good = () => ({ coeffs: Float32Array.of(2, 2), values: Float32Array.of(1, 1) });
  const bad = { coeffs: new Float32Array(2), values: new Float32Array(3) };
  // x_0 = 0: after chunk 0, x = 2·(2·0 + 1) + 1 = 3; after chunk 1, x = 2·(2·3 + 1) + 1 = 15.
  test('createScanStream: error names chunk 2, err.state and scanner.state hold x after chunk 1; the scanner resumes', async () => {
    const stream = createScanStream();
    let err: { message?: string; code?: string; chunkIndex?: number; state?: Float32Array } = {};
    try {
      await pipeline(Readable.from([good(), good(), bad, good()]), stream, new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('ERR_LINREC_LENGTH_MISMATCH');
    expect(err.message).toMatch(/^chunk 2: /);
    expect(err.chunkIndex).toBe(2);
    expect(Array.from(err.state!)).toEqual([15]);
    expect(Array.from(stream.scanner.state)).toEqual([15]);
    // A server resumes from there: the next good chunk continues the sequence.
    expect(Array.from(await stream.scanner.pushAsync(Float32Array.of(2), Float32Array.of(1)))).toEqual([31]);
  });

  test('scanIterable: error names chunk 1 and carries x after chunk 0; no chunk is taken after it', async () => {
    let taken = 0;
    function* source() {
      for (const c of [good(), bad, good(), good()]) {
        taken++;
        yield c;
      }
    }
    let err: { message?: string; chunkIndex?: number; state?: Float32Array } = {};
    const seen: number[] = [];
    try {
      for await (const x of scanIterable(source(), { highWaterMark: 2 })) seen.push(x[x.length - 1]);
    } catch (e) {
      err = e as typeof err;
    }
    expect(seen).toEqual([3]);
    expect(err.message).toMatch(/^chunk 1: /);
    expect(err.chunkIndex).toBe(1);
    expect(Array.from(err.state!)).toEqual([3]);
    expect(taken).toBe(2);
  });
});

// Review 23: leaving a scanIterable loop early, and a pipeline that fails with a chunk in flight.
describe('leaving early: the consumer gets control back at once; the carry is readable when pipeline rejects', () => {
  const chunk = (k = 1) => ({ coeffs: Float32Array.of(0.5), values: Float32Array.of(k) });
  /** What `loop` settles with, or 'still running' after `ms`. */
  const within = <T>(ms: number, loop: Promise<T>) =>
    Promise.race([loop, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref())]);

  test('scanIterable: break returns within 1 s while the source has no next chunk (an async generator over events.on)', async () => {
    const feed = new EventEmitter();
    let closed = false;
    async function* source() {
      try {
        for await (const [c] of on(feed, 'chunk')) yield c as { coeffs: Float32Array; values: Float32Array };
      } finally {
        closed = true;
      }
    }
    setTimeout(() => feed.emit('chunk', chunk()), 5);
    const loop = (async () => {
      for await (const x of scanIterable(source())) {
        expect(Array.from(x)).toEqual([1]);
        break;
      }
      return 'returned';
    })();
    expect(await within(1000, loop)).toBe('returned');
    // The source's return() is queued behind its pending next() (JavaScript's rule for async
    // generators): it closes when it yields again, and that chunk is dropped, not scanned.
    const pushes = jest.spyOn(Scanner.prototype, 'pushAsync');
    try {
      feed.emit('chunk', chunk(2));
      await new Promise((r) => setTimeout(r, 20));
      expect(closed).toBe(true);
      expect(pushes).not.toHaveBeenCalled();
    } finally {
      pushes.mockRestore();
    }
  });

  test('scanIterable: an error thrown in the loop body surfaces within 1 s (an object-mode Readable with no next chunk), and the Readable is destroyed', async () => {
    const src = new Readable({ objectMode: true, read() {} });
    src.push(chunk());
    const loop = (async () => {
      try {
        for await (const x of scanIterable(src)) {
          expect(Array.from(x)).toEqual([1]);
          throw new Error('consumer failed');
        }
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(await within(1000, loop)).toBe('consumer failed');
    await new Promise((r) => setImmediate(r));
    expect(src.destroyed).toBe(true);
  });

  test('scanIterable: break over a slow live source (highWaterMark 3) does not wait for, or scan, chunks nobody asked for', async () => {
    let yielded = 0;
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) {
          // The first chunk at once, then one each 400 ms: far apart against a loaded machine's stalls.
          if (i > 0) await new Promise((r) => setTimeout(r, 400));
          yielded++;
          yield chunk(i);
        }
      } finally {
        closed = true;
      }
    }
    const pushes = jest.spyOn(Scanner.prototype, 'pushAsync');
    try {
      const t0 = Date.now();
      let leftAt = 0;
      const loop = (async () => {
        for await (const x of scanIterable(source(), { highWaterMark: 3 })) {
          expect(x.length).toBe(1);
          leftAt = Date.now();
          break;
        }
        return Date.now();
      })();
      const done = await within(1000, loop);
      expect(typeof done).toBe('number');
      // Waiting for the pending read would take 400 ms; filling highWaterMark first, 800 ms.
      expect((done as number) - leftAt).toBeLessThan(250);
      expect(leftAt - t0).toBeLessThan(250);
      // The read pending at the break completes (at most one more chunk), unscanned; the source closes.
      await new Promise((r) => setTimeout(r, 700));
      expect(closed).toBe(true);
      expect(yielded).toBeLessThanOrEqual(2);
      expect(pushes).toHaveBeenCalledTimes(1);
    } finally {
      pushes.mockRestore();
    }
  });

  test('scanIterable: break with a scan in flight and a sync source returns, and the source is closed', async () => {
    let closed = false;
    function* source() {
      try {
        for (let k = 0; k < 10; k++) yield { coeffs: new Float32Array(300_000).fill(0.5), values: new Float32Array(300_000).fill(1) };
      } finally {
        closed = true;
      }
    }
    let seen = 0;
    for await (const x of scanIterable(source(), { highWaterMark: 2 })) {
      expect(x.length).toBe(300_000);
      if (++seen === 1) break;
    }
    expect(closed).toBe(true);
  });

  const big = (k: number, n = 300_000) => ({ coeffs: new Float32Array(n).fill(0.5), values: new Float32Array(n).fill(k + 1) });
  /** The carry after chunks 0..count-1 of big(). */
  const carryAfter = (count: number, n = 300_000) => {
    const alone = createScanner();
    for (let k = 0; k < count; k++) alone.push(big(k, n).coeffs, big(k, n).values);
    return Array.from(alone.state);
  };

  test.each<[string, ScannerOptions]>([
    ['direct', {}],
    // The log method from beyond float32's range: each push runs twice (the engine, then float64 logs).
    ['method log, from beyond the range', { method: 'log', initial: 1e-300 }],
  ])(
    'createScanStream (%s): the source fails while a chunk is in flight; right when pipeline rejects, scanner.state is the carry after chunksScanned chunks, and stays so',
    async (_name, options) => {
      const n = 2_000_000;
      const carry = (s: Scanner) => (s.method === 'log' ? s.logState : { logAbs: Float64Array.from(s.state as Float32Array), sign: null });
      const carryOf = (count: number) => {
        const alone = createScanner(options);
        for (let k = 0; k < count; k++) alone.push(big(k, n).coeffs, big(k, n).values);
        return carry(alone);
      };
      const stream = createScanStream(options);
      async function* source() {
        yield big(0, n);
        yield big(1, n);
        // Fails once chunk 1 is taken (usually still in flight: it is dropped).
        while (stream.chunksScanned < 1) await new Promise((r) => setImmediate(r));
        throw new Error('source broke');
      }
      let atRejection: { carry: ReturnType<typeof carry>; scanned: number } | { error: string } | undefined;
      await pipeline(Readable.from(source()), stream, new Writable({ objectMode: true, write: (_c, _e, cb) => cb() })).catch((e: Error) => {
        expect(e.message).toBe('source broke');
        try {
          atRejection = { carry: carry(stream.scanner), scanned: stream.chunksScanned };
        } catch (e2) {
          atRejection = { error: (e2 as { code?: string }).code ?? String(e2) };
        }
      });
      expect(atRejection).toHaveProperty('carry');
      const { carry: state, scanned } = atRejection as { carry: ReturnType<typeof carry>; scanned: number };
      expect([1, 2]).toContain(scanned);
      expect(state).toEqual(carryOf(scanned));
      // A server resumes at once, with chunk `scanned`: the scanner is not busy.
      if (scanned < 2) stream.scanner.push(big(scanned, n).coeffs, big(scanned, n).values);
      if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
      await new Promise((r) => setTimeout(r, 50));
      // The chunk dropped in flight changed nothing: neither the count nor the carry.
      expect(stream.chunksScanned).toBe(scanned);
      expect(carry(stream.scanner)).toEqual(carryOf(2));
    },
  );

  test('createScanStream: the destination fails while a chunk is in flight; scanner.state is readable when pipeline rejects', async () => {
    const n = 1_000_000;
    const chunks = Array.from({ length: 6 }, (_, k) => big(k, n));
    let writes = 0;
    const stream = createScanStream();
    let atRejection: { state: number[]; scanned: number } | { error: string } | undefined;
    await pipeline(
      Readable.from(chunks),
      stream,
      new Writable({ objectMode: true, write: (_c, _e, cb) => (++writes === 2 ? cb(new Error('sink failed')) : cb()) }),
    ).catch((e: Error) => {
      expect(e.message).toBe('sink failed');
      try {
        atRejection = { state: Array.from(stream.scanner.state), scanned: stream.chunksScanned };
      } catch (e2) {
        atRejection = { error: (e2 as { code?: string }).code ?? String(e2) };
      }
    });
    expect(atRejection).toHaveProperty('state');
    const { state, scanned } = atRejection as { state: number[]; scanned: number };
    expect(scanned).toBeGreaterThanOrEqual(2);
    expect(state).toEqual(carryAfter(scanned, n));
    if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
    expect(stream.chunksScanned).toBe(scanned);
    expect(Array.from(stream.scanner.state)).toEqual(state);
  });
});
