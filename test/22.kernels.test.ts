// What the CUDA compiler makes of the kernels, checked wherever nvcc is (CI has it; no GPU is
// needed): no register spills and no stack frames (local memory is slow on every GPU), 16-byte
// vector loads and stores for every item of the tile kernels' vector path, whatever the arrays'
// alignment (staged through shared memory, no scalar access per item), and relaxed look-back
// polls, on each architecture the addon ships for (sm_80, sm_90). Skipped, visibly, without nvcc.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const root = path.join(__dirname, '..');
const nvcc = [process.env.NVCC, '/usr/local/cuda/bin/nvcc', '/usr/local/bin/nvcc']
  .concat((process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'nvcc')))
  .find((f) => !!f && fs.existsSync(f));
const archs = ['sm_80', 'sm_90'];
const kernelDescribe = nvcc ? describe : describe.skip;
if (!nvcc) console.warn('test/22.kernels.test.ts: SKIPPED, nvcc not found');

interface Entry {
  name: string;
  stackBytes: number;
  spillBytes: number;
  ptx: string;
}

/** Compiles the engine's kernels for one architecture: ptxas's report per kernel, and its PTX. */
async function compile(arch: string, dir: string): Promise<Entry[]> {
  const keep = path.join(dir, arch);
  fs.mkdirSync(keep, { recursive: true });
  const { stderr } = await run(
    nvcc!,
    [
      '-std=c++17',
      '-O3',
      `-arch=${arch}`,
      '-I',
      path.join(root, 'native'),
      '-Xptxas',
      '-v',
      '--keep',
      '--keep-dir',
      keep,
      '-c',
      path.join(root, 'native/cuda/device_scan.cu'),
      '-o',
      path.join(keep, 'device_scan.o'),
    ],
    { maxBuffer: 64 << 20 },
  );
  const ptxFile = fs.readdirSync(keep).find((f) => f.endsWith('.ptx'));
  const ptx = ptxFile ? fs.readFileSync(path.join(keep, ptxFile), 'utf8') : '';
  // ptxas: "Compiling entry function 'NAME' for 'sm_90'" ... "N bytes stack frame, N bytes spill stores, N bytes spill loads"
  const entries: Entry[] = [];
  let current: Entry | undefined;
  for (const line of stderr.split('\n')) {
    const entry = /Compiling entry function '([^']+)'/.exec(line);
    if (entry) {
      current = { name: entry[1], stackBytes: -1, spillBytes: -1, ptx: '' };
      entries.push(current);
      continue;
    }
    const props = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line);
    if (props && current && current.stackBytes < 0) {
      current.stackBytes = Number(props[1]);
      current.spillBytes = Number(props[2]) + Number(props[3]);
    }
  }
  // Each kernel's PTX body: from its .entry to the next.
  const bodies = ptx.split(/(?=\.visible \.entry )/);
  for (const e of entries) e.ptx = bodies.find((b) => b.startsWith(`.visible .entry ${e.name}(`)) ?? '';
  return entries;
}

