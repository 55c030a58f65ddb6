'use strict';
// Timing: a monotonic clock in ms, medians, and back-to-back samples after warm-up.

function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(xs) {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Times fn(): `warmup` untimed calls, then `runs` samples, each of `reps` back-to-back calls
 * (reps > 1 only at small n, so that a sample lasts long enough for the clock); per-call ms.
 */
function timeIt(fn, { warmup, runs, reps }) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const t0 = nowMs();
    for (let k = 0; k < reps; k++) fn();
    samples.push((nowMs() - t0) / reps);
  }
  return samples;
}

module.exports = { nowMs, median, timeIt };
