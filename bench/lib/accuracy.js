'use strict';
// The yardstick of the accuracy tables: the one the tests use (src/yardstick.ts), so README
// figures and test bounds are the same metric by construction.
const { reference, mixedErrorStats } = require('../../dist/yardstick');

/** The float64 reference: the plain loop in double on the same (float32-valued) inputs. */
function reference64(a, b) {
  return reference(a, b);
}

/** max and mean over t of the mixed error; a non-finite x where the reference is finite makes max Infinity. */
function mixedError(x, ref) {
  const s = mixedErrorStats(x, ref);
  return { max: s.max, mean: s.mean, nonFinite: s.mismatches };
}

module.exports = { reference64, mixedError };
