#!/usr/bin/env node
// The `linrec` command: `info`, `run` (scan files of any size a bounded block at a time) and
// `bench`. Errors print one line `linrec: <message>`; exit 1 for failures, 2 for usage.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { addon, addonSource } from './addon';
import { backends, MAX_THREADS } from './backends';
import { ArrayFileReader, ArrayFileWriter } from './npy';
import { checkOutputIsNoInput, fileLayout, outputFormat, RUN_OPTIONS, type RunFileErrors } from './run-files';
import { createScanner, type Scanner } from './scanner';
import type { DType, FloatArray } from './validate';
import type { Device } from './backends';
import { CLUSTER_USAGE } from './distributed/cli-usage';
import { deviceFlag, positive } from './distributed/cli-args';

// The bench lines of the usage, and the head of `linrec bench --help` (its options: bench/harness.js's usage()).
const BENCH_USAGE = `  linrec bench [--sizes 1e3,1e5] [--device auto|cpu|cuda] [--quick] [--out DIR] [options]
      Throughput and accuracy of this machine's build against the JS and C++ loops.
      --sizes bounds the accuracy sizes too (unless --accuracy-sizes is given). Results
      (JSON, markdown, charts where vega is installed) go to DIR (default ./linrec-bench).
`;

const USAGE = `Usage:
  linrec info
      Version, build and the backends (CPU threads, CUDA devices or why CUDA is unusable).
  linrec run --coeffs A --values B --out X [options]
      x_t = a_t·x_{t-1} + b_t for every row. A holds a_1..a_n per row; B holds x_0, b_1..b_n
      per row (with --reverse: b_0..b_{n-1}, x_n). Files are .npy (1-D, or 2-D rows×n and
      rows×(n+1), C order, '<f4' or '<f8') or raw little-endian .f32/.f64. The output has the
      format and shape of B.
      --rows R          rows in 1-D or raw files (default 1; 2-D .npy files give it)
      --method M        direct (default) or log
      --reverse         scan from the end: x_t = a_t·x_{t+1} + b_t
      --device D        auto (default), cpu, cuda or cuda:N (the N-th CUDA device)
      --chunk N         steps per row scanned per push (default: whole rows up to 2^20 steps);
                        rows are read and scanned together, as many as fit in about
                        2^20 elements: max(1, floor(2^20 / (N + 1))) rows at a time
      --dtype T         float32 or float64, for raw files without a .f32/.f64 extension
      --threads N       CPU worker threads, 1 to 1024 (default: all cores)
${CLUSTER_USAGE}${BENCH_USAGE}      linrec bench --help lists all its options.
  linrec --version
  linrec --help
`;

class UsageError extends Error {}
const usage = (message: string) => new UsageError(message);

