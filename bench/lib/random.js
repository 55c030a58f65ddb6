'use strict';
// Random numbers for the benchmarks: mulberry32 (32-bit state, seedable, fast), Box-Muller for
// normals, and per-case seeds derived from a run's base seed.

function mulberry32(seed) {
  let s = seed >>> 0;
  return function next() {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    // (k + 0.5) / 2^32: never exactly 0 or 1, so log(U) is finite.
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** A 32-bit seed derived from the run's base seed and what the inputs are for. */
function deriveSeed(base, ...parts) {
  let h = (base >>> 0) ^ 0x9e3779b9;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  }
  return h >>> 0;
}

const DISTRIBUTIONS = {
  // The seed's two input distributions.
  normal: { label: 'a, b ~ N(0,1)', positive: false },
  uniform: { label: 'a ~ U(0,1), b ~ U(0,3)', positive: true },
};

/** Fills coeffs (n) and values (n+1: x_0 then b) with draws from `dist`, rounded to the array's type. */
function fillInputs(dist, seed, a, b) {
  const rnd = mulberry32(seed);
  if (dist === 'uniform') {
    for (let i = 0; i < a.length; i++) a[i] = rnd();
    for (let i = 0; i < b.length; i++) b[i] = 3 * rnd();
  } else if (dist === 'normal') {
    const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    for (let i = 0; i < a.length; i++) a[i] = normal();
    for (let i = 0; i < b.length; i++) b[i] = normal();
  } else throw new Error(`unknown distribution ${dist}`);
}

module.exports = { mulberry32, deriveSeed, DISTRIBUTIONS, fillInputs };
