// The README's examples, run as written (with made-up data) and checked against plain loops.
import { logScan, scan } from '../src';
import { fill, fresh } from './helpers';

describe('README examples', () => {
  test('exponential moving average', () => {
    const r = fresh();
    const alpha = 0.1;
    const prices = fill(new Float64Array(1000), () => 100 + r.normal());
    const coeffs = new Float64Array(prices.length - 1).fill(1 - alpha);
    const values = prices.map((p, t) => (t === 0 ? p : alpha * p));
    const ema = scan(coeffs, values);
    let e = prices[0];
    for (let t = 1; t < prices.length; t++) {
      e = (1 - alpha) * e + alpha * prices[t];
      expect(ema[t]).toBeCloseTo(e, 10);
    }
  });

  test('an investment with varying returns and deposits', () => {
    const monthlyReturns = [0.01, -0.02, 0.03];
    const monthlyDeposits = [100, 100, 50];
    const growth = Float64Array.from(monthlyReturns, (x) => 1 + x);
    const values = Float64Array.of(1000, ...monthlyDeposits);
    const balances = scan(growth, values);
    expect(Array.from(balances).map((b) => +b.toFixed(6))).toEqual([1000, 1110, 1187.8, 1273.434]);
  });

  test('discounted returns with reverse, many environments as rows, zero at episode ends', () => {
    const r = fresh();
    const T = 500;
    const envs = 4;
    const gamma = 0.99;
    const coeffs = new Float32Array(envs * T).fill(gamma);
    coeffs[123] = 0; // env 0's episode ends after step 123
    const values = fill(new Float32Array(envs * (T + 1)), r.uniform);
    const returns = scan(coeffs, values, { reverse: true, rows: envs });
    for (let e = 0; e < envs; e++) {
      let g = values[e * (T + 1) + T];
      for (let t = T - 1; t >= 0; t--) {
        g = values[e * (T + 1) + t] + coeffs[e * T + t] * g;
        expect(returns[e * (T + 1) + t]).toBeCloseTo(g, 3);
      }
    }
  });

  test('gates of a linear RNN from log-sigmoid outputs', () => {
    const r = fresh();
    const n = 2000;
    const z = fill(new Float32Array(n), r.normal);
    const logGates = z.map((v) => -Math.log1p(Math.exp(-v)));
    const logInputs = fill(new Float32Array(n + 1), r.normal);
    const out = logScan(logGates, logInputs);
    let x = Math.exp(logInputs[0]);
    for (let t = 1; t <= n; t++) {
      x = Math.exp(logGates[t - 1]) * x + Math.exp(logInputs[t]);
      expect(out.sign[t]).toBe(1);
      expect(out.logAbs[t]).toBeCloseTo(Math.log(x), 5);
    }
  });
});