function fail(message: string): void {
  process.stderr.write(`linrec: ${message.replace(/^linrec: /, '')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (command === '--help' || command === '-h' || command === 'help' || (wantsHelp && command !== 'bench')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'info':
        if (rest.length) throw new UsageError(`info takes no arguments (received ${rest.join(' ')})`);
        return info();
      case 'run':
        // On a cluster: bullmq is loaded only there (an optional peer dependency).
        if (rest.some((a) => a === '--redis' || a.startsWith('--redis=')))
          return await (await import('./distributed/cli-run')).runClusterCommand(rest, (m) => new UsageError(m));
        return await run(rest);
      case 'worker':
        return await (await import('./distributed/cli-worker')).workerCommand(rest, (m) => new UsageError(m));
      case 'bench':
        return await bench(rest);
      default:
        throw new UsageError(`unknown command '${command}' (expected info, run, worker or bench)`);
    }
  } catch (e) {
    const err = e as Error;
    fail(err.message);
    if (e instanceof UsageError) {
      process.stderr.write("Run 'linrec --help' for usage.\n");
      return 2;
    }
    return 1;
  }
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function info(): number {
  const b = backends();
  const source = addonSource();
  const loadedFrom = source?.kind === 'prebuilt' ? `prebuilt package ${source.package}` : source?.kind === 'env' ? 'LINREC_ADDON' : 'local build';
  const report = {
    version: packageVersion(),
    platform: `${process.platform}-${process.arch}`,
    addon: source?.file ?? null,
    // Which build was loaded: a prebuilt platform package, a build in this package, or LINREC_ADDON.
    addonSource: loadedFrom,
    build: { cuda: b.cuda.compiled, cpuInstructionSet: addon().info().cpuInstructionSet ?? null },
    backends: { cpu: b.cpu, cuda: b.cuda },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

async function bench(args: string[]): Promise<number> {
  const harness = path.join(__dirname, '..', 'bench', 'harness');
  try {
    require.resolve(harness);
  } catch {
    fail(`benchmarks are not available here: ${harness}.js is missing`);
    return 1;
  }
  const {
    main: harnessMain,
    parseArgs: harnessArgs,
    usage: harnessUsage,
  } = require(harness) as {
    main: (o: { name: string; argv: string[] }) => Promise<unknown>;
    parseArgs: (argv: string[]) => unknown;
    usage: (o: { cli: boolean }) => string;
  };
  // The command's own options and defaults (--device, ./linrec-bench), not `npm run bench`'s.
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`Usage:\n${BENCH_USAGE}${harnessUsage({ cli: true })}\n`);
    return 0;
  }
  const has = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  const valueOf = (flag: string) => {
    const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    return i < 0 ? undefined : args[i].includes('=') ? args[i].slice(flag.length + 1) : args[i + 1];
  };
  // Results go to the current directory (never into the package or a checkout's bench/results).
  const extra: string[] = [];
  if (!has('--out')) extra.push('--out', './linrec-bench'); // the harness resolves it here
  // --sizes bounds the whole run: the accuracy sizes too, unless given apart.
  const sizes = valueOf('--sizes');
  if (sizes !== undefined && !has('--accuracy-sizes')) extra.push('--accuracy-sizes', sizes);
  // The charts need vega (a development dependency): without it, JSON and markdown only.
  try {
    require.resolve('vega');
    require.resolve('vega-lite');
  } catch {
    if (!has('--no-charts')) extra.push('--no-charts');
  }
  args = [...args, ...extra];
  // The harness parses its own options; --device maps onto its --gpu / --no-gpu.
  const argv: string[] = [];
  let name = 'cpu';
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag !== '--device') {
      argv.push(args[i]);
      continue;
    }
    const device = choice('device', inline ?? args[++i], ['auto', 'cpu', 'cuda'] as const, 'auto');
    if (device === 'cuda' && !backends().cuda.available)
      throw new Error(`--device cuda: CUDA is not usable here: ${backends().cuda.reason ?? 'unknown reason'} (--device cpu or auto benchmarks the CPU)`);
    if (device === 'cuda') {
      name = 'gpu-node'; // gpu.json is the CUDA benchmark's (npm run bench:gpu)
      argv.push('--gpu');
    } else if (device === 'cpu') argv.push('--no-gpu');
  }
  // The harness's own checks of its options, as usage errors (exit 2), before anything runs.
  try {
    harnessArgs(argv);
  } catch (e) {
    if ((e as { usage?: boolean }).usage) throw new UsageError((e as Error).message);
    throw e;
  }
  await harnessMain({ name, argv });
  return 0;
}

// ---------------------------------------------------------------------------------------------

interface RunOptions {
  coeffs: string;
  values: string;
  out: string;
  rows?: number;
  method: 'direct' | 'log';
  reverse: boolean;
  device: Device;
  chunk?: number;
  dtype?: DType;
  threads?: number;
}

function choice<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (received '${value}')`);
  return value as T;
}

