'use strict';
// The A/B probes' builds: package folders given on the command line as `<dir>[=<linrec.node>]`
// (the folders must differ: one module instance each), each loaded in this process with its own
// addon, before the arguments after `--`.
const path = require('path');

/** The specs before `--` and the options after it. */
function splitArgs(argv = process.argv.slice(2)) {
  const sep = argv.indexOf('--');
  return { specs: argv.slice(0, sep < 0 ? undefined : sep), opts: sep < 0 ? [] : argv.slice(sep + 1) };
}

/**
 * Each build's package (`L`) with its addon loaded now: LINREC_ADDON is read at the first call,
 * so each build makes one before the next spec sets it again.
 */
function loadBuilds(specs) {
  return specs.map((spec) => {
    const [dir, addon] = spec.split('=');
    if (addon) process.env.LINREC_ADDON = path.resolve(addon);
    const L = require(path.resolve(dir));
    L.scan(new Float32Array(100000).fill(0.5), new Float32Array(100001).fill(1));
    return { name: spec, dir: path.resolve(dir), L };
  });
}

module.exports = { splitArgs, loadBuilds };
