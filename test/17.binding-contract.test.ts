// The one contract across the binding (src/addon.ts packs, native/binding/convert.cc decodes):
// every option of scan, logScan, aggregate and Scanner.push, as the binding received it.
// The binding's decodeScanCall reads a call exactly as scan does, and answers instead of running.
import { aggregate, createScanner, logScan, scan, scanAsync } from '../src';
import { quickCalls } from '../src/small-scan';
import {
  addon,
  AGGREGATE_ARRAYS,
  AGGREGATE_SLOTS,
  contractMismatches,
  METHOD_CODE,
  SCAN_ARRAYS,
  SCAN_SLOTS,
  type DecodedScanCall,
  type NativeContract,
  type NativeScanSpec,
} from '../src/addon';

/** Runs `call` with the addon's scan replaced by a decode; returns what the binding decoded. */
function decoded(call: () => unknown): DecodedScanCall[] {
  const native = addon();
  const { scan: realScan, scanAsync: realAsync } = native;
  const seen: DecodedScanCall[] = [];
  native.scan = (spec: NativeScanSpec) => void seen.push(native.decodeScanCall(spec));
  native.scanAsync = async (spec: NativeScanSpec) => void seen.push(native.decodeScanCall(spec));
  try {
    call();
  } finally {
    native.scan = realScan;
    native.scanAsync = realAsync;
  }
  return seen;
}

const at = (array: unknown, offset: number) => ({ array, offset });

// Small calls would run in JS (src/small-scan.ts, test/18) and never reach the binding.
beforeAll(() => {
  quickCalls.enabled = false;
});
afterAll(() => {
  quickCalls.enabled = true;
});

