// The typings, checked by the compiler (ts-jest type-checks this file): results follow the
// inputs' types. The function below is never called; a wrong type fails the suite's compile.
import { createScanner, logScan, scan, toDevice, type DeviceArray } from '../src';

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
  return [f32, f64, onDevice, hostSigns, deviceSigns, pushed, pushed32, pushedLogs, onSecond, where];
}

test('the typings compile (checked by ts-jest)', () => {
  expect(typeof typings).toBe('function');
});