kernelDescribe(`CUDA kernels as compiled by ${nvcc ?? 'nvcc'} for ${archs.join(', ')}`, () => {
  const results = new Map<string, Entry[]>();
  let dir = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-kernels-'));
    const compiled = await Promise.all(archs.map((arch) => compile(arch, dir)));
    archs.forEach((arch, i) => results.set(arch, compiled[i]));
  }, 1_200_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const arch of archs) {
    test(`${arch}: every kernel compiles without register spills or a stack frame`, () => {
      const entries = results.get(arch)!;
      expect(entries.length).toBeGreaterThanOrEqual(40); // scan + aggregate, 3 shapes, every monoid and direction
      const bad = entries.filter((e) => e.spillBytes !== 0 || e.stackBytes !== 0).map((e) => `${e.name}: stack ${e.stackBytes} B, spills ${e.spillBytes} B`);
      expect(bad).toEqual([]);
    });

    test(`${arch}: the tile kernels move every item of the vector path in 16-byte vectors (ld/st .v4.f32, .v2.f64)`, () => {
      const tiles = results.get(arch)!.filter((e) => /scanTilesKernel/.test(e.name));
      expect(tiles.length).toBeGreaterThanOrEqual(8); // 2 directions x (affine f32, f64, extended-range log f32, f64)
      for (const e of tiles) {
        expect(e.ptx).not.toBe('');
        const f64 = /AffineMonoidIdE|LogAccessId/.test(e.name);
        // Items per thread of the tile kernels (scan_kernel.cuh's TilePolicy, kTileItems): affine f32 and
        // the float32 log method on raw inputs 32, affine f64 16; the log method on logs (f32) 8 and
        // float64 4. The length prefix 12 keeps AffineMonoid apart from ExtendedAffineMonoid.
        const items = /12AffineMonoidIfE|9RawAccessINS_25ExtendedFloatAffineMonoid/.test(e.name) ? 32 : /12AffineMonoidIdE/.test(e.name) ? 16 : f64 ? 4 : 8;
        const vectors = items / (f64 ? 2 : 4);
        const count = (re: RegExp) => (e.ptx.match(re) ?? []).length;
        const loads = count(f64 ? /ld\.global(\.nc)?\.v2\.f64/g : /ld\.global(\.nc)?\.v4\.f32/g);
        const stores = count(f64 ? /st\.global(\.wb)?\.v2\.f64/g : /st\.global(\.wb)?\.v4\.f32/g);
        // a and b in, x out: every item of a thread's run in whole vectors.
        expect({ kernel: e.name, vectorLoads: loads >= 2 * vectors, vectorStores: stores >= vectors }).toEqual({
          kernel: e.name,
          vectorLoads: true,
          vectorStores: true,
        });
      }
    });

    // Users pass b and x at offset +1 (x_0 first): 4 or 8 bytes past a 16-byte boundary. The
    // vector path must serve that layout, every alignment and both directions, so each warp
    // stages its segment through shared memory (tile_io.cuh) and no thread falls back to one
    // scalar access per item. Scalar accesses of the data type left: the unaligned head and tail
    // of a, b (4 loads) and x (2 stores), x_0, the last x, and the look-back's payloads. At
    // 4495991 (per-thread vectors only when aligned, else a scalar fallback) the forward float32
    // tile scan had 36 scalar loads and 20 stores, the reversed signed-log float64 one 14 and 10.
    // The look-back's payloads over 8 bytes (float64 affine aggregates, the float64 log method's
    // values and aggregates) move as 16-byte words since session 8 (the group aggregates had
    // added two scalar stores and loads per kernel, 10 and 13 in the float64 log tile scans): 4
    // scalar stores and 5-6 loads in every float64 tile scan at 74ea7f6+.
    test(`${arch}: the tile and warp-per-row kernels stage every alignment through shared memory (no scalar access per item)`, () => {
      const kernels = results.get(arch)!.filter((e) => /scanTilesKernel|scanWarpRowsKernel/.test(e.name));
      expect(kernels.length).toBeGreaterThanOrEqual(16); // 2 shapes x 2 directions x 4 monoids, LogAccess too
      for (const e of kernels) {
        const f64 = /AffineMonoidIdE|LogAccessId/.test(e.name);
        const count = (re: RegExp) => (e.ptx.match(re) ?? []).length;
        const scalarLoads = count(f64 ? /ld\.global(\.nc)?\.f64/g : /ld\.global(\.nc)?\.f32/g);
        const scalarStores = count(f64 ? /st\.global(\.wb)?\.f64/g : /st\.global(\.wb)?\.f32/g);
        const vectors = count(f64 ? /ld\.global(\.nc)?\.v2\.f64/g : /ld\.global(\.nc)?\.v4\.f32/g);
        const staged = /st\.shared/.test(e.ptx) && /ld\.shared/.test(e.ptx);
        expect({ kernel: e.name, staged, vectorLoads: vectors >= 4, fewScalarLoads: scalarLoads <= 12, fewScalarStores: scalarStores <= 8 }).toEqual({
          kernel: e.name,
          staged: true,
          vectorLoads: true,
          fewScalarLoads: true,
          fewScalarStores: true,
        });
      }
    });

    // Payloads of 8 bytes or less (affine f32 aggregates and values, f64 values, the float32 log
    // method's values: a float mantissa and an int32 exponent), the float32 log method's
    // aggregates (16 bytes, the status in spare exponent bits) and the f64 affine aggregates (16
    // bytes, the status in A's bits) are polled with their status in one relaxed 16-byte load and
    // need no fence; larger ones (the float64 log method's, tile_status.cuh) poll a status word
    // relaxed and fence once after a hit.
    test(`${arch}: the look-back polls relaxed: status and payload in one 16-byte load where they fit, else one fence after a hit (no acquire load per poll)`, () => {
      const tiles = results.get(arch)!.filter((e) => /scanTilesKernel/.test(e.name));
      for (const e of tiles)
        expect({
          kernel: e.name,
          acquireLoads: /ld\.acquire/.test(e.ptx),
          wholeWordPolls: /ld\.relaxed\.gpu\.global\.v2\.u64/.test(e.ptx),
          fence: /fence\.acq_rel\.gpu|fence\.acquire\.gpu/.test(e.ptx),
        }).toEqual({
          kernel: e.name,
          acquireLoads: false,
          wholeWordPolls: /12AffineMonoidI[fd]E|ExtendedFloatAffineMonoid/.test(e.name),
          fence: !/12AffineMonoidI[fd]E|ExtendedFloatAffineMonoid/.test(e.name),
        });
    });
  }
});

if (!nvcc) {
  describe('CUDA kernel compile checks skipped', () => {
    test.skip('needs nvcc', () => {});
  });
}
