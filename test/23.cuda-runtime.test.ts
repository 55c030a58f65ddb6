// The CUDA engine's use of the runtime: copies and kernels ordered on one stream, recovery from
// faults while other calls are in flight, bounded look-back waits. These need asynchronous
// streams to mean anything: on a GPU, or on the CPU emulation (npm run test:emulated), whose
// streams run on worker threads with random delays. Skipped, visibly, without CUDA.
import { backends, DeviceArray, scan, toDevice } from '../src';
import { fresh, mixedError, reference, seedNote } from './helpers';

const cuda = backends().cuda;
const why = cuda.compiled ? (cuda.reason ?? 'no CUDA device') : 'this build has no CUDA backend';
const gpuDescribe = cuda.available ? describe : describe.skip;
if (!cuda.available) console.warn(`test/23.cuda-runtime.test.ts: SKIPPED, no usable GPU (${why})`);
const emulated = cuda.devices.some((d) => /emulation/i.test(d.name));


function randomProblem(n: number) {
  const r = fresh();
  const coeffs = new Float32Array(n).map(() => (r.uniform() * 2 - 1) * 0.95);
  const values = new Float32Array(n + 1).map(() => r.uniform() * 2 - 1);
  return { coeffs, values };
}

gpuDescribe(`CUDA runtime use ${cuda.available ? seedNote() : ''}`, () => {
  // Item 1 of issue 11: an upload on the legacy stream raced the scan on the engine's stream.
  test('uploads and downloads are ordered with the scan: 200 fresh uploads, each scanned at once, are all right', () => {
    const n = 5_000; // two float32 tiles: the look-back runs too
    let worst = 0;
    for (let k = 0; k < (emulated ? 200 : 500); k++) {
      const { coeffs, values } = randomProblem(n);
      const a = toDevice(coeffs);
      const b = toDevice(values);
      const out = scan(a, b, { device: 'cuda' }) as DeviceArray;
      const got = out.toHost() as Float32Array;
      [a, b, out].forEach((d) => d.dispose());
      worst = Math.max(worst, mixedError(got, reference(coeffs, values)));
    }
    expect(worst).toBeLessThan(1e-4);
  }, 600_000);

  test('an upload of a host array that changes right after toDevice returns keeps the array as it was', () => {
    const { coeffs, values } = randomProblem(3_000);
    const ref = reference(coeffs, values);
    for (let k = 0; k < 20; k++) {
      const v = values.slice();
      const b = toDevice(v);
      v.fill(NaN);
      const a = toDevice(coeffs);
      const out = scan(a, b, { device: 'cuda' }) as DeviceArray;
      const got = out.toHost() as Float32Array;
      [a, b, out].forEach((d) => d.dispose());
      expect(mixedError(got, ref)).toBeLessThan(1e-4);
    }
  });
});

if (!cuda.available) {
  describe(`CUDA runtime tests skipped: ${why}`, () => {
    test.skip('needs a usable CUDA device (or the emulation)', () => {});
  });
}
