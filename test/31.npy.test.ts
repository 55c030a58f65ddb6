// .npy and raw files: headers as NumPy writes them, lazy block reads, atomic writes, and one
// clear ERR_LINREC_FORMAT error for every kind of bad file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArrayFileReader, ArrayFileWriter, decodeNpy, encodeNpy, encodeNpyHeader, formatOf, parseNpyHeader } from '../src/npy';
import { expectLinrecError } from './helpers';
import { randomFor, seedNote } from './seed';

const tag = (v: unknown) => Object.prototype.toString.call(v);

// Reproducible inputs from the run's seed (test/seed.ts), which the test names show.
const rand = randomFor('31.npy');
function randomArray(C: Float32ArrayConstructor | Float64ArrayConstructor, n: number): Float32Array | Float64Array {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-npy-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A .npy file with a hand-written header dict (for the bad cases). */
function npyWith(dict: string, dataBytes: number, version = 1): Buffer {
  const lenBytes = version === 1 ? 2 : 4;
  const header = Buffer.from(`${dict}\n`, 'latin1');
  const pre = Buffer.alloc(8 + lenBytes);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(pre);
  if (version === 1) pre.writeUInt16LE(header.length, 8);
  else pre.writeUInt32LE(header.length, 8);
  return Buffer.concat([pre, header, Buffer.alloc(dataBytes)]);
}

/** A format error: ERR_LINREC_FORMAT with a one-line message matching pattern. */
/** The error ArrayFileReader.open rejects with, or undefined where it opens. */
const openError = (file: string, options?: Parameters<typeof ArrayFileReader.open>[1]) =>
  ArrayFileReader.open(file, options).then(
    () => undefined,
    (e) => e,
  );

function expectFormatError(fn: () => unknown, pattern: RegExp): void {
  expect(expectLinrecError(fn, 'ERR_LINREC_FORMAT', undefined, pattern).message).not.toContain('\n');
}

describe(`npy headers ${seedNote()}`, () => {
  test('the header is byte-identical to what numpy.save writes (version 1.0, data 64-byte aligned)', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const numpy = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]), Buffer.from(dict.padEnd(117, ' ') + '\n', 'latin1')]);
    expect(encodeNpyHeader('float32', [3]).equals(numpy)).toBe(true);
    expect(encodeNpyHeader('float64', [2, 3]).toString('latin1')).toContain("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
  });

  test.each(['1.0', '2.0', '3.0'] as const)('version %s headers: magic, length field, 64-byte alignment', (version) => {
    const h = encodeNpyHeader('float64', [4, 5], version);
    expect(h.length % 64).toBe(0);
    expect(h[6]).toBe(Number(version[0]));
    expect(h[h.length - 1]).toBe(0x0a);
    const parsed = parseNpyHeader(h);
    expect(parsed).toEqual({ dtype: 'float64', shape: [4, 5], dataOffset: h.length, version });
  });

  test('a header split short of its end asks for more bytes', () => {
    const h = encodeNpyHeader('float32', [7]);
    expect(parseNpyHeader(h.subarray(0, 5))).toEqual({ needBytes: 10 });
    expect(parseNpyHeader(h.subarray(0, 40))).toEqual({ needBytes: h.length });
  });

  test('other spellings numpy accepts: double quotes, no trailing comma, Python 2 long ints, keys in any order', () => {
    const buf = npyWith('{"shape": (2L, 3L), "fortran_order": False, "descr": "<f4"}', 24);
    expect(decodeNpy(buf).shape).toEqual([2, 3]);
  });

  test.each([
    ['=f4', 'float32'],
    ['|f4', 'float32'],
    ['f4', 'float32'],
    ['=f8', 'float64'],
    ['|f8', 'float64'],
    ['f8', 'float64'],
  ])("native byte order '%s' (as numpy reads it: little-endian on this host) is %s", async (descr, dtype) => {
    const C = dtype === 'float32' ? Float32Array : Float64Array;
    const data = randomArray(C, 3);
    const buf = npyWith(`{'descr': '${descr}', 'fortran_order': False, 'shape': (3,), }`, 0);
    const whole = Buffer.concat([buf, Buffer.from(data.buffer)]);
    expect(decodeNpy(whole)).toMatchObject({ dtype, shape: [3] });
    expect(Array.from(decodeNpy(whole).data)).toEqual(Array.from(data));
    const file = path.join(dir, `native-${descr.replace('|', 'bar').replace('=', 'eq')}.npy`);
    fs.writeFileSync(file, whole);
    const r = await ArrayFileReader.open(file);
    expect(Array.from(await r.read(0, 3))).toEqual(Array.from(data));
    await r.close();
  });
});

