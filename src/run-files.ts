// The checks a scan of files makes before reading any data, shared by `linrec run` (cli.ts) and
// the cluster runner (distributed/runner.ts): the inputs' layout and the output's format. Each
// caller names its options (`--rows`, `--out` on the command line) and makes its own errors.
import * as fs from 'fs';
import * as path from 'path';
import { formatOf, type ArrayFileReader, type FileFormat } from './npy';

/** The options of `linrec run`, on one machine and on the cluster (parseArgs' option table). */
export const RUN_OPTIONS = {
  coeffs: { type: 'string' },
  values: { type: 'string' },
  out: { type: 'string' },
  rows: { type: 'string' },
  method: { type: 'string' },
  reverse: { type: 'boolean' },
  device: { type: 'string' },
  chunk: { type: 'string' },
  dtype: { type: 'string' },
  threads: { type: 'string' },
} as const;

export interface RunFiles {
  coeffs: string;
  values: string;
  out: string;
  /** Rows in 1-D or raw files (2-D .npy files give it). */
  rows?: number;
}

/** How the caller's options are called and how its errors are made. */
export interface RunFileErrors {
  /** '--' on the command line, '' for the API's option names. */
  optionPrefix: string;
  layout: (message: string) => Error;
  /** An output name that contradicts the inputs: another format, or an input itself. */
  format: (message: string) => Error;
}

/**
 * rows and n from the two files' shapes (and the rows option); throws on any mismatch. 2-D
 * inputs of 0 rows are refused unless `noRows` is 'empty' (then rows is 0 and the output empty).
 */
export function fileLayout(
  o: RunFiles,
  a: ArrayFileReader,
  b: ArrayFileReader,
  errors: RunFileErrors,
  noRows: 'refuse' | 'empty' = 'refuse',
): { rows: number; n: number } {
  const bad = errors.layout;
  if (a.dtype !== b.dtype) throw bad(`${o.coeffs} holds ${a.dtype} but ${o.values} holds ${b.dtype}`);
  const a2 = a.shape.length === 2 ? a.shape[0] : undefined;
  const b2 = b.shape.length === 2 ? b.shape[0] : undefined;
  if (a2 !== undefined && b2 !== undefined && a2 !== b2) throw bad(`${o.coeffs} has ${a2} rows but ${o.values} has ${b2}`);
  const shaped = a2 ?? b2;
  if (o.rows !== undefined && shaped !== undefined && o.rows !== shaped)
    throw bad(`${errors.optionPrefix}rows ${o.rows} does not match the ${shaped} rows of the 2-D input`);
  const rows = o.rows ?? shaped ?? 1;
  if (rows === 0) {
    if (noRows === 'refuse') throw bad(`${o.coeffs} has 0 rows: nothing to scan`);
    return emptyLayout(o, a, b, errors);
  }
  if (a.length % rows) throw bad(`${o.coeffs} has ${a.length} elements, not a multiple of ${rows} rows`);
  const n = a.length / rows;
  if (b.length !== rows * (n + 1)) {
    throw bad(`${o.values} has ${b.length} elements but needs rows·(n+1) = ${rows}·${n + 1} = ${rows * (n + 1)} (x_0 and one b per a)`);
  }
  return { rows, n };
}

/** 0 rows (a 2-D input of shape (0, k)): n from the 2-D shapes, which must agree. */
function emptyLayout(o: RunFiles, a: ArrayFileReader, b: ArrayFileReader, errors: RunFileErrors): { rows: number; n: number } {
  const bad = errors.layout;
  if (a.length !== 0) throw bad(`${o.coeffs} has ${a.length} elements but ${o.values} has 0 rows`);
  if (b.length !== 0) throw bad(`${o.values} has ${b.length} elements but ${o.coeffs} has 0 rows`);
  const n = a.shape.length === 2 ? a.shape[1] : b.shape[1] - 1;
  if (n < 0 || (b.shape.length === 2 && b.shape[1] !== n + 1))
    throw bad(`${o.values} has rows of ${b.shape[1]} elements but needs n+1 = ${Math.max(1, n + 1)} (x_0 and one b per a)`);
  return { rows: 0, n };
}

/** The output's format: the input's; an output name that implies another format is refused. */
export function outputFormat(out: string, input: ArrayFileReader, errors: RunFileErrors): FileFormat {
  const implied = formatOf(out);
  const option = `${errors.optionPrefix}out ${out}`;
  if (path.extname(out).toLowerCase() === '.npy' && input.format !== 'npy')
    throw errors.format(`${option} names a .npy file but the inputs are raw; the output has the input's format`);
  if (implied.dtype && (input.format === 'npy' || implied.dtype !== input.dtype)) {
    throw errors.format(`${option} names a raw ${implied.dtype} file but the input is ${input.format === 'npy' ? '.npy' : input.dtype}`);
  }
  return input.format;
}

/**
 * Refuses an output that names an input (it would be replaced by the output, with exit 0): the
 * same device and inode where both exist (through symbolic and hard links), else the same
 * resolved path.
 */
export function checkOutputIsNoInput(o: RunFiles, errors: RunFileErrors): void {
  for (const input of ['coeffs', 'values'] as const) {
    if (sameFile(o.out, o[input])) {
      const p = errors.optionPrefix;
      throw errors.format(`${p}out ${o.out} is the same file as ${p}${input} ${o[input]}: the output would replace an input; name another output file`);
    }
  }
}

function sameFile(x: string, y: string): boolean {
  let sx: fs.Stats | undefined;
  let sy: fs.Stats | undefined;
  try {
    sx = fs.statSync(x);
    sy = fs.statSync(y);
  } catch {
    // one (or both) missing: the same only as the same name
  }
  if (sx && sy) return sx.dev === sy.dev && sx.ino === sy.ino;
  return resolved(x) === resolved(y);
}

/** The path with its folders' links resolved (the file itself may not exist). */
function resolved(file: string): string {
  const abs = path.resolve(file);
  try {
    return fs.realpathSync(abs);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}
