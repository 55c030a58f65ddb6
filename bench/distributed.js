'use strict';
// The cost of running on BullMQ workers, measured on one machine: a redis-server on a loopback
// port, K `linrec worker` processes (one CPU thread each), and `linrec run` against them.
//
//   node bench/distributed.js [--n 2^24] [--workers 2] [--runs 3]
//
// It reports, medians over --runs after one warm-up:
//   - one-machine `linrec run` on the same file (the baseline);
//   - `linrec run --redis` with 1, 4 and 16 segments (three phases from 2 segments on);
//   - per job: (a run of 32 tiny parts − the same run as 1 part) ÷ 31, runs made in this
//     process with the programmatic API, 2·runs+1 of each, alternating (queueing, Redis round
//     trips, opening files: what a job costs besides its work);
//   - per segment: each job's own time on its worker (worker --verbose), as steps/s of the
//     aggregate (phase 1) and the scan (phase 3), the figures bench/NOTES.md scales up.
// No speedup is expected on a 2-core machine: the workers share the cores the one-machine
// command uses alone. Needs redis-server, bullmq and ioredis (npm install), and dist/.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const CLI = path.join(__dirname, '..', 'dist', 'cli.js');
const { encodeNpy } = require('../dist/npy');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return /^2\^\d+$/.test(v) ? 2 ** Number(v.slice(2)) : Number(v);
}
const N = option('n', 2 ** 24);
const WORKERS = option('workers', 2);
const RUNS = option('runs', 3);

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(proc, pattern, what) {
  let log = '';
  proc.stdout?.on('data', (d) => (log += d));
  proc.stderr?.on('data', (d) => (log += d));
  for (let t = 0; !pattern.test(log); t += 50) {
    if (t > 20000 || proc.exitCode !== null) throw new Error(`${what} did not start:\n${log}`);
    await sleep(50);
  }
}

function timed(args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`linrec ${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main() {
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linrec-bench-dist-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  const workers = [];
  try {
    await waitFor(redis, /Ready to accept connections/, 'redis-server');
    for (let k = 0; k < WORKERS; k++) {
      const w = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--root', dir, '--threads', '1', '--verbose']);
      workers.push(w);
      await waitFor(w, /serving queue/, 'linrec worker');
    }
    // Each job's time on its worker, as the worker logs it (--verbose).
    const jobTimes = [];
    for (const w of workers) {
      w.stderr.on('data', (d) => {
        for (const m of String(d).matchAll(/job \w+-(aggregate|scan)-\d+ \(\w+\) done in ([\d.]+) ms/g)) jobTimes.push({ name: m[1], ms: Number(m[2]) });
      });
    }

    const write = (name, n, rows = 1) => {
      const a = new Float32Array(rows * n);
      const v = new Float32Array(rows * (n + 1));
      let s = 12345;
      const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
      for (let i = 0; i < a.length; i++) a[i] = rand() * 1.9 - 0.95;
      for (let i = 0; i < v.length; i++) v[i] = rand() * 2 - 1;
      fs.writeFileSync(path.join(dir, `${name}-a.npy`), encodeNpy(a, rows > 1 ? [rows, n] : [n]));
      fs.writeFileSync(path.join(dir, `${name}-v.npy`), encodeNpy(v, rows > 1 ? [rows, n + 1] : [n + 1]));
    };
    write('big', N);
    write('tiny', 64, 64);
    const files = (name) => ['run', '--coeffs', `${name}-a.npy`, '--values', `${name}-v.npy`, '--out', `${name}-x.npy`];
    const measure = (args) => {
      timed(args, dir); // warm-up (page cache, the workers' first job)
      return median(Array.from({ length: RUNS }, () => timed(args, dir)));
    };

    const rows = [];
    const local1 = measure([...files('big'), '--threads', '1']);
    rows.push(['one machine, 1 thread', local1]);
    rows.push(['one machine, all threads', measure(files('big'))]);
    const perSegment = {};
    for (const k of [1, 4, 16]) {
      jobTimes.length = 0;
      const t = measure([...files('big'), '--redis', url, '--segments', String(k)]);
      rows.push([`${WORKERS} workers, ${k} segment${k > 1 ? 's' : ''}`, t]);
      await sleep(200); // the workers' last log lines
      for (const name of ['aggregate', 'scan']) {
        const mine = jobTimes.filter((j) => j.name === name);
        if (mine.length)
          perSegment[`${name}, ${k} segments`] = {
            jobs: mine.length,
            medianMs: median(mine.map((j) => j.ms)),
            stepsPerSecond: N / k / (median(mine.map((j) => j.ms)) / 1000),
          };
      }
    }
    // Per job: in this process (no process start in the figure), 32 tiny jobs against 1,
    // alternating, so that the load's drift hits both alike.
    const { runOnCluster } = require('../dist/distributed');
    const tinyJobs = 32;
    const tinyRun = async (k) => {
      const t0 = process.hrtime.bigint();
      await runOnCluster({
        connection: url,
        root: dir,
        coeffs: path.join(dir, 'tiny-a.npy'),
        values: path.join(dir, 'tiny-v.npy'),
        out: path.join(dir, 'tiny-x.npy'),
        segments: k,
      });
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    await tinyRun(tinyJobs);
    await tinyRun(1);
    const many = [];
    const one = [];
    for (let r = 0; r < 2 * RUNS + 1; r++) {
      many.push(await tinyRun(tinyJobs));
      one.push(await tinyRun(1));
    }
    const tiny = median(many);
    const tinyOne = median(one);

    const load = os.loadavg()[0].toFixed(2);
    console.log(
      `linrec distributed benchmark: n = ${N} float32 steps (.npy), ${WORKERS} workers × 1 thread, ${os.cpus().length} cores, load ${load}, medians of ${RUNS} after a warm-up`,
    );
    console.log('| command | seconds | vs one machine, 1 thread |\n|---|---|---|');
    for (const [what, t] of rows) console.log(`| ${what} | ${t.toFixed(3)} | ${(t / local1).toFixed(2)} |`);
    console.log(
      `\nper job: 64 rows × 64 steps as ${tinyJobs} row shards took ${tiny.toFixed(3)} s, as 1 job ${tinyOne.toFixed(3)} s: ${(((tiny - tinyOne) * 1000) / (tinyJobs - 1)).toFixed(1)} ms per extra job`,
    );
    console.log("\nper segment (each job's time on its worker, as it logs it; steps/s = segment steps ÷ median time):");
    console.log('| jobs | count | median ms | median steps/s |\n|---|---|---|---|');
    for (const [what, s] of Object.entries(perSegment))
      console.log(`| ${what} | ${s.jobs} | ${s.medianMs.toFixed(1)} | ${(s.stepsPerSecond / 1e6).toFixed(1)}e6 |`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    redis.kill('SIGTERM');
    await sleep(300);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