describe(`npy round trip in memory ${seedNote()}`, () => {
  const cases: [string, number[], Float32ArrayConstructor | Float64ArrayConstructor][] = [];
  for (const C of [Float32Array, Float64Array]) for (const shape of [[0], [1], [17], [3, 5], [1, 9], [4, 1], [0, 3]]) cases.push([C.name, shape, C]);
  test.each(cases)('%s shape %j, every header version', (_name, shape, C) => {
    const data = randomArray(
      C,
      shape.reduce((p, d) => p * d, 1),
    );
    for (const version of ['1.0', '2.0', '3.0'] as const) {
      const back = decodeNpy(encodeNpy(data, shape, version));
      expect(back.shape).toEqual(shape);
      expect(back.version).toBe(version);
      expect(tag(back.data)).toBe(tag(data));
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });
});

describe('decodeNpy takes bytes in any form a caller has them', () => {
  test('a Buffer, a Uint8Array (also a view at an offset) and an ArrayBuffer decode alike', () => {
    const data = randomArray(Float64Array, 5);
    const buf = encodeNpy(data, [5]);
    const padded = new Uint8Array(buf.length + 3);
    padded.set(buf, 3);
    for (const input of [buf, new Uint8Array(buf), padded.subarray(3), buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)]) {
      const back = decodeNpy(input);
      expect([back.dtype, back.shape]).toEqual(['float64', [5]]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  test('anything else is ERR_LINREC_INVALID_TYPE naming what it received; a detached buffer ERR_LINREC_DETACHED', () => {
    const call = (v: unknown) => () => decodeNpy(v as Buffer);
    expectLinrecError(call('x.npy'), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /decodeNpy: buffer but received string "x\.npy"/);
    expectLinrecError(call(new Float32Array(4)), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /Float32Array\(4\)/);
    expectLinrecError(call(null), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /received null/);
    expectLinrecError(call([0x93, 0x4e]), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /Array\(2\)/);
    const gone = new Uint8Array(encodeNpy(new Float32Array(2)));
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expectLinrecError(call(gone), 'ERR_LINREC_DETACHED', 'TypeError');
    expectLinrecError(call(gone.buffer), 'ERR_LINREC_DETACHED', 'TypeError');
  });
});

describe('encodeNpy and ArrayFileWriter.create check their arguments (ERR_LINREC_*)', () => {
  test('encodeNpy: data that is not a float array, shapes that are not 1 or 2 integers >= 0, a shape of another size, an unknown version', () => {
    expectLinrecError(() => encodeNpy([1, 2] as unknown as Float32Array), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /encodeNpy: data/);
    expectLinrecError(() => encodeNpy(new Float32Array(3), [-1, -3]), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /shape\[0\]/);
    expectLinrecError(() => encodeNpy(new Float32Array(3), [1.5, 2]), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /shape\[0\]/);
    expectLinrecError(() => encodeNpy(new Float32Array(3), [3, 1, 1]), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /1 or 2 dimensions/);
    expectLinrecError(() => encodeNpy(new Float32Array(3), [2, 2]), 'ERR_LINREC_LENGTH_MISMATCH', 'RangeError', /does not hold 3 elements/);
    expectLinrecError(() => encodeNpy(new Float32Array(3), [3], '4.0' as '1.0'), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /version/);
    // What it writes, it reads back.
    expect(decodeNpy(encodeNpy(new Float64Array(6), [2, 3])).shape).toEqual([2, 3]);
    expect(decodeNpy(encodeNpy(new Float32Array(0), [0, 4])).shape).toEqual([0, 4]);
  });

  test('ArrayFileWriter.create: a missing or unknown dtype, a bad shape, an unknown format or option', async () => {
    const file = path.join(dir, 'create-args.npy');
    const refused = (options: unknown, code: string, message: RegExp) =>
      expect(ArrayFileWriter.create(file, options as { dtype: 'float32'; shape: number[] })).rejects.toMatchObject({
        code,
        message: expect.stringMatching(message),
      });
    await refused({ shape: [3] }, 'ERR_LINREC_INVALID_TYPE', /dtype is required/);
    await refused({ dtype: 'int8', shape: [3] }, 'ERR_LINREC_INVALID_VALUE', /dtype/);
    await refused({ dtype: 'float32', shape: [-3] }, 'ERR_LINREC_INVALID_VALUE', /shape\[0\]/);
    await refused({ dtype: 'float32', shape: 3 }, 'ERR_LINREC_INVALID_TYPE', /shape/);
    await refused({ dtype: 'float32', shape: [3], format: 'csv' }, 'ERR_LINREC_INVALID_VALUE', /format/);
    await refused({ dtype: 'float32', shape: [3], dtpye: 'float64' }, 'ERR_LINREC_UNKNOWN_OPTION', /dtpye/);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('create-args'))).toEqual([]); // no partial file left
  });

  test('ArrayFileReader.open checks its options as ArrayFileWriter.create does, and both check the file argument', async () => {
    const file = path.join(dir, 'open-args.f32');
    fs.writeFileSync(file, Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
    const refused = (p: Promise<unknown>, code: string, name: string, message: RegExp) =>
      expect(p).rejects.toMatchObject({ code, name, message: expect.stringMatching(message) });
    const open = (f: unknown, o?: unknown) => ArrayFileReader.open(f as string, o as { dtype: 'float32' });
    // A dtype typo read as raw floats of length NaN, whose reads gave zeros; 'npz' was taken for raw.
    await refused(
      open(file, { dtype: 'float16' }),
      'ERR_LINREC_INVALID_VALUE',
      'RangeError',
      /one of 'float32', 'float64' for ArrayFileReader\.open options: dtype.*"float16"/,
    );
    await refused(open(file, { dtype: 'Float32' }), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /dtype.*"Float32"/);
    await refused(open(file, { dtype: 32 }), 'ERR_LINREC_INVALID_VALUE', 'TypeError', /dtype.*number 32/);
    await refused(open(file, { format: 'npz' }), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /one of 'npy', 'raw' for ArrayFileReader\.open options: format/);
    await refused(open(file, { dtpye: 'float32' }), 'ERR_LINREC_UNKNOWN_OPTION', 'TypeError', /dtpye/);
    await refused(open(file, null), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /options object/);
    // Node's own ERR_INVALID_ARG_TYPE before.
    await refused(open(123), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /file path \(a string\) for ArrayFileReader\.open: file but received number 123/);
    await refused(open(''), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /ArrayFileReader\.open: file/);
    await refused(open(`${file}\0x`), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /NUL/);
    const create = (f: unknown) => ArrayFileWriter.create(f as string, { dtype: 'float32', shape: [1] });
    await refused(create(null), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /ArrayFileWriter\.create: file but received null/);
    await refused(create(Buffer.from('x.npy')), 'ERR_LINREC_INVALID_TYPE', 'TypeError', /ArrayFileWriter\.create: file/);
    // And the valid spellings still open.
    const r = await open(file, { dtype: 'float32', format: 'raw' });
    expect(Array.from(await r.read(0, 4))).toEqual([1, 2, 3, 4]);
    await r.close();
  });
});

describe('bad .npy files are ERR_LINREC_FORMAT with a one-line message', () => {
  const ok = (shape: string, descr = '<f4') => `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const cases: [string, Buffer, RegExp][] = [
    ['bad magic', Buffer.concat([Buffer.from('NOTNPY'), Buffer.alloc(100)]), /bad magic/],
    ['a text file', Buffer.from('1,2,3\n4,5,6\n'), /bad magic/],
    ['an empty file', Buffer.alloc(0), /truncated|bad magic/],
    ['Fortran order', npyWith("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24), /Fortran/],
    ['int32', npyWith(ok('(3,)', '<i4'), 12), /unsupported dtype '<i4'/],
    ['float16', npyWith(ok('(3,)', '<f2'), 6), /unsupported dtype '<f2'/],
    ['uint8', npyWith(ok('(3,)', '|u1'), 3), /unsupported dtype '\|u1'/],
    ['complex64', npyWith(ok('(3,)', '<c8'), 24), /unsupported dtype/],
    ['big-endian float32', npyWith(ok('(3,)', '>f4'), 12), /big-endian/],
    ['big-endian float64', npyWith(ok('(3,)', '>f8'), 24), /big-endian/],
    ['a structured dtype', npyWith("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }", 12), /structured/],
    ['3-D', npyWith(ok('(2, 2, 2)'), 32), /3-D/],
    ['0-D (a scalar)', npyWith(ok('()'), 4), /0-D/],
    ['truncated data', npyWith(ok('(2, 3)'), 20), /truncated: expected 24 bytes/],
    ['extra bytes after the data', npyWith(ok('(3,)'), 16), /4 unexpected bytes/],
    ['a truncated header', encodeNpyHeader('float32', [3]).subarray(0, 60), /truncated/],
    ['version 4.0', Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 4, 0]), Buffer.alloc(120)]), /version 4\.0/],
    ['a malformed header', npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,) ", 12), /malformed/],
    ['a missing key', npyWith("{'descr': '<f4', 'shape': (3,), }", 12), /fortran_order/],
    ['a negative dimension', npyWith(ok('(-3,)'), 12), /malformed/],
  ];

  test.each(cases)('%s (in memory)', (_name, buf, pattern) => {
    expectFormatError(() => decodeNpy(buf, 'bad.npy'), pattern);
  });

  test.each(cases)('%s (from a file)', async (name, buf, pattern) => {
    const file = path.join(dir, `bad-${name.replace(/\W+/g, '-')}.npy`);
    fs.writeFileSync(file, buf);
    const err = await ArrayFileReader.open(file).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'ERR_LINREC_FORMAT' });
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain(file);
    expect(err.message).not.toContain('\n');
  });

  test('a missing file is ERR_LINREC_IO naming the file', async () => {
    const file = path.join(dir, 'no-such.npy');
    await expect(ArrayFileReader.open(file)).rejects.toMatchObject({ code: 'ERR_LINREC_IO', message: `${file}: no such file` });
  });

  test('a directory is ERR_LINREC_IO naming it (not a bare EISDIR from the first read)', async () => {
    for (const name of ['a-dir.npy', 'a-dir.f32']) {
      const sub = path.join(dir, name);
      fs.mkdirSync(sub, { recursive: true });
      await expect(ArrayFileReader.open(sub)).rejects.toMatchObject({ code: 'ERR_LINREC_IO', message: `${sub}: is a directory` });
    }
  });
});

describe(`raw .f32/.f64 files ${seedNote()}`, () => {
  test('the extension gives the format and dtype', () => {
    expect(formatOf('x.npy')).toEqual({ format: 'npy' });
    expect(formatOf('x.F32')).toEqual({ format: 'raw', dtype: 'float32' });
    expect(formatOf('x.f64')).toEqual({ format: 'raw', dtype: 'float64' });
    expect(formatOf('x.bin')).toEqual({ format: 'raw' });
  });

  test('a raw file reads as a 1-D array of its dtype; other extensions need the dtype', async () => {
    const data = randomArray(Float64Array, 10);
    for (const name of ['r.f64', 'r.bin']) fs.writeFileSync(path.join(dir, name), Buffer.from(data.buffer));
    const r = await ArrayFileReader.open(path.join(dir, 'r.f64'));
    expect([r.format, r.dtype, r.shape]).toEqual(['raw', 'float64', [10]]);
    expect(Array.from(await r.read(3, 4))).toEqual(Array.from(data.subarray(3, 7)));
    await r.close();
    await expect(ArrayFileReader.open(path.join(dir, 'r.bin'))).rejects.toMatchObject({
      code: 'ERR_LINREC_FORMAT',
      message: expect.stringMatching(/\.f32 or \.f64/),
    });
    const bin = await ArrayFileReader.open(path.join(dir, 'r.bin'), { dtype: 'float32' });
    expect([bin.dtype, bin.length]).toEqual(['float32', 20]);
    await bin.close();
    await expect(ArrayFileReader.open(path.join(dir, 'r.f64'), { dtype: 'float32' })).rejects.toMatchObject({ code: 'ERR_LINREC_FORMAT' });
  });

  test('a .npy file under another name is refused, not read as raw floats (its header would become data)', async () => {
    const data = randomArray(Float32Array, 1000);
    const npy = encodeNpy(data);
    const cases: [string, { dtype?: 'float32'; format?: 'raw' }][] = [
      ['npy-named.bin', { dtype: 'float32' }],
      ['npy-named.f32', {}],
      ['npy-named.f64', {}],
      ['npy-named.npy.tmp', { dtype: 'float32', format: 'raw' }],
    ];
    for (const [name, options] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, npy);
      const err = await openError(file, options);
      expect(err).toMatchObject({ code: 'ERR_LINREC_FORMAT' });
      expect(err.message).toContain(`${file}: is a .npy file`);
      expect(err.message).toMatch(/rename it to end in \.npy/);
    }
    // Asked for as .npy, it reads as one.
    const r = await ArrayFileReader.open(path.join(dir, 'npy-named.bin'), { format: 'npy' });
    expect([r.format, r.shape]).toEqual(['npy', [1000]]);
    expect(Array.from(await r.read(0, 3))).toEqual(Array.from(data.subarray(0, 3)));
    await r.close();
  });

  test('an .npz archive is refused as not supported, whatever its name or dtype', async () => {
    // np.savez writes a zip archive: it starts with PK\x03\x04.
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(516)]);
    for (const [name, options] of [
      ['ab.npz', {}],
      ['ab.npz', { dtype: 'float32' }],
      ['zip.f32', {}],
      ['zip-named.npy', {}],
    ] as [string, { dtype?: 'float32' }][]) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, zip);
      const err = await openError(file, options);
      expect(err).toMatchObject({ code: 'ERR_LINREC_FORMAT' });
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/zip archive.*\.npz archives are not supported: extract the array with numpy/);
      expect(err.message).not.toContain('\n');
    }
    expectFormatError(() => decodeNpy(zip, 'ab.npz'), /\.npz archives are not supported/);
  });

  test('a raw file that is not a whole number of elements is truncated', async () => {
    const file = path.join(dir, 'odd.f32');
    fs.writeFileSync(file, Buffer.alloc(4 * 5 + 3));
    await expect(ArrayFileReader.open(file)).rejects.toMatchObject({
      code: 'ERR_LINREC_FORMAT',
      message: expect.stringMatching(/truncated: .*3 trailing bytes/),
    });
  });
});

describe(`lazy block reads ${seedNote()}`, () => {
  test.each([Float32Array, Float64Array])('%p: row blocks and column ranges of a 2-D .npy equal the slices', async (C) => {
    const rows = 1 + Math.floor(rand() * 6);
    const cols = 1 + Math.floor(rand() * 40);
    const data = randomArray(C, rows * cols);
    const file = path.join(dir, `blocks-${C.name}.npy`);
    fs.writeFileSync(file, encodeNpy(data, [rows, cols], '2.0'));
    const r = await ArrayFileReader.open(file);
    expect(r.shape).toEqual([rows, cols]);
    for (let k = 0; k < 20; k++) {
      const r0 = Math.floor(rand() * rows);
      const r1 = r0 + 1 + Math.floor(rand() * (rows - r0));
      const c0 = Math.floor(rand() * cols);
      const c1 = c0 + Math.floor(rand() * (cols - c0 + 1));
      const block = await r.readBlock(r0, r1, c0, c1);
      const want: number[] = [];
      for (let i = r0; i < r1; i++) want.push(...data.subarray(i * cols + c0, i * cols + c1));
      expect(tag(block)).toBe(tag(data));
      expect(Array.from(block)).toEqual(want);
    }
    // A 1-D file viewed as rows of any width.
    const flat = await r.readBlock(1, rows, 0, 1, cols);
    expect(flat.length).toBe(rows - 1);
    await r.close();
  });

  test('a file that shrinks after opening gives a truncated error, not garbage', async () => {
    const file = path.join(dir, 'shrinks.f32');
    fs.writeFileSync(file, Buffer.alloc(4000));
    const r = await ArrayFileReader.open(file);
    fs.truncateSync(file, 400);
    await expect(r.read(0, 1000)).rejects.toMatchObject({ code: 'ERR_LINREC_FORMAT', message: expect.stringMatching(/truncated/) });
    await r.close();
  });
});

describe('element ranges are checked before any byte moves', () => {
  const refused = (p: Promise<unknown>, code: string, name: string, message?: RegExp) =>
    expect(p).rejects.toMatchObject({ code, name, ...(message ? { message: expect.stringMatching(message) } : {}) });

  test('reads: a start or length that is not an index, a range past the end, columns past the width, a reversed range', async () => {
    const file = path.join(dir, 'ranges.npy');
    fs.writeFileSync(file, encodeNpy(randomArray(Float64Array, 3 * 1000), [3, 1000]));
    const r = await ArrayFileReader.open(file);
    await refused(r.read(-1, 2), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /read's start/);
    await refused(r.read(0.5, 2), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /read's start/);
    await refused(r.read(0, -2), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /read's length/);
    await refused(r.read('0' as unknown as number, 2), 'ERR_LINREC_INVALID_TYPE', 'TypeError');
    await refused(r.read(2999, 5), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /elements \[2999, 3004\) lie beyond the 3000 elements/);
    await refused(r.readBlock(0, 1, 998, 1002), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /beyond the row width cols = 1000/);
    await refused(r.readBlock(2, 4, 0, 2), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /rows \[2, 4\) of 1000 lie beyond/);
    await refused(r.readBlock(0, 1, 5, 2), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /not a range/);
    await refused(r.read(0, 4, new Float32Array(4)), 'ERR_LINREC_DTYPE_MISMATCH', 'TypeError');
    await refused(r.read(0, 4, new Float64Array(3)), 'ERR_LINREC_LENGTH_MISMATCH', 'RangeError');
    // The edges themselves are fine: the last element, an empty range at the end.
    expect((await r.read(2999, 1)).length).toBe(1);
    expect((await r.readBlock(3, 3, 0, 0)).length).toBe(0);
    expect(Array.from(await r.readBlock(2, 3, 999, 1000))).toEqual(Array.from(await r.read(2999, 1)));
    // Viewed as rows of 7, the last row is partial: its first 4 columns exist, the 5th not.
    expect(Array.from(await r.readBlock(428, 429, 0, 4, 7))).toEqual(Array.from(await r.read(2996, 4)));
    await refused(r.readBlock(428, 429, 0, 5, 7), 'ERR_LINREC_INVALID_VALUE', 'RangeError');
    await r.close();
    await refused(r.read(0, 1), 'ERR_LINREC_DISPOSED', 'Error');
    await r.close(); // twice is fine
  });

  test('writes: data of another dtype, past the shape, a block of the wrong size, after commit', async () => {
    const file = path.join(dir, 'ranges-out.npy');
    const w = await ArrayFileWriter.create(file, { dtype: 'float32', shape: [2, 3] });
    await refused(w.write(0, new Float64Array([1.5, 2.5])), 'ERR_LINREC_DTYPE_MISMATCH', 'TypeError', /hold float32/);
    await refused(w.write(0, [1, 2] as unknown as Float32Array), 'ERR_LINREC_INVALID_TYPE', 'TypeError');
    await refused(w.write(4, new Float32Array([1, 2, 3])), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /elements \[4, 7\) lie beyond the 6 elements/);
    await refused(w.write(-1, new Float32Array(1)), 'ERR_LINREC_INVALID_VALUE', 'RangeError');
    const detached = new Float32Array(2);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    await refused(w.write(0, detached), 'ERR_LINREC_DETACHED', 'TypeError', /write's data/);
    await refused(w.writeBlock(0, 2, 1, 3, new Float32Array(3)), 'ERR_LINREC_LENGTH_MISMATCH', 'RangeError', /4 elements, but it has 3/);
    await refused(w.writeBlock(0, 2, 2, 4, new Float32Array(4)), 'ERR_LINREC_INVALID_VALUE', 'RangeError', /row width/);
    await w.write(0, new Float32Array([1, 2, 3, 4, 5, 6]));
    await w.commit();
    await refused(w.write(0, new Float32Array(1)), 'ERR_LINREC_DISPOSED', 'Error');
    const back = decodeNpy(fs.readFileSync(file));
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fs.statSync(file).size).toBe(encodeNpyHeader('float32', [2, 3]).length + 6 * 4); // nothing past the shape
  });
});

describe(`atomic writes ${seedNote()}`, () => {
  test('blocks written in any order make the whole file, which appears only on commit', async () => {
    const rows = 3;
    const cols = 11;
    const data = randomArray(Float32Array, rows * cols);
    const file = path.join(dir, 'out.npy');
    const w = await ArrayFileWriter.create(file, { dtype: 'float32', shape: [rows, cols] });
    expect(w.tempFile).toBe(`${file}.partial-${process.pid}`);
    // Column ranges from the end, as a reverse run writes them.
    for (let c1 = cols; c1 > 0; c1 -= 4) {
      const c0 = Math.max(0, c1 - 4);
      const block = new Float32Array(rows * (c1 - c0));
      for (let i = 0; i < rows; i++) block.set(data.subarray(i * cols + c0, i * cols + c1), i * (c1 - c0));
      await w.writeBlock(0, rows, c0, c1, block);
      expect(fs.existsSync(file)).toBe(false);
    }
    await w.commit();
    expect(fs.existsSync(w.tempFile)).toBe(false);
    const back = decodeNpy(fs.readFileSync(file));
    expect(back.shape).toEqual([rows, cols]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  test('abort removes the temp file and never creates the output', async () => {
    const file = path.join(dir, 'aborted.f64');
    const w = await ArrayFileWriter.create(file, { dtype: 'float64', shape: [100] });
    await w.write(0, new Float64Array(50));
    expect(fs.existsSync(w.tempFile)).toBe(true);
    await w.abort();
    await w.abort();
    expect(fs.existsSync(w.tempFile)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a raw output holds just the data', async () => {
    const file = path.join(dir, 'raw.f64');
    const data = randomArray(Float64Array, 9);
    const w = await ArrayFileWriter.create(file, { dtype: 'float64', shape: [9] });
    await w.write(0, data);
    await w.commit();
    expect(Array.from(new Float64Array(new Uint8Array(fs.readFileSync(file)).buffer))).toEqual(Array.from(data));
  });

  test('an output in a missing directory is ERR_LINREC_IO', async () => {
    await expect(ArrayFileWriter.create(path.join(dir, 'nope', 'x.npy'), { dtype: 'float32', shape: [1] })).rejects.toMatchObject({ code: 'ERR_LINREC_IO' });
  });
});