describe('the call contract', () => {
  test('the addon was built with the lists src/addon.ts packs by (checked at load, too)', () => {
    const mine: NativeContract = {
      scanSlots: [...SCAN_SLOTS],
      scanArrays: [...SCAN_ARRAYS],
      aggregateSlots: [...AGGREGATE_SLOTS],
      aggregateArrays: [...AGGREGATE_ARRAYS],
      methods: { ...METHOD_CODE },
    };
    expect(contractMismatches(mine)).toEqual([]);
    // A shifted slot or a renumbered method is named.
    const shifted = { ...mine, scanSlots: [...mine.scanSlots.slice(1), mine.scanSlots[0]] };
    expect(contractMismatches(shifted).join()).toMatch(/scan slots differ/);
    expect(contractMismatches({ ...mine, methods: { ...mine.methods, direct: 7 } }).join()).toMatch(/method codes differ/);
    expect(contractMismatches(undefined)).toHaveLength(1);
  });

  test('scan: shape, direction, method, threads, out, x_0 in place', () => {
    const a = new Float32Array(6);
    const b = new Float32Array(8);
    const out = new Float32Array(8);
    const [forward] = decoded(() => scan(a, b, { rows: 2, out, threads: 3 }));
    expect(forward).toMatchObject({
      method: METHOD_CODE.direct,
      dtype: 'float32',
      rows: 2,
      n: 3,
      reverse: false,
      threads: 3,
      device: -1,
      a: at(a, 0),
      b: at(b, 1),
      x: at(out, 1),
      x0: at(b, 0),
      x0Copy: at(out, 0),
      last: null,
      aSign: null,
      bSign: null,
      xSign: null,
      strides: { a: 3, b: 4, x: 4, x0: 4, x0Copy: 4 },
    });
    const [reverse] = decoded(() => scan(a, b, { rows: 2, out, reverse: true, method: 'log' }));
    expect(reverse).toMatchObject({ method: METHOD_CODE.logFromRaw, reverse: true, a: at(a, 0), b: at(b, 0), x: at(out, 0), x0: at(b, 3), x0Copy: at(out, 3) });
    const [fresh] = decoded(() => scan(new Float64Array(4), new Float64Array(5)));
    expect(fresh).toMatchObject({ dtype: 'float64', rows: 1, n: 4 });
    // No slot for a result linrec allocated: the binding does nothing different for one.
    expect(fresh).not.toHaveProperty('freshResult');
    expect(SCAN_SLOTS).not.toContain('freshResult');
    const [inPlace] = decoded(() => scan(a, b, { rows: 2, out: b }));
    expect(inPlace).toMatchObject({ x: at(b, 1), x0Copy: at(b, 0) });
  });

  test('scanAsync packs like scan', async () => {
    const a = new Float32Array(5);
    const b = new Float32Array(6);
    const seen = decoded(() => void scanAsync(a, b, { threads: 2 }));
    const [sync] = decoded(() => scan(a, b, { threads: 2 }));
    expect({ ...seen[0], x: undefined, x0Copy: undefined }).toEqual({ ...sync, x: undefined, x0Copy: undefined });
  });

  test('logScan: signs travel beside their logs', () => {
    const la = { logAbs: new Float32Array(4), sign: new Int8Array(4).fill(1) };
    const lb = { logAbs: new Float32Array(5), sign: new Int8Array(5).fill(-1) };
    const out = { logAbs: new Float32Array(5), sign: new Int8Array(5) };
    const [d] = decoded(() => logScan(la, lb, { out }));
    expect(d).toMatchObject({
      method: METHOD_CODE.logFromLog,
      n: 4,
      a: at(la.logAbs, 0),
      aSign: at(la.sign, 0),
      b: at(lb.logAbs, 1),
      bSign: at(lb.sign, 1),
      x: at(out.logAbs, 1),
      xSign: at(out.sign, 1),
      x0: at(lb.logAbs, 0),
      x0Sign: at(lb.sign, 0),
      x0Copy: at(out.logAbs, 0),
      x0CopySign: at(out.sign, 0),
    });
    const [plain] = decoded(() => logScan(la.logAbs, lb.logAbs));
    expect(plain).toMatchObject({ aSign: null, bSign: null, x0Sign: null });
    expect(plain.xSign).toMatchObject({ offset: 1 }); // fresh signs for the result
  });

  test('Scanner.push: x_0 and last are the carried state', () => {
    const scanner = createScanner({ rows: 2, reverse: true, threads: 1 });
    const [d] = decoded(() => scanner.push(new Float32Array(6), new Float32Array(6)));
    expect(d).toMatchObject({ rows: 2, n: 3, reverse: true, threads: 1, x0Copy: null, strides: { a: 3, b: 3, x: 3, x0: 1 } });
    const x0 = d.x0 as { array: unknown; offset: number };
    expect(d.last).toEqual(x0);
    expect(Object.prototype.toString.call(x0.array)).toBe('[object Float32Array]');
    expect((x0.array as Float32Array).length).toBe(2);
    const logScanner = createScanner({ log: true });
    const [l] = decoded(() => logScanner.push(new Float32Array(2), new Float32Array(2)));
    expect(l).toMatchObject({ method: METHOD_CODE.logFromLog });
    expect(l.lastSign).toEqual(l.x0Sign);
    expect(l.lastSign).not.toBeNull();
  });

  test('refuseAlias: the binding refuses overlaps on raw pointers, except exactly in place', () => {
    const op = (data: Float32Array, offset: number, stride: number) => ({ data, sign: undefined, offset, stride });
    const spec = (a: Float32Array, b: Float32Array, out: Float32Array, refuseAlias: boolean): NativeScanSpec => ({
      method: 0,
      rows: 1,
      n: a.length,
      reverse: false,
      threads: 1,
      device: -1,
      refuseAlias,
      a: op(a, 0, a.length),
      b: op(b, 1, a.length + 1),
      x: op(out, 1, a.length + 1),
      x0: op(b, 0, a.length + 1),
      x0Copy: op(out, 0, a.length + 1),
    });
    const buf = new Float32Array(8);
    const code = (f: () => unknown) => {
      try {
        f();
        return 'none';
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    const native = addon();
    const a = new Float32Array(3);
    expect(code(() => native.decodeScanCall(spec(a, buf.subarray(0, 4), buf.subarray(1, 5), true)))).toBe('ERR_LINREC_ALIAS');
    expect(code(() => native.decodeScanCall(spec(buf.subarray(4, 7), buf.subarray(0, 4), new Float32Array(4), false)))).toBe('none');
    expect(code(() => native.decodeScanCall(spec(buf.subarray(0, 3), new Float32Array(4), buf.subarray(2, 6), true)))).toBe('ERR_LINREC_ALIAS');
    expect(code(() => native.decodeScanCall(spec(a, buf.subarray(0, 4), buf.subarray(0, 4), true)))).toBe('none'); // in place
    expect(code(() => native.decodeScanCall(spec(a, buf.subarray(0, 4), buf.subarray(4, 8), true)))).toBe('none'); // adjacent
    // Through the public call, the error names the arguments.
    expect(() => scan(a, buf.subarray(0, 4), { out: buf.subarray(1, 5) })).toThrow(/options\.out shares memory with values/);
  });

  test('aggregate still reaches the engine through its own slots', () => {
    const { A, B } = aggregate(new Float32Array([2, 3, 0.5, 4]), new Float32Array([1, 1, 2, 2]), { rows: 2 });
    expect(Array.from(A)).toEqual([6, 2]);
    expect(Array.from(B)).toEqual([4, 10]);
  });
});
