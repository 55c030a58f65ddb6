// The typings, checked by the compiler (ts-jest type-checks this file): results follow the
// inputs' types. The function below is never called; a wrong type fails the suite's compile.
import { createScanStream, createScanner, logScan, scan, scanIterable, sequential, toDevice, type DeviceArray, type SignedLogArray } from '../src';

function typings() {
  const f32: Float32Array = scan(new Float32Array(1), new Float32Array(2));
  const f64: Float64Array = scan(new Float64Array(1), new Float64Array(2), { method: 'log' });
  const onDevice: DeviceArray<'float32'> = scan(toDevice(new Float32Array(1)), toDevice(new Float32Array(2)));
  const logs = logScan(new Float32Array(1), new Float32Array(2));
  const hostSigns: Int8Array = logs.sign;
  const deviceSigns: DeviceArray<'int8'> = logScan(toDevice(new Float32Array(1)), toDevice(new Float32Array(2))).sign;
  // @ts-expect-error int8 DeviceArrays hold signs, not data
  scan(toDevice(new Int8Array(1)), toDevice(new Int8Array(2)));
  // @ts-expect-error both arguments have one type
  scan(new Float32Array(1), new Float64Array(2));
  // An out on a SharedArrayBuffer fits inputs on ArrayBuffers (TypeScript 5.7+ types the buffer), as at run time.
  scan(new Float32Array(1), new Float32Array(2), { out: new Float32Array(new SharedArrayBuffer(8)) });
  logScan(new Float64Array(1), new Float64Array(2), { out: { logAbs: new Float64Array(new SharedArrayBuffer(16)), sign: new Int8Array(2) } });
  sequential(new Float32Array(1), new Float32Array(2), { out: new Float32Array(new SharedArrayBuffer(8)) });
  // @ts-expect-error but of the inputs' element type
  scan(new Float32Array(1), new Float32Array(2), { out: new Float64Array(new SharedArrayBuffer(16)) });
  // A generic wrapper passes its own array type as out (it did not compile with OnAnyBuffer<F> alone).
  function wrapped<T extends Float32Array | Float64Array>(a: T, b: T, out: T): T {
    sequential(a, b, { out });
    return scan(a, b, { out });
  }
  void wrapped;
  const pushed: Float64Array = createScanner({ dtype: 'float64' }).push(new Float64Array(1), new Float64Array(1));
  const pushed32: Float32Array = createScanner().push(new Float32Array(1), new Float32Array(1));
  const pushedLogs: Int8Array = createScanner({ log: true }).push(new Float32Array(1), new Float32Array(1)).sign;
  const onSecond: DeviceArray<'float64'> = toDevice(new Float64Array(1), { device: 'cuda:1' });
  const where: `cuda:${number}` = onSecond.device;
  scan(new Float32Array(1), new Float32Array(2), { device: 'cuda:3' });
  // @ts-expect-error DeviceArrays live on a CUDA device, not on the CPU
  toDevice(new Float32Array(1), { device: 'cpu' });
  // @ts-expect-error device names are 'auto', 'cpu', 'cuda' or 'cuda:N'
  scan(new Float32Array(1), new Float32Array(2), { device: 'gpu' });
  // @ts-expect-error a float64 Scanner takes Float64Arrays
  createScanner({ dtype: 'float64' }).push(new Float32Array(1), new Float32Array(1));
  // @ts-expect-error a float32 Scanner takes Float32Arrays
  createScanner().pushAsync(new Float64Array(1), new Float64Array(1));
  // @ts-expect-error one element type per call
  createScanner().push(new Float32Array(1), new Float64Array(1));
  // @ts-expect-error one element type per call, in log form too
  createScanner({ log: true, dtype: 'float64' }).push(new Float64Array(1), { logAbs: new Float32Array(1), sign: new Int8Array(1) });
  const chunks64 = [{ coeffs: new Float64Array(1), values: new Float64Array(1) }];
  async function streams() {
    for await (const x of scanIterable(chunks64, { dtype: 'float64' })) {
      const exact: Float64Array = x;
      void exact;
    }
    for await (const x of scanIterable(chunks64, { dtype: 'float64', log: true, highWaterMark: 2 })) {
      const exact: SignedLogArray<Float64Array> = x;
      void exact;
    }
    for await (const x of scanIterable([{ coeffs: new Float32Array(1), values: new Float32Array(1) }])) {
      const exact: Float32Array = x;
      void exact;
    }
    // @ts-expect-error a float64 iterable takes Float64Array chunks
    scanIterable([{ coeffs: new Float32Array(1), values: new Float32Array(1) }], { dtype: 'float64' });
    const state64: Float64Array = createScanStream({ dtype: 'float64' }).scanner.state;
    const stateLog: SignedLogArray<Float64Array> = createScanStream({ dtype: 'float64', log: true }).scanner.state;
    const state32: Float32Array = createScanStream({ highWaterMark: 1 }).scanner.state;
    return [state64, stateLog, state32];
  }
  return [streams, f32, f64, onDevice, hostSigns, deviceSigns, pushed, pushed32, pushedLogs, onSecond, where];
}

test('the typings compile (checked by ts-jest)', () => {
  expect(typeof typings).toBe('function');
});
