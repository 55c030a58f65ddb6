'use strict';
// Timing: a monotonic clock and a CPU-time clock in ms, medians, and back-to-back samples after
// warm-up, of one function or of several in alternation.

function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** CPU time of this process (user + system) in ms: unlike wall time, on a shared machine it leaves out the time other jobs ran (though not a thread's waits for a descheduled neighbour). */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
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

/**
 * Times fns in alternation, so that a shared machine's changing load falls on all alike:
 * `warmup` untimed rounds, then `runs` rounds, each timing `reps` back-to-back calls of every
 * function in turn on `clock` (nowMs or cpuMs). Returns per-call ms, samples[j][r] for fns[j] in
 * round r (ratios of one round compare like with like).
 */
function timeAlternating(fns, { warmup = 1, runs, reps = 1, clock = nowMs }) {
  for (let w = 0; w < warmup; w++) for (const f of fns) for (let k = 0; k < reps; k++) f();
  const samples = fns.map(() => []);
  for (let r = 0; r < runs; r++) {
    fns.forEach((f, j) => {
      const t0 = clock();
      for (let k = 0; k < reps; k++) f();
      samples[j].push((clock() - t0) / reps);
    });
  }
  return samples;
}

module.exports = { nowMs, cpuMs, median, timeIt, timeAlternating };
