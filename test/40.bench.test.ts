// The benchmark harness (bench/harness.js) in --quick mode at tiny sizes: the shape of its JSON
// records and the accuracy relations it reports. No timing assertions. Needs dist/ built.
const harness = require('../bench/harness');

interface ThroughputRecord {
  kind: string;
  id: string;
  label: string;
  group: string;
  n: number;
  dtype: string;
  method: string;
  device: string;
  warmup: number;
  runs: number;
  reps: number;
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  elementsPerSec: number;
  trafficBytesPerElement: number;
  gbPerSec: number;
  seed: number;
}
interface AccuracyRecord {
  kind: string;
  id: string;
  label: string;
  distribution: string;
  n: number;
  trials: number;
  seeds: number[];
  maxErrors: (number | string)[];
  meanErrors: (number | string)[];
  nonFinite: number;
  medianMaxError: number | string;
  worstMaxError: number | string;
  medianMeanError: number | string;
}

const SIZES = [1e3, 1e4];
const CPU_IDS = ['js-loop', 'cpp-loop', 'linrec-1t', 'linrec-all', 'linrec-all-f64', 'linrec-all-log', 'memcpy', 'memcpy-half', 'js-add'];

describe('bench harness (--quick, n = 10^3..10^4)', () => {
  let doc: {
    schema: string;
    machine: Record<string, unknown> & { git: { commit: string | null } };
    config: { seed: number; quick: boolean; sizes: number[]; accuracySizes: number[] };
    throughput: ThroughputRecord[];
    ratios: { name: string; n: number; value: number }[];
    accuracy: AccuracyRecord[];
    elapsedSeconds: number;
  };

  beforeAll(() => {
    const { parseArgs } = harness;
    const args = parseArgs(['--quick', '--sizes', '1e3,1e4', '--accuracy-sizes', '1e3,1e4', '--seed', '20231106']);
    doc = harness.runHarness({ ...args, gpu: false, log: () => undefined });
  });

  test('document and machine description', () => {
    expect(doc.schema).toBe('linrec-bench/1');
    expect(doc.config.quick).toBe(true);
    expect(doc.config.seed).toBe(20231106);
    expect(doc.config.sizes).toEqual(SIZES);
    expect(doc.config.accuracySizes).toEqual(SIZES);
    for (const key of ['cpuModel', 'cores', 'totalMemoryBytes', 'node', 'date', 'git', 'cuda']) expect(doc.machine).toHaveProperty(key);
    expect(doc.machine.node).toBe(process.version);
    expect(typeof doc.elapsedSeconds).toBe('number');
    // JSON round trip keeps everything (no Infinity/NaN/undefined values lost silently)
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  test('throughput records: one per backend and size, positive medians', () => {
    for (const id of CPU_IDS) {
      for (const n of SIZES) {
        const r = doc.throughput.find((x) => x.id === id && x.n === n);
        expect(r).toBeDefined();
        if (!r) continue;
        expect(r.kind).toBe('throughput');
        expect(typeof r.label).toBe('string');
        expect(['float32', 'float64']).toContain(r.dtype);
        expect(r.samplesMs).toHaveLength(r.runs);
        expect(r.runs).toBeGreaterThanOrEqual(3);
        expect(r.reps).toBeGreaterThanOrEqual(1);
        for (const v of [r.medianMs, r.minMs, r.maxMs, r.elementsPerSec, r.gbPerSec]) expect(v).toBeGreaterThan(0);
        expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
        expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
        expect(r.trafficBytesPerElement).toBe(id === 'memcpy' ? 24 : r.dtype === 'float64' ? 24 : 12);
      }
    }
    expect(doc.throughput.some((r) => r.device === 'cuda')).toBe(false);
    for (const name of ['linrec-all / memcpy', 'JS-loop / linrec-all', 'C++-loop / linrec-all']) {
      for (const n of SIZES) {
        const r = doc.ratios.find((x) => x.name === name && x.n === n);
        expect(r).toBeDefined();
        expect(r!.value).toBeGreaterThan(0);
      }
    }
  });

  test('accuracy records: every method, distribution and size', () => {
    const ids = ['linrec-direct-f32', 'linrec-log-f32', 'sequential-f32', 'seed-complex-f32', 'linrec-direct-f64'];
    for (const dist of ['normal', 'uniform']) {
      for (const n of SIZES) {
        for (const id of [...ids, ...(dist === 'uniform' ? ['seed-real-f32'] : [])]) {
          const r = doc.accuracy.find((x) => x.id === id && x.distribution === dist && x.n === n);
          expect(r).toBeDefined();
          if (!r) continue;
          expect(r.trials).toBeGreaterThanOrEqual(2);
          expect(r.maxErrors).toHaveLength(r.trials);
          expect(new Set(r.seeds).size).toBe(r.trials); // fresh inputs each trial
          expect(typeof r.medianMaxError).toBe('number');
          expect(r.medianMaxError as number).toBeGreaterThanOrEqual(0);
          expect(r.worstMaxError as number).toBeGreaterThanOrEqual(r.medianMaxError as number);
        }
      }
    }
    // the real form of the seed's recipe only applies to positive inputs
    expect(doc.accuracy.some((r) => r.id === 'seed-real-f32' && r.distribution === 'normal')).toBe(false);
  });

  test('linrec direct float32 is within 4x of the float32 loop; the seed recipe error is reported', () => {
    for (const dist of ['normal', 'uniform']) {
      for (const n of SIZES) {
        const get = (id: string) => doc.accuracy.find((x) => x.id === id && x.distribution === dist && x.n === n)!;
        const direct = get('linrec-direct-f32').worstMaxError as number;
        const loop = get('sequential-f32').worstMaxError as number;
        expect(direct).toBeLessThanOrEqual(4 * loop);
        expect(direct).toBeLessThan(1e-4);
        const seed = get('seed-complex-f32');
        expect(typeof seed.medianMaxError).toBe('number');
        expect(seed.medianMaxError as number).toBeGreaterThan(0);
        expect(get('linrec-direct-f64').worstMaxError as number).toBeLessThan(1e-12);
      }
    }
  });

  test('markdown tables', () => {
    const md: string = harness.markdown(doc);
    expect(md).toContain('## Throughput');
    expect(md).toContain('## Ratios');
    expect(md).toContain('## Accuracy');
    expect(md).toContain('| 10^3 | 10^4 |');
  });

  test('seed recipe emulation agrees with the loop on a short positive sequence', () => {
    const a = Float32Array.from([0.5, 0.25, 0.9, 0.1]);
    const b = Float32Array.from([1, 2, 0.5, 3, 0.25]);
    const ref = harness.reference64(a, b);
    for (const f of [harness.seedReal32, harness.seedComplex32]) {
      const x = f(a, b) as Float32Array;
      for (let t = 0; t < ref.length; t++) expect(Math.abs(x[t] - ref[t])).toBeLessThan(1e-5 * (1 + Math.abs(ref[t])));
    }
    const an = Float32Array.from([-0.5, 2, -1.5, 0.7]);
    const bn = Float32Array.from([1, -2, 0.5, -3, 0.25]);
    const refn = harness.reference64(an, bn);
    const xn = harness.seedComplex32(an, bn) as Float32Array;
    for (let t = 0; t < refn.length; t++) expect(Math.abs(xn[t] - refn[t])).toBeLessThan(1e-5 * (1 + Math.abs(refn[t])));
  });
});