/**
 * A positive integer option; `max` where the API bounds it, so that the bound is a usage error
 * naming the option (not the API's "options.threads" error, exit 1).
 */
const count = (name: string, value: string | undefined, max?: number): number | undefined => positive(name, value, usage, max);

function parseRun(args: string[]): RunOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: RUN_OPTIONS,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const required of ['coeffs', 'values', 'out'] as const) {
    if (!parsed[required]) throw new UsageError(`run needs --${required}`);
  }
  return {
    coeffs: parsed.coeffs!,
    values: parsed.values!,
    out: parsed.out!,
    rows: count('rows', parsed.rows),
    method: choice('method', parsed.method, ['direct', 'log'] as const, 'direct'),
    reverse: parsed.reverse ?? false,
    device: deviceFlag(parsed.device, usage) ?? 'auto',
    chunk: count('chunk', parsed.chunk),
    dtype: parsed.dtype === undefined ? undefined : choice('dtype', parsed.dtype, ['float32', 'float64'] as const, 'float32'),
    threads: count('threads', parsed.threads, MAX_THREADS),
  };
}

// A mismatch of the files fails the run (exit 1); an output name that contradicts them is a usage error.
const RUN_FILE_ERRORS: RunFileErrors = { optionPrefix: '--', layout: (m) => new Error(m), format: (m) => new UsageError(m) };

/** [s, e) step ranges of at most `steps` per row, from the end when reversing. */
function* segments(n: number, steps: number, reverse: boolean): Generator<[number, number]> {
  if (n === 0) return yield [0, 0];
  if (reverse) for (let e = n; e > 0; e -= steps) yield [Math.max(0, e - steps), e];
  else for (let s = 0; s < n; s += steps) yield [s, Math.min(n, s + steps)];
}

const BLOCK = 1 << 20; // elements per read: a few MB per array whatever the file size

/**
 * Refuses an output path that cannot become the output file, before any input is read: a
 * directory (`.` included), a path ending in a separator, or one whose folder is missing or not
 * writable (the output is written next to it, then renamed).
 */
