// The property tests of test/51 (random shapes, resets, NaN/Infinity placement, subnormals,
// huge and tiny magnitudes, determinism) on the CUDA backend, against the same float64 loop
// and the same bounds. Skipped, visibly, where no usable GPU (or its CPU emulation) is present.
import { backends } from '../src';

const cuda = backends().cuda;
// The CPU emulation of the device runs about a million steps a second, and a busy CI machine
// halves that: time is not what these tests check.
jest.setTimeout(600_000);
if (cuda.available) {
  describe(`on CUDA (${cuda.devices[0].name})`, () => {
    process.env.LINREC_PROPERTY_DEVICE = 'cuda';
    require('./51.properties.test');
  });
} else {
  describe('GPU property tests skipped', () => {
    test.skip(`needs a usable CUDA device (${cuda.reason ?? 'no CUDA device'})`, () => {});
  });
}
