'use strict';
// One state per key (issue 10): Scanner.push of one step on every key against the JS loop over
// the states, allocating a result a tick, and into out (in place on the tick's values) against
// the loop updating its states in place. Shared by the bench (calls.js) and push-keys-out.js.
const fround = Math.fround;

/** [push, JS loop] allocating, and [push into out, JS loop in place]; a, b: one float32 per key. */
function pushKeysPairs(scanner, a, b) {
  const keys = a.length;
  const states = new Float32Array(keys);
  const tick = new Float32Array(keys);
  const allocating = [
    () => scanner.push(a, b),
    () => {
      const o = new Float32Array(keys);
      for (let r = 0; r < keys; r++) o[r] = states[r] = fround(a[r] * states[r] + b[r]);
      return o;
    },
  ];
  const inPlace = [
    () => {
      tick.set(b);
      return scanner.push(a, tick, { out: tick });
    },
    () => {
      tick.set(b);
      for (let r = 0; r < keys; r++) states[r] = fround(a[r] * states[r] + tick[r]);
      return states;
    },
  ];
  return { allocating, inPlace };
}

module.exports = { pushKeysPairs };