function checkOutputPath(out: string): void {
  const where = `--out ${out}`;
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(out);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory() || /[\\/]$/.test(out)) throw new Error(`${where} is a directory: name the output file (for example ${path.join(out, 'x.npy')})`);
  if (stat && !stat.isFile()) throw new Error(`${where} is not a regular file`);
  const dir = path.dirname(path.resolve(out));
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new Error(`${where} cannot be created: its folder ${dir} does not exist`);
  }
  if (!dirStat.isDirectory()) throw new Error(`${where} cannot be created: ${dir} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new Error(`${where} cannot be created: its folder ${dir} is not writable`);
  }
}

async function run(args: string[]): Promise<number> {
  const o = parseRun(args);
  checkOutputPath(o.out);
  checkOutputIsNoInput(o, RUN_FILE_ERRORS);
  const readers: ArrayFileReader[] = [];
  let writer: ArrayFileWriter | undefined;
  // An interrupted run must not leave its temp file behind.
  const onSignal = (signal: NodeJS.Signals) => {
    if (writer) fs.rmSync(writer.tempFile, { force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const a = await ArrayFileReader.open(o.coeffs, { dtype: o.dtype });
    readers.push(a);
    const b = await ArrayFileReader.open(o.values, { dtype: o.dtype });
    readers.push(b);
    // 0 rows (2-D inputs of shape (0, k)) give an empty output of the values' shape.
    const { rows, n } = fileLayout(o, a, b, RUN_FILE_ERRORS, 'empty');
    const format = outputFormat(o.out, b, RUN_FILE_ERRORS);
    writer = await ArrayFileWriter.create(o.out, { dtype: b.dtype, shape: b.shape, format });
    await scanFiles(o, a, b, writer, rows, n);
    await writer.commit();
  } catch (e) {
    await writer?.abort();
    throw e;
  } finally {
    await Promise.all(readers.map((r) => r.close()));
    process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
  }
  if (process.env.LINREC_REPORT_RSS === '1') process.stderr.write(`linrec: maxRSS ${process.resourceUsage().maxRSS * 1024} bytes\n`);
  return 0;
}

/**
 * Scans a block of rows at a time, `steps` per row per push, through one Scanner per block
 * of rows. Values' row r is x_0, b_1..b_n (reverse: b_0..b_{n-1}, x_n), so the values read
 * for a segment and the output written for it cover the same columns: the segment's b
 * columns, plus the x_0 column in the first segment, where the output holds x_0 too.
 */
async function scanFiles(o: RunOptions, a: ArrayFileReader, b: ArrayFileReader, out: ArrayFileWriter, rows: number, n: number): Promise<void> {
  // Whole rows when a row fits in a block (one contiguous read per group of rows); columns are
  // split only when a single row is longer than a block.
  const steps = Math.max(1, Math.min(n, o.chunk ?? Math.min(n, BLOCK)));
  const groupRows = Math.max(1, Math.min(rows, Math.floor(BLOCK / (steps + 1))));
  const progress = new Progress(rows * n);
  for (let g0 = 0; g0 < rows; g0 += groupRows) {
    const g1 = Math.min(rows, g0 + groupRows);
    const r = g1 - g0;
    let scanner: Scanner | undefined;
    try {
      for (const [s, e] of segments(n, steps, o.reverse)) {
        const m = e - s;
        const withX0 = o.reverse ? e === n : s === 0;
        const v0 = o.reverse ? s : withX0 ? 0 : s + 1;
        const v1 = o.reverse ? (withX0 ? n + 1 : e) : e + 1;
        const w = v1 - v0;
        const x0Col = o.reverse ? w - 1 : 0;
        const off = withX0 && !o.reverse ? 1 : 0; // where b starts within a values row
        const [coeffs, vals] = await Promise.all([a.readBlock(g0, g1, s, e, n), b.readBlock(g0, g1, v0, v1, n + 1)]);
        scanner ??= createScanner({
          rows: r,
          dtype: b.dtype,
          method: o.method,
          device: o.device,
          reverse: o.reverse,
          threads: o.threads,
          initial: Array.from({ length: r }, (_, i) => vals[i * w + x0Col]),
        });
        const bs = withX0 ? compact(vals, r, w, off, m) : vals;
        const x = (await scanner.pushAsync(coeffs, bs)) as FloatArray;
        // Where the block holds x_0, the output block is the values block with b replaced by x.
        if (withX0) for (let i = 0; i < r; i++) vals.set(x.subarray(i * m, (i + 1) * m), i * w + off);
        await out.writeBlock(g0, g1, v0, v1, withX0 ? vals : x, n + 1);
        progress.add(r * m);
      }
    } finally {
      scanner?.dispose();
    }
  }
  progress.done();
}

/** Columns [off, off+m) of each of `rows` rows of width w, packed. */
function compact(src: FloatArray, rows: number, w: number, off: number, m: number): FloatArray {
  if (rows === 1) return src.subarray(off, off + m);
  const dst = new (src.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(rows * m);
  for (let i = 0; i < rows; i++) dst.set(src.subarray(i * w + off, i * w + off + m), i * m);
  return dst;
}

/** A progress bar on stderr, only when stderr is a terminal. */
class Progress {
  private doneSteps = 0;
  private last = 0;
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly total: number) {}
  add(steps: number): void {
    this.doneSteps += steps;
    const now = Date.now();
    if (!this.tty || now - this.last < 100) return;
    this.last = now;
    const frac = this.total ? this.doneSteps / this.total : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}% of ${this.total} steps`);
  }
  done(): void {
    if (this.tty && this.last) process.stderr.write('\r\x1b[K');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    fail(String((e as Error)?.stack ?? e));
    process.exitCode = 1;
  },
);
