'use strict';
// Logs what happens to each large fresh result (issue 10 item 4, session 17): whether huge pages
// could be advised, whether the free blocks were asked for and found, the bytes advised (negative:
// they came slowly and the rest took small pages), and the time it took. Preload it into any run:
//   LINREC_PREBUILT=0 node -r ./bench/probes/fresh-results-log.js bench/cpu.js
// Writes to $FRESH_LOG (default /tmp/fresh-results.log) the results of $FRESH_MIN_BYTES or more
// (default 30e6).
const fs = require('fs');
const path = require('path');
const { addon } = require(path.join(__dirname, '../../dist/addon'));
const { freshResults } = require(path.join(__dirname, '../../dist/result-memory'));

const native = addon();
const prepare = native.prepareFreshResult;
const log = fs.openSync(process.env.FRESH_LOG ?? '/tmp/fresh-results.log', 'w');
const minBytes = Number(process.env.FRESH_MIN_BYTES ?? 30e6);
native.prepareFreshResult = (array, huge, threads, slowPieceMs, smallPageRatio) => {
  let room = '-';
  const asked =
    typeof huge === 'function'
      ? () => {
          const r = huge();
          room = String(r);
          return r;
        }
      : huge;
  const t0 = performance.now();
  const advised = prepare(array, asked, threads, slowPieceMs, smallPageRatio);
  const ms = performance.now() - t0;
  if (array.byteLength >= minBytes) {
    const line = `${(t0 / 1e3).toFixed(2)} s: ${array.byteLength} bytes, may advise ${typeof huge === 'function'}, room ${room}, advised ${(advised / 2 ** 20).toFixed(0)} MiB, ${ms.toFixed(1)} ms, off until ${(freshResults.offUntil / 1e3).toFixed(2)} s\n`;
    fs.writeSync(log, line);
  }
  return advised;
};
