'use strict';
// Separate copies of linrec's JavaScript in one process: each copy has its own functions, so
// its own type feedback and optimized code (the native addon is shared). One copy warmed with a
// varied mix of calls and a copy that only ever made the timed call are then timed in
// alternation, which compares "after a varied warm-up" with "fresh" under the same load.
const path = require('path');

const ownDist = path.resolve(__dirname, '../../dist');

/**
 * A new copy of require(distDir) (default: this checkout's dist): its modules loaded again, the
 * cache left as it was. Another checkout's dist loads that checkout's addon (A/B probes).
 */
function freshLinrec(distDir = ownDist) {
  const dist = path.resolve(distDir) + path.sep;
  const saved = new Map();
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(dist)) {
      saved.set(key, require.cache[key]);
      delete require.cache[key];
    }
  }
  try {
    const linrec = require(dist);
    const addon = require(path.join(dist, 'addon.js'));
    const smallScan = require(path.join(dist, 'small-scan.js'));
    return { linrec, addon, smallScan };
  } finally {
    for (const key of Object.keys(require.cache)) if (key.startsWith(dist)) delete require.cache[key];
    for (const [key, mod] of saved) require.cache[key] = mod;
  }
}

module.exports = { freshLinrec };
