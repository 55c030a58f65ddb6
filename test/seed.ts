// One seed for every randomized test of a run: fast-check's properties and the tests that draw
// their own data take it from here, the failure report prints it (test/seed.reporter.js), and
//     LINREC_SEED=<seed> npx jest <file> [-t '<test name>']
// replays the run. A fast-check failure also prints its `path`: LINREC_FC_PATH=<path> with -t
// naming that one property goes straight to the shrunk counterexample.
//
// jest's globalSetup (test/seed.global.js) fixes LINREC_SEED before the workers start, so every
// test file of a run sees the same seed; this file is also a setupFiles entry, so fast-check is
// configured in every test file, whether or not it imports anything from here.
import { randomInt } from 'crypto';
import fc from 'fast-check';

function chosenSeed(): number {
  const given = process.env.LINREC_SEED;
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    // fast-check prints its seed as a signed 32-bit integer: below 2^31 it prints this one.
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) throw new Error(`LINREC_SEED must be an integer in [0, 2^31), got ${given}`);
    return seed;
  }
  // Run without the jest config's globalSetup: pick one here.
  const seed = randomInt(2 ** 31);
  process.env.LINREC_SEED = String(seed);
  return seed;
}

/** This run's seed. */
export const SEED = chosenSeed();

/** For test names and messages. */
export const seedNote = () => `(LINREC_SEED=${SEED})`;

// Math.imul as a local: global lookups inside jest's sandbox are slow in hot loops.
const { imul } = Math;

/** mulberry32: a small reproducible generator of uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: labels to seeds. */
export function hashLabel(label: string): number {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) h = imul(h ^ label.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A seed of its own for each label (a file, a test, a worker), derived from SEED. */
export const seedFor = (label: string): number => (SEED ^ hashLabel(label)) >>> 0;

/** A generator of uniforms in [0, 1) for `label`, reproducible from SEED. */
export const randomFor = (label: string): (() => number) => mulberry32(seedFor(label));

const fcPath = process.env.LINREC_FC_PATH;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: SEED, ...(fcPath ? { path: fcPath } : {}) });
