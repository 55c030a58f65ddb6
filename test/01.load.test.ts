// The package loads as CommonJS and as ESM, by name, and reports its backends.
import { execFileSync, spawnSync } from 'child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { backends } from '../src';
import { addonPath, platformPackages } from '../src/addon';
// scripts/check-binary.js: the ELF file's needed libraries and symbol versions, and what of them
// an older system lacks.
interface BinaryRequirements {
  machine: string;
  needed: string[];
  versions: { library: string; version: string }[];
  symbols?: { name: string; library: string; version: string }[];
}
type Floors = Record<string, string>;
const { requirements, findings, MOVED } = require('../scripts/check-binary') as {
  requirements(file: string): BinaryRequirements | null;
  findings(req: BinaryRequirements, floors?: Floors): string[];
  MOVED: Map<string, { library: string; version: string }>;
};

const root = path.join(__dirname, '..');
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

describe('loading', () => {
  test("require('linrec') and import 'linrec' give the same API", () => {
    const cjs = run([
      '-e',
      "const l = require('linrec'); console.log(Object.keys(l).sort().join(','), Array.from(l.scan(new Float32Array([2]), new Float32Array([1, 1]))).join(','))",
    ]);
    const esm = run([
      '--input-type=module',
      '-e',
      "import * as l from 'linrec'; import def from 'linrec'; console.log(Object.keys(def).sort().join(','), Array.from(l.scan(new Float32Array([2]), new Float32Array([1, 1]))).join(','))",
    ]);
    expect(cjs).toBe(esm);
    expect(cjs).toMatch(/scan,scanAsync/);
    expect(cjs.endsWith(' 1,3')).toBe(true);
  });

  test('the exports are plain data properties (getters would keep the exports object in dictionary mode, each read a slow lookup)', () => {
    const accessors = run([
      '-e',
      "const l = require('linrec'); console.log(Object.entries(Object.getOwnPropertyDescriptors(l)).filter(([, d]) => !('value' in d)).map(([k]) => k).join(',') || 'none')",
    ]);
    expect(accessors).toBe('none');
  });

  test('a LINREC_CPU_ISA or LINREC_GPU_MIN_ELEMENTS that means nothing is named in a warning, not silently ignored', () => {
    const script = "const l = require('linrec'); l.backends(); l.scan(new Float32Array([2]), new Float32Array([1, 1]), { device: 'auto' }); console.log('ok')";
    const quiet = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, LINREC_CPU_ISA: 'x86-64-v3' } });
    expect(quiet.stdout.trim()).toBe('ok');
    expect(quiet.stderr).not.toMatch(/LINREC_ENV/);
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LINREC_CPU_ISA: 'bogus', LINREC_GPU_MIN_ELEMENTS: 'abc' },
    });
    expect(r.stdout.trim()).toBe('ok');
    expect(r.stderr).toMatch(/\[LINREC_ENV\] Warning: LINREC_CPU_ISA="bogus" is not one of x86-64, x86-64-v3, x86-64-v4/);
    if (backends().cuda.available) expect(r.stderr).toMatch(/LINREC_GPU_MIN_ELEMENTS="abc" is not a number/);
  });

  test('a LINREC_ADDON that names no addon gives one error that says so, and to unset it (reinstalling cannot help)', () => {
    let err: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, ['-e', "require('linrec').scan(new Float32Array(1), new Float32Array(2))"], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, LINREC_ADDON: '/nonexistent/linrec.node' },
      });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(1);
    expect(err.stderr).toMatch(/ERR_LINREC_LOAD/);
    expect(err.stderr).toMatch(/LINREC_ADDON=\/nonexistent\/linrec\.node: not found/);
    expect(err.stderr).toMatch(/no other place is tried while it is set/);
    expect(err.stderr).toMatch(/unset LINREC_ADDON to load/);
    expect(err.stderr).not.toMatch(/npm rebuild linrec|--include=optional/);
  });

  test('without a build, the error names the prebuilt package for this platform as not installed', () => {
    // A copy of the package with no build beside it and no platform package installed.
    const copy = mkdtempSync(path.join(tmpdir(), 'linrec-bare-'));
    try {
      cpSync(path.join(root, 'dist'), path.join(copy, 'dist'), { recursive: true });
      cpSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
      cpSync(path.join(root, 'scripts', 'platform-packages.js'), path.join(copy, 'scripts', 'platform-packages.js'));
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.LINREC_ADDON;
      delete env.LINREC_PREBUILT;
      const script = `require(${JSON.stringify(path.join(copy, 'dist', 'index.js'))}).scan(new Float32Array(1), new Float32Array(2))`;
      const r = spawnSync(process.execPath, ['-e', script], { cwd: copy, encoding: 'utf8', env });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/ERR_LINREC_LOAD/);
      expect(r.stderr).toMatch(/@linrec\/\S+ \(the prebuilt addon for this platform\): not installed/);
      expect(r.stderr).toMatch(/build-cmake\/Release\/linrec\.node: not found/);
      expect(r.stderr).toMatch(/npm rebuild linrec/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  const published = Object.keys(require('../package.json').optionalDependencies ?? {}) as string[];
  (platformPackages().some((name) => published.includes(name)) ? test : test.skip)(
    'the install script, with no prebuilt package installed and no compiler, names the package to install',
    () => {
      const copy = mkdtempSync(path.join(tmpdir(), 'linrec-install-'));
      const emptyPath = mkdtempSync(path.join(tmpdir(), 'linrec-no-tools-'));
      try {
        cpSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
        for (const f of ['install.js', 'platform-packages.js']) cpSync(path.join(root, 'scripts', f), path.join(copy, 'scripts', f));
        const env: NodeJS.ProcessEnv = { ...process.env, PATH: emptyPath };
        for (const k of ['npm_config_node_gyp', 'LINREC_BUILD_FROM_SOURCE', 'npm_config_build_from_source']) delete env[k];
        const r = spawnSync(process.execPath, [path.join(copy, 'scripts', 'install.js')], { cwd: copy, encoding: 'utf8', env });
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/linrec: no prebuilt binary is installed for /);
        const cpuOnly = platformPackages()
          .filter((name) => published.includes(name))
          .pop() as string;
        expect(r.stdout).toContain(`linrec: or install the prebuilt binary, which needs no compiler: \`npm install ${cpuOnly}\``);
      } finally {
        rmSync(copy, { recursive: true, force: true });
        rmSync(emptyPath, { recursive: true, force: true });
      }
    },
  );

  // Needs a CPU-only build to stand in for the package (a build with CUDA compiled has no such reason).
  const cpuOnlyHere = process.platform === 'linux' && process.arch === 'x64' && !backends().cuda.compiled;
  (cpuOnlyHere ? test : test.skip)("the CPU-only prebuilt package's backends() names the CUDA package as the fix, not a compiler", () => {
    // A copy of the package whose addon comes from a CPU-only build placed as @linrec/<platform>
    // (the CPU-only package where a CUDA variant exists: linux-x64).
    const [best, cpuOnly] = platformPackages('linux', 'x64');
    const built = addonPath() as string;
    const copy = mkdtempSync(path.join(tmpdir(), 'linrec-cpu-package-'));
    try {
      cpSync(path.join(root, 'dist'), path.join(copy, 'dist'), { recursive: true });
      cpSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
      cpSync(path.join(root, 'scripts', 'platform-packages.js'), path.join(copy, 'scripts', 'platform-packages.js'));
      const pkg = path.join(copy, 'node_modules', ...cpuOnly.split('/'));
      cpSync(built, path.join(pkg, 'linrec.node'));
      writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: cpuOnly, version: '0.0.0' }));
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.LINREC_ADDON;
      delete env.LINREC_PREBUILT;
      const script = `const l = require(${JSON.stringify(path.join(copy, 'dist', 'index.js'))}); console.log(JSON.stringify(l.backends().cuda.reason))`;
      const r = spawnSync(process.execPath, ['-e', script], { cwd: copy, encoding: 'utf8', env });
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toBe(
        `this is ${cpuOnly}, the prebuilt addon without CUDA; the CUDA backend comes with ${best}: \`npm install ${best}\` (it runs on the CPU too where there is no GPU)`,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('backends() describes the CPU and the CUDA build', () => {
    const b = backends();
    expect(b.cpu.threads).toBeGreaterThanOrEqual(1);
    expect(typeof b.cuda.compiled).toBe('boolean');
    expect(typeof b.cuda.available).toBe('boolean');
    expect(Array.isArray(b.cuda.devices)).toBe(true);
    if (!b.cuda.available) expect(typeof b.cuda.reason).toBe('string');
  });

  // Two builds of linrec in one process (two versions in one dependency tree) must not share
  // code or state: with every symbol exported, GCC's GNU unique symbols (function-local statics:
  // the kept worker and stage pools) are one per process, whichever build created them.
  const nm = spawnSync('nm', ['--version']).status === 0;
  (nm && process.platform === 'linux' ? test : test.skip)("the addon exports Node-API's entry points and nothing else", () => {
    backends(); // loads the addon
    const file = addonPath();
    expect(file).toBeDefined();
    const symbols = execFileSync('nm', ['-D', '--defined-only', file!], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(1));
    expect(symbols.filter(([kind]) => kind === 'u')).toEqual([]);
    expect(symbols.map(([, name]) => name).sort()).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });

  // A binary built on this system (glibc 2.36, GCC 12) asked for GLIBCXX_3.4.29 and 3.4.30,
  // which RHEL 8 and 9, Amazon Linux 2023, Debian 11 and Ubuntu 20.04 lack: there the prebuilt
  // package did not load and the install fell back to compiling (native/libstdcxx_versions.h).
  // A CUDA build asked for glibc 2.34 too, through the static CUDA runtime's pthread, dl and shm
  // calls (native/cuda/glibc_compat.cc binds them to their older versions, in the libraries that
  // had them before glibc 2.34).
  (process.platform === 'linux' ? test : test.skip)('the addon asks the C and C++ runtimes for nothing newer than the oldest system Node 20 supports', () => {
    backends(); // loads the addon
    const req = requirements(addonPath()!);
    expect(req).not.toBeNull();
    expect(req!.needed).toContain('libc.so.6');
    expect(req!.versions.some(({ version }) => /^GLIBC_2\./.test(version))).toBe(true);
    expect(findings(req!)).toEqual([]);
  });

  test("the binary check flags what an older system's runtimes lack", () => {
    const flagged = findings({
      machine: 'x86-64',
      needed: ['libstdc++.so.6', 'libc.so.6', 'libcudart.so.12'],
      versions: [
        { library: 'libstdc++.so.6', version: 'GLIBCXX_3.4.25' },
        { library: 'libstdc++.so.6', version: 'GLIBCXX_3.4.30' },
        { library: 'libc.so.6', version: 'GLIBC_2.28' },
        { library: 'libc.so.6', version: 'GLIBC_2.34' },
        { library: 'libc.so.6', version: 'GLIBC_PRIVATE' },
      ],
    });
    expect(flagged).toEqual([
      expect.stringMatching(/^needs libcudart\.so\.12/),
      expect.stringMatching(/GLIBCXX_3\.4\.30, newer than GLIBCXX_3\.4\.25/),
      expect.stringMatching(/GLIBC_2\.34, newer than GLIBC_2\.28/),
      expect.stringMatching(/GLIBC_PRIVATE, a version outside/),
    ]);
    // A function glibc 2.34 moved into libc, at its old version: an older glibc has it in
    // librt.so.1 only, which Node does not load.
    expect(MOVED.get('shm_open')).toEqual({ library: 'librt.so.1', version: 'GLIBC_2.2.5' });
    const shm = { library: 'libc.so.6', version: 'GLIBC_2.2.5' };
    const req = { machine: 'x86-64', needed: ['libc.so.6'], versions: [shm], symbols: [{ name: 'shm_open', ...shm }] };
    expect(findings(req)).toEqual([expect.stringMatching(/shm_open@GLIBC_2\.2\.5, which glibc before 2\.34 has in librt\.so\.1 only/)]);
    expect(findings({ ...req, needed: ['librt.so.1', 'libc.so.6'] })).toEqual([]);
    expect(findings({ ...req, symbols: [{ name: 'shm_open', library: 'libc.so.6', version: 'GLIBC_2.34' }] })).toEqual([]);
  });
});
