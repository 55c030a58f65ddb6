// The README's JavaScript examples, run as written: each ```js block is taken from README.md
// itself, given data at realistic sizes (2·10^5 steps, where spreading an array into a call
// overflows the stack) for the names it leaves free, and its result checked against a plain loop.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as linrec from '../src';
import { fill, fresh, mixedError, reference, seedNote } from './helpers';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

// The headings and captions the examples follow, in README order.
const TITLES = [
  '## Usage',
  '**Exponential moving average**',
  '**An investment',
  '**Discounted returns**',
  '**Gates of a linear RNN',
  '**One state per key**',
  '### npy files',
];

/** The ```js blocks of the README, each with the caption (of TITLES) nearest before it. */
function jsBlocks(): { title: string | undefined; code: string }[] {
  const blocks: { title: string | undefined; code: string }[] = [];
  const fence = /```js\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(README))) {
    const at = m.index;
    let title: string | undefined;
    let best = -1;
    for (const t of TITLES) {
      const pos = README.lastIndexOf(t, at);
      if (pos > best) [best, title] = [pos, t];
    }
    blocks.push({ title, code: m[1] });
  }
  return blocks;
}

/**
 * Runs a block as a function body: `require('linrec')` gives this checkout's API, `given` the free
 * names' values, and the block's own declarations (`wanted`) come back. Top-level `await` works.
 */
async function runBlock(code: string, given: Record<string, unknown>, wanted: string[]): Promise<Record<string, unknown>> {
  const requireLinrec = (name: string) => {
    if (name === 'linrec') return linrec;
    return require(name);
  };
  // An ES module block (the npy example) imports: the same names, taken with require.
  code = code
    .replace(/^import \{([^}]*)\} from '([^']+)';$/gm, "const {$1} = require('$2');")
    .replace(/^import \* as (\w+) from '([^']+)';$/gm, "const $1 = require('$2');");
  const names = ['require', 'scan', ...Object.keys(given)];
  // The block runs in an inner scope so that its own `const { scan } = require('linrec')` may
  // shadow the `scan` that earlier blocks declared (as a reader runs them one after another).
  const body = `{\n${code}\nreturn { ${wanted.join(', ')} };\n}`;
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<Record<string, unknown>>;
  return new AsyncFunction(...names, body)(requireLinrec, linrec.scan, ...Object.values(given));
}

const blocks = jsBlocks();
const blockAfter = (title: string) => {
  const found = blocks.filter((b) => b.title === title);
  if (found.length !== 1) throw new Error(`README: expected one js block after "${title}", found ${found.length}`);
  return found[0].code;
};
const N = 200_000;

describe(`README examples, run as written ${seedNote()}`, () => {
  test('every js block of the README is one of the blocks checked below, one per caption', () => {
    expect(blocks.map((b) => b.title)).toEqual(TITLES);
  });

  test('the first example gives the result its comment shows', async () => {
    const { x } = await runBlock(blockAfter('## Usage'), {}, ['x']);
    expect(Array.from(x as Float64Array)).toEqual([1, 1.5, 1.75, 4.5]);
  });

  test('exponential moving average of 2·10^5 prices', async () => {
    const r = fresh();
    const prices = fill(new Float64Array(N), () => 100 + r.normal());
    const { ema } = await runBlock(blockAfter('**Exponential moving average**'), { loadPrices: () => Array.from(prices) }, ['ema']);
    const want = new Float64Array(N);
    want[0] = prices[0];
    for (let t = 1; t < N; t++) want[t] = 0.9 * want[t - 1] + 0.1 * prices[t];
    expect(mixedError(ema as Float64Array, want)).toBeLessThan(1e-13);
  });

  test('an investment over 2·10^5 months, deposits given as a plain array (no stack overflow)', async () => {
    const r = fresh();
    const monthlyReturns = Array.from({ length: N }, () => 0.01 * r.normal());
    const monthlyDeposits = Array.from({ length: N }, () => 100 * r.uniform());
    const { balances } = await runBlock(blockAfter('**An investment'), { monthlyReturns, monthlyDeposits, initialBalance: 1000 }, ['balances']);
    const want = reference(
      monthlyReturns.map((x) => 1 + x),
      [1000].concat(monthlyDeposits),
    );
    expect((balances as Float64Array).length).toBe(N + 1);
    expect(mixedError(balances as Float64Array, want)).toBeLessThan(1e-12);
  });

  test('discounted returns of 8 environments × 25,000 steps with episode ends', async () => {
    const r = fresh();
    const envs = 8,
      T = 25_000,
      gamma = 0.99;
    const rewards = fill(new Float32Array(envs * T), r.uniform);
    const dones = Uint8Array.from({ length: envs * T }, () => (r.uniform() < 0.002 ? 1 : 0));
    const bootstrap = fill(new Float32Array(envs), () => 10 * r.uniform());
    const { returns } = await runBlock(blockAfter('**Discounted returns**'), { envs, T, rewards, dones, bootstrap }, ['returns']);
    const out = returns as Float32Array;
    expect(out.length).toBe(envs * (T + 1));
    let worst = 0;
    for (let e = 0; e < envs; e++) {
      let g = bootstrap[e];
      expect(out[e * (T + 1) + T]).toBe(g);
      for (let t = T - 1; t >= 0; t--) {
        g = rewards[e * T + t] + (dones[e * T + t] ? 0 : gamma) * g;
        worst = Math.max(worst, Math.abs(out[e * (T + 1) + t] - g) / (Math.abs(g) + 1));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  test('log-sigmoid gates of 2·10^5 steps, z down to -1000: finite logs, x as the loop computes it', async () => {
    const r = fresh();
    const z = fill(new Float32Array(N), () => 3 * r.normal());
    z[1000] = -750; // -Math.log1p(Math.exp(750)) would be -Infinity: a silent reset
    z[5000] = -1000;
    z[9000] = 800;
    const logInputs = fill(new Float32Array(N + 1), r.normal);
    const { logGates, out } = await runBlock(blockAfter('**Gates of a linear RNN'), { z, logInputs }, ['logGates', 'out']);
    const gates = logGates as Float32Array;
    expect(gates.every(Number.isFinite)).toBe(true);
    expect(gates[1000]).toBeCloseTo(-750, 3);
    const res = out as linrec.SignedLogArray<Float32Array>;
    // The loop in float64 on log σ(z) computed the same way in float64.
    let x = Math.exp(logInputs[0]);
    let worst = 0;
    for (let t = 1; t <= N; t++) {
      const v = z[t - 1];
      x = Math.exp(Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)))) * x + Math.exp(logInputs[t]);
      worst = Math.max(worst, Math.abs(res.logAbs[t] - Math.log(x)));
      if (res.sign[t] !== 1) throw new Error(`sign[${t}] = ${res.sign[t]}`);
    }
    expect(worst).toBeLessThan(1e-4);
  });

  test('one state per key: 10^5 keys, three ticks in place, as the float32 loop per key', async () => {
    const r = fresh();
    const keys = 100_000;
    const { tick, scores } = await runBlock(blockAfter('**One state per key**'), { keys }, ['tick', 'scores']);
    const want = new Float32Array(keys);
    for (let t = 0; t < 3; t++) {
      const inputs = fill(new Float32Array(keys), r.normal);
      const scale = Float64Array.from(inputs, (v, k) => Math.abs(0.99 * want[k]) + Math.abs(v));
      for (let k = 0; k < keys; k++) want[k] = Math.fround(Math.fround(Math.fround(0.99) * want[k]) + inputs[k]);
      const got = (tick as (x: Float32Array) => Float32Array)(inputs);
      expect(got).toBe(inputs);
      // The engine may fuse the multiply-add: within an ulp of the separate loop's terms.
      for (let k = 0; k < keys; k++) if (Math.abs(got[k] - want[k]) > 2 ** -22 * scale[k]) throw new Error(`key ${k}: ${got[k]} vs ${want[k]}`);
      want.set(got);
    }
    expect(Array.from((scores as { state: Float32Array }).state)).toEqual(Array.from(want));
  });

  test('npy files: the block writes and reads back a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-readme-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const { x, back } = await runBlock(blockAfter('### npy files'), {}, ['x', 'back']);
      expect(Array.from(back as Float32Array)).toEqual(Array.from(x as Float32Array));
      expect(fs.existsSync(path.join(dir, 'x.npy'))).toBe(true);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('README, Guarantees: the log method after an overflow', () => {
  test("a zero coefficient after x overflowed: the loop and 'direct' give NaN, 'log' the exact reset, as documented", () => {
    expect(README.replace(/\s+/g, ' ')).toContain("and `'log'` gives Infinity, Infinity, 1, 1.5");
    const a = Float32Array.of(1e30, 1e30, 0, 0.5);
    const b = Float32Array.of(1e30, 1, 1, 1, 1);
    const loop = Array.from(linrec.sequential(a, b)).slice(1);
    expect(loop).toEqual([Infinity, Infinity, NaN, NaN]);
    expect(Array.from(linrec.scan(a, b)).slice(1)).toEqual(loop);
    expect(Array.from(linrec.scan(a, b, { method: 'log' })).slice(1)).toEqual([Infinity, Infinity, 1, 1.5]);
  });
});
