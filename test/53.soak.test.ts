// Soak: 3,000 calls of 10^5 elements (sync scan, scanAsync, Scanner push/pushAsync, logScan,
// aggregate, with and without `out`) must not grow the resident set by more than 64 MB after a
// warm-up. The heavy part runs in a child `node --expose-gc` so gc() can settle the heap before
// each RSS reading. Uses the built dist/index.js (`npm run prepare`).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const DIST = path.resolve(__dirname, '..', 'dist', 'index.js');
const CALLS = Number(process.env.LINREC_SOAK_CALLS ?? 3000);

const child = `'use strict';
const linrec = require(${JSON.stringify(DIST)});
const N = 100000;
const CALLS = Number(process.argv[2]);
const a32 = new Float32Array(N).map((_, i) => Math.cos(i) * 0.99);
const b32 = new Float32Array(N + 1).map((_, i) => Math.sin(i));
const a64 = Float64Array.from(a32), b64 = Float64Array.from(b32);
const ref = linrec.sequential(a64, b64);
const check = (x, k) => {
  // Spot-check a few entries against the float64 loop.
  for (const i of [0, 1, 777, 50000, N]) if (Math.abs(x[i] - ref[i]) > 1e-4 * (Math.abs(ref[i]) + 1)) throw new Error('call ' + k + ': x[' + i + '] = ' + x[i] + ', want ' + ref[i]);
};
const out = new Float32Array(N + 1);
async function round(k) {
  switch (k % 8) {
    case 0: return check(linrec.scan(a32, b32), k);
    case 1: return check(await linrec.scanAsync(a32, b32), k);
    case 2: return check(linrec.scan(a64, b64, { method: 'log' }), k);
    case 3: return check(linrec.scan(a32, b32, { out }), k);
    case 4: { const s = linrec.createScanner({ initial: b32[0] }); const x = s.push(a32.subarray(0, 40000), b32.subarray(1, 40001)); await s.pushAsync(a32.subarray(40000), b32.subarray(40001)); s.dispose(); return check([b32[0], ...x.subarray(0, 1000)], k); }
    case 5: { const l = await linrec.logScanAsync(new Float32Array(N), new Float32Array(N + 1)); if (l.sign[N] !== 1) throw new Error('logScan sign'); return; }
    case 6: { const g = linrec.aggregate(a32, b32.subarray(1)); if (!Number.isFinite(g.B[0])) throw new Error('aggregate'); return; }
    default: { const xs = await Promise.all([linrec.scanAsync(a32, b32), linrec.scanAsync(a64, b64)]); xs.forEach((x) => check(x, k)); }
  }
}
const settle = () => { for (let i = 0; i < 4; i++) global.gc(); };
(async () => {
  for (let k = 0; k < 300; k++) await round(k);  // warm-up: JIT, thread stacks, allocator pools
  settle();
  const before = process.memoryUsage().rss;
  const t0 = Date.now();
  for (let k = 0; k < CALLS; k++) await round(k);
  settle();
  await new Promise((r) => setTimeout(r, 50));
  settle();
  const after = process.memoryUsage().rss;
  process.stdout.write(JSON.stringify({ before, after, growthMB: (after - before) / 2 ** 20, ms: Date.now() - t0 }) + '\\n');
})().catch((e) => { console.error(e); process.exit(1); });
`;

test(`${CALLS} calls of 10^5 elements grow RSS by less than 64 MB`, () => {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run prepare\` first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-soak-'));
  const script = path.join(dir, 'soak.js');
  fs.writeFileSync(script, child);
  try {
    const res = spawnSync(process.execPath, ['--expose-gc', script, String(CALLS)], { encoding: 'utf8', timeout: 110_000 });
    if (res.status !== 0) throw new Error(`soak child failed (status ${res.status}, signal ${res.signal}):\n${res.stderr}\n${res.stdout}`);
    const r = JSON.parse(res.stdout.trim().split('\n').pop() as string) as { before: number; after: number; growthMB: number; ms: number };
    console.log(
      `soak: ${CALLS} calls in ${r.ms} ms, RSS ${(r.before / 2 ** 20).toFixed(1)} -> ${(r.after / 2 ** 20).toFixed(1)} MB (${r.growthMB.toFixed(1)} MB)`,
    );
    expect(r.growthMB).toBeLessThan(64);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
