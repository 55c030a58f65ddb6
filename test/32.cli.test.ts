// The `linrec` command, run as a child process from dist/ (built by `npm run prepare`; these
// tests build nothing): results equal scan(), bad input exits 1 with one line and no output
// file, and memory stays bounded on a large file.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scan } from '../src/index';
import { decodeNpy, encodeNpy } from '../src/npy';
import { randomFor, seedNote } from './seed';
import { signedProblem } from './helpers';

type F = Float32Array | Float64Array;
type FC = Float32ArrayConstructor | Float64ArrayConstructor;

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const ROOT = path.join(__dirname, '..');

// Reproducible inputs from the run's seed (test/seed.ts), which the test names show.
const rand = randomFor('32.cli');
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const problem = (C: FC, rows: number, n: number) => signedProblem(C, rows, n, rand);

function expectClose(actual: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(actual[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= tol)) throw new Error(`relative error ${err} > ${tol} at ${i}: ${actual[i]} vs ${want[i]}`);
  }
}

function linrec(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const rawBytes = (x: F) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const readRaw = (C: FC, file: string) => new C(new Uint8Array(fs.readFileSync(file)).buffer) as F;

let dir: string;
beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run prepare\` before these tests`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** No output and no temp file left behind. */
function expectNoOutput(out: string): void {
  expect(fs.existsSync(path.join(dir, out))).toBe(false);
  expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
}

describe('linrec info / --help', () => {
  test('info prints the version, the build and the backends as JSON', () => {
    const r = linrec(['info']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('cuda');
    const report = JSON.parse(r.stdout);
    expect(report.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(typeof report.build.cuda).toBe('boolean');
    expect(report.backends.cpu.threads).toBeGreaterThan(0);
    expect(Array.isArray(report.backends.cuda.devices)).toBe(true);
    if (!report.backends.cuda.available) expect(report.backends.cuda.reason).toEqual(expect.any(String));
    expect(report.addon).toMatch(/linrec\.node$/);
  });

  test('--help prints usage and exits 0; no command is a usage error (2)', () => {
    for (const args of [['--help'], ['run', '--help'], ['help']]) {
      const r = linrec(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('linrec run --coeffs A --values B --out X');
    }
    expect(linrec([]).status).toBe(2);
    expect(linrec(['frobnicate']).status).toBe(2);
  });

  test('--version prints the package version and exits 0', () => {
    const r = linrec(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  test('bench delegates to bench/harness.js, or says clearly that it is missing', () => {
    const r = linrec(['bench', '--help']);
    if (fs.existsSync(path.join(ROOT, 'bench', 'harness.js'))) {
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('--sizes');
      // First contact: it printed `npm run bench`'s help (options: ..., --gpu | --no-gpu, default
      // bench/results), not the command's own options and defaults.
      expect(r.stdout).toMatch(/^Usage:\n {2}linrec bench /);
      expect(r.stdout).toMatch(/^ {2}--device auto\|cpu\|cuda /m);
      expect(r.stdout).toMatch(/^ {2}--out DIR .*\(default \.\/linrec-bench\)$/m);
      expect(r.stdout).not.toMatch(/--gpu|--no-gpu|bench\/results/);
    } else {
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^linrec: benchmarks are not available/);
    }
  });
});

describe('linrec run --out: a path that cannot be the output fails first, naming it', () => {
  // The inputs do not exist: an error about them would mean the output was checked too late.
  const cases: [string, () => string, RegExp][] = [
    ['an existing directory', () => dir, /is a directory/],
    ["'.'", () => '.', /is a directory/],
    ['a path ending in /', () => 'not-yet/', /is a directory/],
    ['a path whose folder does not exist', () => path.join(dir, 'no', 'such', 'x.npy'), /cannot be created: its folder .* does not exist/],
    ['a path under a regular file', () => path.join(dir, 'plain.txt', 'x.npy'), /cannot be created/],
  ];
  test.each(cases)('%s', (_what, out, why) => {
    fs.writeFileSync(path.join(dir, 'plain.txt'), 'x');
    const before = fs.readdirSync(dir).sort();
    const r = linrec(['run', '--coeffs', 'missing-a.npy', '--values', 'missing-b.npy', '--out', out()]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--out ${out()}`);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/missing-a/);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });
});

describe('linrec bench', () => {
  test('writes its results under the current directory, never into bench/results; --sizes bounds the accuracy sizes', () => {
    const results = path.join(ROOT, 'bench', 'results');
    const stamp = (f: string) => (fs.existsSync(path.join(results, f)) ? fs.statSync(path.join(results, f)).mtimeMs : -1);
    const before = ['cpu.json', 'cpu.md'].map(stamp);
    const r = linrec(['bench', '--quick', '--sizes', '1e3', '--device', 'cpu', '--no-charts', '--seed', '7']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'linrec-bench', 'cpu.json'), 'utf8'));
    expect(doc.config.sizes).toEqual([1000]);
    expect(doc.config.accuracySizes).toEqual([1000]);
    expect(['cpu.json', 'cpu.md'].map(stamp)).toEqual(before);
  });

  // Before: bad sizes fell back to the defaults (up to 10^6) or were dropped one by one, and
  // --sizes=1e3 was an unknown option.
  test('a wrong option or size is a usage error (2) before anything runs; --flag=value works', () => {
    if (!fs.existsSync(path.join(ROOT, 'bench', 'harness.js'))) return;
    for (const [args, why] of [
      [['--sizes', 'abc'], /--sizes: "abc" is not a size/],
      [['--sizes', '0'], /--sizes: "0" is not a size/],
      [['--sizes', '1e3,foo'], /--sizes: "foo" is not a size/],
      [['--sizes=2e9'], /--sizes: "2e9" is not a size from 1 to 1e9/],
      [['--accuracy-sizes', '1e3.5'], /--accuracy-sizes: "1e3.5"/],
      [['--bogus'], /unknown option --bogus/],
      [['--quick=yes'], /--quick takes no value/],
      [['--device', 'gpu'], /--device must be one of auto, cpu, cuda/],
    ] as [string[], RegExp][]) {
      const r = linrec(['bench', ...args]);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(why);
    }
    const r = linrec(['bench', '--quick', '--sizes=1e3', '--device=cpu', '--no-charts', '--no-accuracy', '--out', 'linrec-bench-eq']);
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'linrec-bench-eq', 'cpu.json'), 'utf8')).config.sizes).toEqual([1000]);
  });

  // First contact: an --out that was a file ran the whole benchmark, then failed with a raw
  // "EEXIST: file already exists, mkdir"; and results outside the working directory were
  // reported as ../../.. paths.
  test('an --out that is a file, or under one, is a usage error (2) naming it, before anything runs', () => {
    if (!fs.existsSync(path.join(ROOT, 'bench', 'harness.js'))) return;
    fs.writeFileSync(path.join(dir, 'bench-out.txt'), 'keep');
    for (const out of ['bench-out.txt', 'bench-out.txt/sub']) {
      const r = linrec(['bench', '--quick', '--sizes', '1e3', '--no-throughput', '--no-charts', '--out', out]);
      expect({ out, status: r.status }).toEqual({ out, status: 2 });
      expect(r.stderr).toMatch(new RegExp(`^linrec: --out ${out}: (is|bench-out\\.txt is) a file, not a folder`));
      expect(r.stderr).not.toMatch(/EEXIST|ENOTDIR|accuracy:/);
      expect(r.stdout).toBe('');
    }
    expect(fs.readFileSync(path.join(dir, 'bench-out.txt'), 'utf8')).toBe('keep');
  });

  test('the files written are named as the user reads them: relative under the working directory, else absolute', () => {
    if (!fs.existsSync(path.join(ROOT, 'bench', 'harness.js'))) return;
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-cli-out-'));
    try {
      const args = ['bench', '--quick', '--sizes', '1e3', '--device', 'cpu', '--no-accuracy', '--no-charts'];
      const far = linrec([...args, '--out', path.join(outside, 'res')]);
      expect(far.status).toBe(0);
      expect(far.stderr).toContain(`wrote ${path.join(outside, 'res', 'cpu.json')}, ${path.join(outside, 'res', 'cpu.md')}`);
      const near = linrec([...args, '--out', path.join(dir, 'near', 'res')]);
      expect(near.status).toBe(0);
      expect(near.stderr).toContain(`wrote ${path.join('near', 'res', 'cpu.json')}, `);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  test('--device cuda where CUDA is not usable fails (1), saying why, rather than benchmarking the CPU', () => {
    if (!fs.existsSync(path.join(ROOT, 'bench', 'harness.js'))) return;
    if (JSON.parse(linrec(['info']).stdout).backends.cuda.available) return; // the real run belongs to the GPU session
    const r = linrec(['bench', '--device', 'cuda', '--quick', '--out', 'linrec-bench-cuda']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^linrec: --device cuda: CUDA is not usable here: /);
    expect(fs.existsSync(path.join(dir, 'linrec-bench-cuda'))).toBe(false);
  });
});

describe(`linrec run ${seedNote()}`, () => {
  const cases: [string, boolean, FC][] = [];
  for (const C of [Float32Array, Float64Array]) for (const reverse of [false, true]) cases.push([C.name, reverse, C]);
  const tol = (C: FC) => (C === Float32Array ? 1e-4 : 1e-11);

  test.each(cases)('2-D .npy %s reverse=%p, with and without a --chunk smaller than n', (_name, reverse, C) => {
    const rows = int(1, 5);
    const n = int(2, 3000);
    const { a, v } = problem(C, rows, n);
    fs.writeFileSync(path.join(dir, 'a.npy'), encodeNpy(a, [rows, n]));
    fs.writeFileSync(path.join(dir, 'v.npy'), encodeNpy(v, [rows, n + 1]));
    const want = scan(a, v, { rows, reverse });
    for (const chunk of [[], ['--chunk', String(int(1, n - 1))], ['--chunk', '1']]) {
      const r = linrec(['run', '--coeffs', 'a.npy', '--values', 'v.npy', '--out', 'x.npy', ...(reverse ? ['--reverse'] : []), ...chunk]);
      expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
      const x = decodeNpy(fs.readFileSync(path.join(dir, 'x.npy')));
      expect(x.shape).toEqual([rows, n + 1]);
      expect(x.dtype).toBe(C === Float32Array ? 'float32' : 'float64');
      expectClose(x.data, want, tol(C));
    }
  });

  // Review 21: the chunks' Scanner carried x as a float32, so where x had left float32's range at
  // a chunk boundary, --method log gave ∞ where the one-shot scan gives the value.
  test('--method log: a chunk boundary where x is beyond the dtype changes nothing', () => {
    fs.writeFileSync(path.join(dir, 'ga.npy'), encodeNpy(new Float32Array([1e30, 1e30, 1e-30, 1e-30])));
    fs.writeFileSync(path.join(dir, 'gv.npy'), encodeNpy(new Float32Array([1, 0, 0, 0, 0])));
    const want = scan(new Float32Array([1e30, 1e30, 1e-30, 1e-30]), new Float32Array([1, 0, 0, 0, 0]), { method: 'log' });
    for (const chunk of ['4', '2', '1']) {
      const r = linrec(['run', '--coeffs', 'ga.npy', '--values', 'gv.npy', '--out', 'gx.npy', '--method', 'log', '--chunk', chunk]);
      expect(r).toMatchObject({ status: 0, stderr: '' });
      const x = Array.from(decodeNpy(fs.readFileSync(path.join(dir, 'gx.npy'))).data);
      expect(x[2]).toBe(Infinity);
      expectClose(x.filter(Number.isFinite), Array.from(want).filter(Number.isFinite), 1e-6);
    }
  });

  test('1-D .npy with --rows keeps the 1-D shape; --method log; --threads', () => {
    const rows = 3;
    const n = 500;
    const { a, v } = problem(Float64Array, rows, n);
    fs.writeFileSync(path.join(dir, 'a1.npy'), encodeNpy(a));
    fs.writeFileSync(path.join(dir, 'v1.npy'), encodeNpy(v, [v.length], '2.0'));
    const r = linrec([
      'run',
      '--coeffs',
      'a1.npy',
      '--values',
      'v1.npy',
      '--out',
      'x1.npy',
      '--rows',
      '3',
      '--method',
      'log',
      '--chunk',
      '77',
      '--threads',
      '1',
    ]);
    expect(r.status).toBe(0);
    const x = decodeNpy(fs.readFileSync(path.join(dir, 'x1.npy')));
    expect(x.shape).toEqual([rows * (n + 1)]);
    expectClose(x.data, scan(a, v, { rows }), 1e-9);
  });

  test.each([false, true])('raw .f32 and .f64 files with --rows, and raw with --dtype (reverse=%p)', (reverse) => {
    const rows = 4;
    const n = int(10, 2000);
    for (const C of [Float32Array, Float64Array]) {
      const ext = C === Float32Array ? 'f32' : 'f64';
      const { a, v } = problem(C, rows, n);
      fs.writeFileSync(path.join(dir, `a.${ext}`), rawBytes(a));
      fs.writeFileSync(path.join(dir, `v.${ext}`), rawBytes(v));
      fs.writeFileSync(path.join(dir, 'a.bin'), rawBytes(a));
      fs.writeFileSync(path.join(dir, 'v.bin'), rawBytes(v));
      const want = scan(a, v, { rows, reverse });
      const flags = ['--rows', String(rows), '--chunk', String(int(1, n)), ...(reverse ? ['--reverse'] : [])];
      expect(linrec(['run', '--coeffs', `a.${ext}`, '--values', `v.${ext}`, '--out', `x.${ext}`, ...flags]).status).toBe(0);
      expectClose(readRaw(C, path.join(dir, `x.${ext}`)), want, C === Float32Array ? 1e-4 : 1e-11);
      expect(
        linrec(['run', '--coeffs', 'a.bin', '--values', 'v.bin', '--out', 'x.bin', '--dtype', C === Float32Array ? 'float32' : 'float64', ...flags]).status,
      ).toBe(0);
      expectClose(readRaw(C, path.join(dir, 'x.bin')), want, C === Float32Array ? 1e-4 : 1e-11);
    }
  });

  test('n = 0: the output is the initial values', () => {
    fs.writeFileSync(path.join(dir, 'a0.npy'), encodeNpy(new Float32Array(0), [3, 0]));
    fs.writeFileSync(path.join(dir, 'v0.npy'), encodeNpy(new Float32Array([1, 2, 3]), [3, 1]));
    expect(linrec(['run', '--coeffs', 'a0.npy', '--values', 'v0.npy', '--out', 'x0.npy']).status).toBe(0);
    expect(Array.from(decodeNpy(fs.readFileSync(path.join(dir, 'x0.npy'))).data)).toEqual([1, 2, 3]);
  });

  test("0 rows: the output is empty, of the values' shape (as n = 0 gives the values), in either direction", () => {
    for (const C of [Float32Array, Float64Array]) {
      fs.writeFileSync(path.join(dir, 'a-norows.npy'), encodeNpy(new C(0), [0, 7]));
      fs.writeFileSync(path.join(dir, 'v-norows.npy'), encodeNpy(new C(0), [0, 8]));
      for (const reverse of [[], ['--reverse']]) {
        const r = linrec(['run', '--coeffs', 'a-norows.npy', '--values', 'v-norows.npy', '--out', 'x-norows.npy', ...reverse]);
        expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
        const x = decodeNpy(fs.readFileSync(path.join(dir, 'x-norows.npy')));
        expect([x.shape, x.dtype, x.data.length]).toEqual([[0, 8], C === Float32Array ? 'float32' : 'float64', 0]);
      }
    }
    // Rows that cannot be x_0, b_1..b_n of those coefficients are still refused.
    fs.writeFileSync(path.join(dir, 'v-norows-narrow.npy'), encodeNpy(new Float64Array(0), [0, 7]));
    const r = linrec(['run', '--coeffs', 'a-norows.npy', '--values', 'v-norows-narrow.npy', '--out', 'x-narrow.npy']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^linrec: v-norows-narrow\.npy has rows of 7 elements but needs n\+1 = 8/);
    expectNoOutput('x-narrow.npy');
  });
});

describe('bad input: exit 1, one line on stderr, no output file', () => {
  beforeAll(() => {
    const { a, v } = problem(Float32Array, 2, 10);
    fs.writeFileSync(path.join(dir, 'good-a.npy'), encodeNpy(a, [2, 10]));
    fs.writeFileSync(path.join(dir, 'good-v.npy'), encodeNpy(v, [2, 11]));
    fs.writeFileSync(path.join(dir, 'good-v64.npy'), encodeNpy(Float64Array.from(v), [2, 11]));
    fs.writeFileSync(path.join(dir, 'short-v.npy'), encodeNpy(v.subarray(0, 20), [2, 10]));
    fs.writeFileSync(path.join(dir, 'three-rows-v.npy'), encodeNpy(new Float32Array(33), [3, 11]));
    fs.writeFileSync(path.join(dir, 'magic.npy'), Buffer.from('this is not numpy at all, just text\n'));
    const fortran = encodeNpy(a, [2, 10]);
    fortran.write("'fortran_order': True, ", fortran.indexOf("'fortran_order'"), 'latin1');
    fs.writeFileSync(path.join(dir, 'fortran.npy'), fortran);
    const int32 = encodeNpy(a, [2, 10]);
    int32.write("'<i4'", int32.indexOf("'<f4'"), 'latin1');
    fs.writeFileSync(path.join(dir, 'int32.npy'), int32);
    const npy = encodeNpy(a, [2, 10]);
    fs.writeFileSync(path.join(dir, 'truncated.npy'), npy.subarray(0, npy.length - 5));
    fs.writeFileSync(path.join(dir, 'a.f32'), rawBytes(a));
    fs.writeFileSync(path.join(dir, 'v.f32'), rawBytes(v));
    fs.writeFileSync(path.join(dir, 'odd.f32'), rawBytes(v).subarray(0, 43));
    // .npy files under names that say raw: read as raw, their 128-byte header became data.
    for (const name of ['npy-a.bin', 'npy-a.f32']) fs.writeFileSync(path.join(dir, name), encodeNpy(a));
    for (const name of ['npy-v.bin', 'npy-v.f32']) fs.writeFileSync(path.join(dir, name), encodeNpy(v));
    // An .npz archive (a zip, as np.savez writes it), sized to fit --dtype float32.
    fs.writeFileSync(path.join(dir, 'ab.npz'), Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(516)]));
    fs.mkdirSync(path.join(dir, 'a-dir.npy'));
  });

  test.each<[string, string, string, string[], RegExp]>([
    ['bad magic', 'magic.npy', 'good-v.npy', [], /magic\.npy: not a \.npy file/],
    ['Fortran order', 'fortran.npy', 'good-v.npy', [], /Fortran/],
    ['an unsupported dtype', 'int32.npy', 'good-v.npy', [], /unsupported dtype '<i4'/],
    ['truncated data', 'truncated.npy', 'good-v.npy', [], /truncated/],
    ['values of the wrong length', 'good-a.npy', 'short-v.npy', [], /needs rows·\(n\+1\)/],
    ['row counts that differ', 'good-a.npy', 'three-rows-v.npy', [], /2 rows but .* has 3/],
    ['--rows against a 2-D file', 'good-a.npy', 'good-v.npy', ['--rows', '3'], /--rows 3 does not match/],
    ['dtypes that differ', 'good-a.npy', 'good-v64.npy', [], /float32 but .* float64/],
    ['a missing file', 'nope.npy', 'good-v.npy', [], /nope\.npy: no such file/],
    ['a raw file with trailing bytes', 'a.f32', 'odd.f32', ['--rows', '2'], /truncated: .*3 trailing bytes/],
    ['raw lengths that do not fit the rows', 'a.f32', 'v.f32', ['--rows', '3'], /not a multiple of 3 rows/],
    ['a .npy file named .bin', 'npy-a.bin', 'npy-v.bin', ['--dtype', 'float32'], /^linrec: npy-a\.bin: is a \.npy file .*rename it to end in \.npy/],
    ['a .npy file named .f32', 'npy-a.f32', 'npy-v.f32', [], /^linrec: npy-a\.f32: is a \.npy file .*rename it to end in \.npy/],
    ['an .npz archive', 'ab.npz', 'ab.npz', [], /^linrec: ab\.npz: is a zip archive .*\.npz archives are not supported: extract the array with numpy/],
    ['an .npz archive with --dtype', 'ab.npz', 'ab.npz', ['--dtype', 'float32'], /^linrec: ab\.npz: .*\.npz archives are not supported/],
    ['a directory as an input', 'a-dir.npy', 'good-v.npy', [], /^linrec: a-dir\.npy: is a directory\n$/],
  ])('%s', (_name, coeffs, values, extra, pattern) => {
    const out = coeffs.endsWith('.npy') ? 'bad-out.npy' : 'bad-out.f32';
    const r = linrec(['run', '--coeffs', coeffs, '--values', values, '--out', out, ...extra]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^linrec: [^\n]+\n$/);
    expect(r.stderr).toMatch(pattern);
    expectNoOutput(out);
  });

  test('a raw file named neither .f32 nor .f64 needs --dtype', () => {
    fs.copyFileSync(path.join(dir, 'v.f32'), path.join(dir, 'v.raw'));
    fs.copyFileSync(path.join(dir, 'a.f32'), path.join(dir, 'a.raw'));
    const r = linrec(['run', '--coeffs', 'a.raw', '--values', 'v.raw', '--out', 'bad-out.raw', '--rows', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\.f32 or \.f64, or give the dtype/);
    expectNoOutput('bad-out.raw');
  });

  test('a failed run leaves an existing output file as it was', () => {
    fs.writeFileSync(path.join(dir, 'keep.npy'), 'previous result');
    expect(linrec(['run', '--coeffs', 'truncated.npy', '--values', 'good-v.npy', '--out', 'keep.npy']).status).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'keep.npy'), 'utf8')).toBe('previous result');
  });

  test.each<[string, string[]]>([
    ['no --out', ['--coeffs', 'good-a.npy', '--values', 'good-v.npy']],
    ['an unknown option', ['--coeffs', 'good-a.npy', '--values', 'good-v.npy', '--out', 'u.npy', '--fast']],
    ['a bad --method', ['--coeffs', 'good-a.npy', '--values', 'good-v.npy', '--out', 'u.npy', '--method', 'magic']],
    ['a bad --device', ['--coeffs', 'good-a.npy', '--values', 'good-v.npy', '--out', 'u.npy', '--device', 'tpu']],
    ['--chunk 0', ['--coeffs', 'good-a.npy', '--values', 'good-v.npy', '--out', 'u.npy', '--chunk', '0']],
    ['--rows 1.5', ['--coeffs', 'a.f32', '--values', 'v.f32', '--out', 'u.f32', '--rows', '1.5']],
    ['an output format other than the input', ['--coeffs', 'a.f32', '--values', 'v.f32', '--out', 'u.npy', '--rows', '2']],
  ])('usage errors exit 2: %s', (_name, args) => {
    const r = linrec(['run', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^linrec: /);
    expectNoOutput('u.npy');
    expectNoOutput('u.f32');
  });
});

// Review 23: bounds the API enforces (threads 1..1024, 'cuda:N' with N < 1000) are checked
// by the command itself, as usage errors naming its option (they said "options.threads", exit 1).
test.each<[string, string[], RegExp]>([
  ['--threads 99999', ['--threads', '99999'], /--threads must be an integer from 1 to 1024 \(received '99999'\)/],
  ['--threads 1025', ['--threads', '1025'], /--threads must be an integer from 1 to 1024/],
  ['--threads 0', ['--threads', '0'], /--threads must be an integer from 1 to 1024/],
  ['--device cuda:1000', ['--device', 'cuda:1000'], /--device must be one of auto, cpu, cuda, cuda:N/],
  ['--device cuda:01', ['--device', 'cuda:01'], /--device must be one of auto, cpu, cuda, cuda:N/],
  // Review 24: with --redis too (one rule for both command lines), before any connection is tried.
  ['--device cuda:1234 with --redis', ['--redis', 'redis://127.0.0.1:1', '--device', 'cuda:1234'], /--device must be one of auto, cpu, cuda, cuda:N/],
  ['--device cuda:007 with --redis', ['--redis', 'redis://127.0.0.1:1', '--device', 'cuda:007'], /--device must be one of auto, cpu, cuda, cuda:N/],
])("a numeric option out of the API's range is a usage error naming the option (exit 2): %s", (_name, extra, message) => {
  fs.writeFileSync(path.join(dir, 'r23-a.npy'), encodeNpy(new Float32Array(4).fill(0.5), [4]));
  fs.writeFileSync(path.join(dir, 'r23-v.npy'), encodeNpy(new Float32Array(5).fill(1), [5]));
  const r = linrec(['run', '--coeffs', 'r23-a.npy', '--values', 'r23-v.npy', '--out', 'r23-x.npy', ...extra]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/options\./);
  expect(r.stderr).toContain("Run 'linrec --help' for usage.");
  expectNoOutput('r23-x.npy');
});

// First contact: --sizes 1e3 was taken but --chunk 1e3 was refused. One syntax for whole numbers
// (src/cli-number.ts): 1000, 1e3, 2.5e3; not 1.5, hexadecimal, 10_000, Infinity, or past 2^53.
describe('whole-number options: one syntax for every flag', () => {
  beforeAll(() => {
    fs.writeFileSync(path.join(dir, 'num-a.npy'), encodeNpy(new Float64Array(2000).fill(0.5), [2, 1000]));
    fs.writeFileSync(path.join(dir, 'num-v.npy'), encodeNpy(new Float64Array(2002).fill(1), [2, 1001]));
  });
  const runArgs = ['run', '--coeffs', 'num-a.npy', '--values', 'num-v.npy', '--out', 'num-x.npy'];

  test('run takes --chunk 1e3, --rows 2e0, --threads 1e0 as --sizes takes 1e3', () => {
    const r = linrec([...runArgs, '--chunk', '1e3', '--rows', '2e0', '--threads', '1e0']);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    const want = linrec([...runArgs.slice(0, -1), 'num-want.npy', '--chunk', '1000', '--threads', '1']);
    expect(want.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'num-x.npy'))).toEqual(fs.readFileSync(path.join(dir, 'num-want.npy')));
  });

  test.each(['1.5', '0x10', '10_000', 'Infinity', '1e400', '9007199254740993', '-3', ' 5', ''])(
    '%p is refused alike by run (--chunk) and bench (--sizes, --seed)',
    (bad) => {
      const r = linrec([...runArgs, `--chunk=${bad}`]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`linrec: --chunk must be a positive integer (received '${bad}')`);
      if (!fs.existsSync(path.join(ROOT, 'bench', 'harness.js'))) return;
      const sizes = linrec(['bench', `--sizes=${bad}`]);
      expect(sizes.status).toBe(2);
      expect(sizes.stderr).toMatch(/^linrec: --sizes: .* is not a size from 1 to 1e9/);
      const seed = linrec(['bench', `--seed=${bad}`]);
      expect(seed.status).toBe(2);
      expect(seed.stderr).toMatch(/^linrec: --seed must be an integer >= 0 \(received '/);
    },
  );
});

// First contact: --out naming an input replaced it with the output, exit 0.
describe('an --out that names an input is a usage error (2), naming both, and the input is kept', () => {
  beforeAll(() => {
    fs.writeFileSync(path.join(dir, 'same-a.npy'), encodeNpy(new Float32Array(4).fill(0.5)));
    fs.writeFileSync(path.join(dir, 'same-v.npy'), encodeNpy(new Float32Array(5).fill(1)));
    fs.symlinkSync('same-v.npy', path.join(dir, 'same-v-symlink.npy'));
    fs.linkSync(path.join(dir, 'same-a.npy'), path.join(dir, 'same-a-hardlink.npy'));
    fs.mkdirSync(path.join(dir, 'same-sub'));
  });
  test.each<[string, string, 'coeffs' | 'values']>([
    ['the same name as --coeffs', 'same-a.npy', 'coeffs'],
    ['another spelling of --values', 'same-sub/../same-v.npy', 'values'],
    ['an absolute path of --coeffs', 'ABS:same-a.npy', 'coeffs'],
    ['a symbolic link to --values', 'same-v-symlink.npy', 'values'],
    ['a hard link to --coeffs', 'same-a-hardlink.npy', 'coeffs'],
  ])('%s', (_what, outName, input) => {
    const out = outName.startsWith('ABS:') ? path.join(dir, outName.slice(4)) : outName;
    const named = { coeffs: 'same-a.npy', values: 'same-v.npy' }[input];
    const before = fs.readFileSync(path.join(dir, named));
    for (const redis of [[], ['--redis', 'redis://127.0.0.1:1']]) {
      const r = linrec(['run', '--coeffs', 'same-a.npy', '--values', 'same-v.npy', '--out', out, ...redis]);
      expect({ redis, status: r.status }).toEqual({ redis, status: 2 });
      expect(r.stderr).toContain(`linrec: --out ${out} is the same file as --${input} ${named}`);
      expect(fs.readFileSync(path.join(dir, named))).toEqual(before);
      expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
    }
  });
});

// `linrec worker --threads` likewise: refused at start (every job would have failed on options.threads).
test.each(['99999', '0', '1025'])('linrec worker --threads %s is a usage error naming the option (exit 2)', (t) => {
  const r = linrec(['worker', '--redis', 'redis://127.0.0.1:1', '--threads', t]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`--threads must be an integer from 1 to 1024 (received '${t}')`);
  expect(r.stderr).not.toMatch(/options\./);
});

describe(`a large file in bounded memory ${seedNote()}`, () => {
  test('~400 MB of raw float32 input runs in under 300 MB RSS and gives the right x', () => {
    const n = 50_000_000; // coeffs 200 MB + values 200 MB
    const block = 1 << 20;
    const aFile = path.join(dir, 'big-a.f32');
    const vFile = path.join(dir, 'big-v.f32');
    const fa = fs.openSync(aFile, 'w');
    const fv = fs.openSync(vFile, 'w');
    // Written a block at a time, with the float64 reference at sampled steps kept on the way.
    const samples = new Map<number, number>();
    const sampleEvery = 999_983;
    let x = 0.5;
    fs.writeSync(fv, rawBytes(new Float32Array([x])));
    samples.set(0, x);
    const a = new Float32Array(block);
    const b = new Float32Array(block);
    for (let t0 = 0; t0 < n; t0 += block) {
      const m = Math.min(block, n - t0);
      for (let j = 0; j < m; j++) {
        a[j] = (rand() * 2 - 1) * 0.95;
        b[j] = rand() * 2 - 1;
        x = a[j] * x + b[j];
        const t = t0 + j + 1;
        if (t % sampleEvery === 0 || t === n) samples.set(t, x);
      }
      fs.writeSync(fa, rawBytes(a.subarray(0, m)));
      fs.writeSync(fv, rawBytes(b.subarray(0, m)));
    }
    fs.closeSync(fa);
    fs.closeSync(fv);

    const args = [CLI, 'run', '--coeffs', aFile, '--values', vFile, '--out', path.join(dir, 'big-x.f32'), '--chunk', String(1 << 20)];
    const haveTime = fs.existsSync('/usr/bin/time');
    const r = haveTime
      ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], { encoding: 'utf8', env: { ...process.env, LINREC_REPORT_RSS: '1' } })
      : spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, LINREC_REPORT_RSS: '1' } });
    fs.rmSync(aFile);
    fs.rmSync(vFile);
    expect(r.stderr).toMatch(/linrec: maxRSS \d+ bytes/);
    expect(r.status).toBe(0);
    const reported = Number(/linrec: maxRSS (\d+) bytes/.exec(r.stderr)![1]);
    const timed = haveTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)![1]) * 1024 : 0;
    const peak = Math.max(reported, timed);
    expect(peak).toBeLessThan(300 * 2 ** 20);

    const out = fs.openSync(path.join(dir, 'big-x.f32'), 'r');
    try {
      expect(fs.fstatSync(out).size).toBe(4 * (n + 1));
      const one = new Float32Array(1);
      for (const [t, want] of samples) {
        fs.readSync(out, new Uint8Array(one.buffer), 0, 4, 4 * t);
        expect(Math.abs(one[0] - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
      }
    } finally {
      fs.closeSync(out);
      fs.rmSync(path.join(dir, 'big-x.f32'));
    }
  }, 120_000);
});
