// A CUDA fault in a process of its own, for test/20 and test/23: a fault poisons the device's
// context for the rest of the process (no process recovers from that; on an H200 a reset left
// every new context "busy or unavailable"), so it must not share a jest worker with other tests.
//   node test/cuda-fault.child.js <scenario>     (LINREC_ADDON: a build with LINREC_TEST_HOOKS)
// Prints one JSON object of what it saw; the test asserts on it. Uses dist/ (npm run prepare).
'use strict';
const linrec = require('../dist');
const { addonPath } = require('../dist/addon');

linrec.backends(); // loads the addon, whose test hooks the scenarios use
const hooks = require(addonPath());
const seen = {};
const info = (e) => ({ code: e && e.code, message: String(e && e.message) });
const attempt = (f) => {
  try {
    f();
    return { ok: true };
  } catch (e) {
    return info(e);
  }
};

let state = Number(process.env.LINREC_SEED || 12345) >>> 0 || 1;
const uniform = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
function problem(n) {
  const coeffs = Float32Array.from({ length: n }, () => (uniform() * 2 - 1) * 0.95);
  const values = Float32Array.from({ length: n + 1 }, () => uniform() * 2 - 1);
  return { coeffs, values };
}
// Max mixed error |x - ref| / (|ref| + mean|ref|) against the float64 loop.
function errorOf(got, { coeffs, values }) {
  const ref = new Float64Array(values.length);
  ref[0] = values[0];
  let mean = 0;
  for (let t = 1; t < values.length; t++) {
    ref[t] = coeffs[t - 1] * ref[t - 1] + values[t];
    mean += Math.abs(ref[t]);
  }
  mean /= coeffs.length;
  let worst = 0;
  for (let t = 0; t < values.length; t++) worst = Math.max(worst, Math.abs(got[t] - ref[t]) / (Math.abs(ref[t]) + mean) || 0);
  return got.some((v) => Number.isNaN(v)) ? Infinity : worst;
}

// Calls after the fault: all refused on the faulted device; 'auto' goes to the CPU.
function after(device) {
  const p = problem(30_001);
  seen.hostScan = attempt(() => linrec.scan(p.coeffs, p.values, { device }));
  seen.upload = attempt(() => linrec.toDevice(p.coeffs, { device }));
  seen.memory = attempt(() => linrec.deviceMemory(device));
  seen.fault = linrec.backends().cuda.devices[device === 'cuda' ? 0 : Number(device.slice(5))].fault;
  seen.autoError = errorOf(linrec.scan(p.coeffs, p.values), p); // LINREC_GPU_MIN_ELEMENTS=1: the GPU unless faulted
}

const scenarios = {
  // One fault, then every kind of call: sync and async scans, old arrays, new arrays.
  async sync() {
    const p = problem(20_000);
    const before = linrec.toDevice(p.coeffs);
    seen.beforeError = errorOf(linrec.scan(p.coeffs, p.values, { device: 'cuda' }), p);
    hooks._injectCudaFault();
    seen.faulted = attempt(() => linrec.scan(p.coeffs, p.values, { device: 'cuda' }));
    seen.oldArray = attempt(() => before.toHost());
    seen.dispose = attempt(() => before.dispose());
    seen.async = await linrec.scanAsync(p.coeffs, p.values, { device: 'cuda' }).then(
      () => ({ ok: true }),
      (e) => info(e),
    );
    after('cuda');
  },
  // A fault among 8 queued scanAsync calls on DeviceArrays while this thread allocates, copies,
  // frees and asks for memory on the device: calls that ran before the fault succeed, every later
  // one is refused, nothing runs on lost memory, one error says what was lost.
  async queued() {
    const problems = Array.from({ length: 8 }, () => problem(20_000));
    const arrays = problems.map(({ coeffs, values }) => [linrec.toDevice(coeffs), linrec.toDevice(values)]);
    const order = [];
    const calls = arrays.map(([a, b], k) => linrec.scanAsync(a, b, { device: 'cuda' }).finally(() => order.push(k)));
    hooks._injectCudaFault();
    let settled = false;
    const all = Promise.allSettled(calls).then((r) => ((settled = true), r));
    const churn = [];
    while (!settled) {
      const r = attempt(() => {
        const d = linrec.toDevice(new Float32Array(4096).fill(1));
        d.toHost();
        d.dispose();
        linrec.deviceMemory();
      });
      if (!r.ok) churn.push(r);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const results = await all;
    seen.statuses = order.map((k) => results[k].status);
    seen.errors = [...results.filter((r) => r.status === 'rejected').map((r) => info(r.reason)), ...churn];
    seen.fulfilledOutputs = results
      .filter((r) => r.status === 'fulfilled')
      .map((r) => {
        const got = attempt(() => r.value.toHost());
        r.value.dispose();
        return got;
      });
    arrays.flat().forEach((d) => d.dispose());
    after('cuda');
  },
  // A fault on the last device: its arrays are lost, cuda:0 and its arrays keep working.
  async other() {
    const last = `cuda:${linrec.backends().cuda.devices.length - 1}`;
    const p = problem(30_001);
    const keep = [linrec.toDevice(p.coeffs), linrec.toDevice(p.values)];
    const lost = linrec.toDevice(p.coeffs, { device: last });
    hooks._injectCudaFault(linrec.backends().cuda.devices.length - 1);
    seen.faulted = attempt(() => linrec.scan(p.coeffs, p.values, { device: last }));
    seen.oldArray = attempt(() => lost.toHost());
    seen.device0Error = errorOf(linrec.scan(keep[0], keep[1]).toHost(), p);
    seen.device0HostError = errorOf(linrec.scan(p.coeffs, p.values, { device: 'cuda:0' }), p);
    seen.lastAgain = attempt(() => linrec.scan(p.coeffs, p.values, { device: last }));
    seen.device0Fault = linrec.backends().cuda.devices[0].fault ?? null;
    seen.lastFault = linrec.backends().cuda.devices.at(-1).fault ?? null;
    [...keep, lost].forEach((d) => d.dispose());
  },
};

scenarios[process.argv[2]]().then(
  () => {
    process.stdout.write(JSON.stringify(seen) + '\n');
  },
  (e) => {
    process.stdout.write(JSON.stringify({ crashed: info(e), stack: String(e && e.stack) }) + '\n');
    process.exitCode = 1;
  },
);
