// How a run is split into jobs: many rows shard by row ranges (one phase); few long rows split
// into column segments (three phases: aggregate, carries, scan). Pure: no I/O, no Redis.

export type PlanKind = 'rows' | 'segments';

export interface Part {
  /** Rows [r0, r1). */
  rows: [number, number];
  /** Steps [s, e) of each row. */
  steps: [number, number];
}

export interface Plan {
  kind: PlanKind;
  parts: Part[];
}

/** Steps per part that a default plan aims at: a few seconds of work, 256 MB of float32 a and b. */
export const STEPS_PER_PART = 1 << 25;

/** The default number of parts: enough for parts of about STEPS_PER_PART steps. */
export function defaultParts(rows: number, n: number): number {
  return Math.max(1, Math.min(10_000, Math.ceil((rows * n) / STEPS_PER_PART)));
}

/** Cuts [0, total) into k nearly equal ranges (the first ones one longer). */
export function ranges(total: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  const base = Math.floor(total / k);
  const extra = total % k;
  for (let i = 0, s = 0; i < k; i++) {
    const e = s + base + (i < extra ? 1 : 0);
    out.push([s, e]);
    s = e;
  }
  return out;
}

/**
 * k parts: row ranges when there are at least k rows (or kind 'rows' is asked), otherwise k
 * column segments over all rows. k is capped so that no part is empty.
 */
export function planRun(rows: number, n: number, k: number, kind: PlanKind | 'auto' = 'auto'): Plan {
  const chosen: PlanKind = kind === 'auto' ? (rows >= k || n <= 1 ? 'rows' : 'segments') : kind;
  if (chosen === 'rows') {
    return { kind: 'rows', parts: ranges(rows, Math.max(1, Math.min(k, rows))).map((r) => ({ rows: r, steps: [0, n] })) };
  }
  return { kind: 'segments', parts: ranges(n, Math.max(1, Math.min(k, n))).map((s) => ({ rows: [0, rows], steps: s })) };
}

/** Elements per read: a few MB per array, whatever the size of a part. */
export const BLOCK = 1 << 20;

/**
 * How a part is read: `steps` per row per read (a given chunk, or a block's worth), and groups
 * of `groupRows` rows when whole rows fit in a block, as the one-machine command reads.
 */
export function blocking(rowsInPart: number, stepsInPart: number, chunk?: number): { steps: number; groupRows: number } {
  const steps = Math.max(1, Math.min(stepsInPart, chunk ?? BLOCK));
  const groupRows = Math.max(1, Math.min(rowsInPart, Math.floor(BLOCK / (steps + 1))));
  return { steps, groupRows };
}
