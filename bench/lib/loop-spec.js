'use strict';
// The spec addon().sequentialNative takes: one row, forward, direct method, x_0 from values[0]
// and copied to out[0] (the shape planScan builds for scan(a, values, { out })). The plain C++
// loop is every CPU table's baseline.

function loopSpec(a, values, out, n = a.length) {
  const op = (data, offset, stride) => ({ data, offset, stride });
  return {
    method: 0,
    rows: 1,
    n,
    reverse: false,
    threads: 1,
    device: -1,
    a: op(a, 0, n),
    b: op(values, 1, n + 1),
    x: op(out, 1, n + 1),
    x0: op(values, 0, n + 1),
    x0Copy: op(out, 0, n + 1),
  };
}

module.exports = { loopSpec };
