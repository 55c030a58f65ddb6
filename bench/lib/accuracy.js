'use strict';
// The yardstick of the accuracy tables: the float64 loop as reference and the mixed error.

/** The float64 reference: the plain loop in double on the same (float32-valued) inputs. */
function reference64(a, b) {
  const n = a.length;
  const x = new Float64Array(n + 1);
  let v = (x[0] = b[0]);
  for (let t = 1; t <= n; t++) x[t] = v = a[t - 1] * v + b[t];
  return x;
}

/** max and mean over t of |x - ref| / (|ref| + mean|ref|); non-finite x counts as Infinity. */
function mixedError(x, ref) {
  let meanAbs = 0;
  for (let t = 0; t < ref.length; t++) meanAbs += Math.abs(ref[t]);
  meanAbs /= ref.length;
  let max = 0;
  let sum = 0;
  let nonFinite = 0;
  for (let t = 0; t < ref.length; t++) {
    if (!Number.isFinite(x[t])) {
      nonFinite++;
      continue;
    }
    const e = Math.abs(x[t] - ref[t]) / (Math.abs(ref[t]) + meanAbs);
    sum += e;
    if (e > max) max = e;
  }
  return { max: nonFinite ? Infinity : max, mean: sum / Math.max(1, ref.length - nonFinite), nonFinite };
}

module.exports = { reference64, mixedError };
