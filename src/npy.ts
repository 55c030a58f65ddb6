// NumPy .npy and raw little-endian .f32/.f64 files: in-memory encode/decode, and a lazy
// block reader and an atomic writer over fs.promises FileHandles, so that files larger than
// memory can be processed a block at a time.
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expected, plainError, rangeError, typeError } from './errors';
import { floatDType, type DType, type FloatArray } from './dtype';
import { bytes as byteInput, filePath, floatArray, nonNegativeInteger, oneOf, optionalDType, optionalFileFormat, options as validOptions } from './validate';

export type FileFormat = 'npy' | 'raw';

export interface ArrayHeader {
  dtype: DType;
  /** [length] or [rows, cols]. */
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** '1.0', '2.0' or '3.0' for .npy; absent for raw files. */
  version?: string;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]); // PK\x03\x04: a zip archive, as np.savez writes .npz files
const npzAdvice = (file?: string) =>
  `.npz archives are not supported: extract the array with numpy and save it as .npy (np.save('x.npy', np.load(${JSON.stringify(file ?? 'file.npz')})['name']))`;
const DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8' };
const ITEM: Record<DType, number> = { float32: 4, float64: 8 };

// Typed arrays are read from and written to files as raw bytes, which is little-endian
// only on a little-endian host. Checked per call so that loading linrec never fails.
function checkHost(): void {
  if (os.endianness() !== 'LE') throw plainError('ERR_LINREC_INTERNAL', '.npy and raw file I/O needs a little-endian host');
}

const formatError = (file: string | undefined, message: string) => plainError('ERR_LINREC_FORMAT', `${file ? `${file}: ` : ''}${message}`);

export const itemSize = (dtype: DType): number => ITEM[dtype];

export function allocFloat(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** 'npy' for *.npy, 'raw' otherwise; the dtype a raw file's extension implies, if any. */
export function formatOf(file: string): { format: FileFormat; dtype?: DType } {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') return { format: 'npy' };
  if (ext === '.f32') return { format: 'raw', dtype: 'float32' };
  if (ext === '.f64') return { format: 'raw', dtype: 'float64' };
  return { format: 'raw' };
}

// ---------------------------------------------------------------------------------------------
// Header parsing: the header is a Python dict literal, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// A small tokenizer is enough: strings, True/False, integers and tuples of integers.

type PyValue = string | boolean | number[];

function parseDict(text: string, file?: string): Map<string, PyValue> {
  let i = 0;
  const bad = (what: string): never => {
    throw formatError(file, `malformed .npy header (${what} at character ${i}): ${JSON.stringify(text.trim().slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const expect = (ch: string) => {
    ws();
    if (text[i] !== ch) bad(`expected '${ch}'`);
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') bad('expected a string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) bad('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const int = (): number => {
    ws();
    const m = /^\d+L?/.exec(text.slice(i));
    if (!m) bad('expected an integer');
    i += m![0].length;
    return Number.parseInt(m![0], 10);
  };
  const value = (): PyValue => {
    ws();
    if (text[i] === "'" || text[i] === '"') return str();
    if (text.startsWith('True', i)) return ((i += 4), true);
    if (text.startsWith('False', i)) return ((i += 5), false);
    if (text[i] === '(') {
      i++;
      const items: number[] = [];
      for (ws(); text[i] !== ')'; ws()) {
        items.push(int());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') bad("expected ',' or ')'");
      }
      i++;
      return items;
    }
    if (text[i] === '[') bad('structured dtypes are not supported');
    return bad('unexpected value');
  };
  const dict = new Map<string, PyValue>();
  expect('{');
  for (ws(); text[i] !== '}'; ws()) {
    const key = str();
    expect(':');
    dict.set(key, value());
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad("expected ',' or '}'");
  }
  i++;
  ws();
  if (i !== text.length) bad('trailing characters');
  return dict;
}

function checkDescr(descr: PyValue | undefined, file?: string): DType {
  if (descr === undefined) throw formatError(file, "malformed .npy header: no 'descr'");
  if (typeof descr !== 'string') throw formatError(file, `unsupported dtype ${JSON.stringify(descr)}: only '<f4' (float32) and '<f8' (float64) are supported`);
  // '<' is little-endian; '=', '|' and no mark mean the writer's native order, which numpy reads
  // as this host's: little-endian here (checkHost refuses big-endian hosts).
  const native = /^[<=|]?f([48])$/.exec(descr);
  if (native) return native[1] === '4' ? 'float32' : 'float64';
  if (descr === '>f4' || descr === '>f8')
    throw formatError(file, `big-endian data ('${descr}') is not supported; save it little-endian ('<${descr.slice(1)}')`);
  throw formatError(file, `unsupported dtype '${descr}': only '<f4' (float32) and '<f8' (float64) are supported`);
}

/** The error for a file without the .npy magic: an .npz archive says so. */
function notNpy(start: Buffer, file?: string): Error {
  if (start.subarray(0, 4).equals(ZIP_MAGIC)) return formatError(file, `not a .npy file but a zip archive (an .npz?); ${npzAdvice(file)}`);
  return formatError(file, 'not a .npy file (bad magic string)');
}

/**
 * Parses the header at the start of `buf`. Returns the header, or the number of bytes needed
 * when `buf` is too short to hold it.
 */
export function parseNpyHeader(buf: Buffer, file?: string): ArrayHeader | { needBytes: number } {
  if (buf.length < 10) return { needBytes: 10 };
  if (!buf.subarray(0, 6).equals(MAGIC)) throw notNpy(buf, file);
  const major = buf[6];
  const minor = buf[7];
  if (major < 1 || major > 3 || minor !== 0) throw formatError(file, `unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  const lenBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lenBytes) return { needBytes: 8 + lenBytes };
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataOffset = 8 + lenBytes + headerLen;
  if (buf.length < dataOffset) return { needBytes: dataOffset };
  const text = buf.subarray(8 + lenBytes, dataOffset).toString(major === 3 ? 'utf8' : 'latin1');
  const dict = parseDict(text, file);
  const dtype = checkDescr(dict.get('descr'), file);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') throw formatError(file, "malformed .npy header: 'fortran_order' must be True or False");
  if (fortran) throw formatError(file, 'Fortran-order (column-major) arrays are not supported; save it in C order (np.ascontiguousarray)');
  const shape = dict.get('shape');
  if (!Array.isArray(shape)) throw formatError(file, "malformed .npy header: 'shape' must be a tuple");
  if (shape.length < 1 || shape.length > 2) throw formatError(file, `unsupported ${shape.length}-D array: only 1-D and 2-D arrays are supported`);
  return { dtype, shape, dataOffset, version: `${major}.0` };
}

/** The header for a C-order little-endian array; version 1.0 unless asked (or too long). */
export function encodeNpyHeader(dtype: DType, shape: readonly number[], version: '1.0' | '2.0' | '3.0' = '1.0'): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  let major = Number(version[0]);
  if (major === 1 && dict.length + 11 > 0xffff) major = 2;
  const lenBytes = major === 1 ? 2 : 4;
  // Pad with spaces and end with '\n' so the data starts on a 64-byte boundary, as NumPy does.
  const unpadded = 8 + lenBytes + dict.length + 1;
  const headerLen = dict.length + 1 + ((64 - (unpadded % 64)) % 64);
  const buf = Buffer.alloc(8 + lenBytes + headerLen, 0x20);
  MAGIC.copy(buf, 0);
  buf[6] = major;
  buf[7] = 0;
  if (major === 1) buf.writeUInt16LE(headerLen, 8);
  else buf.writeUInt32LE(headerLen, 8);
  buf.write(dict, 8 + lenBytes, 'latin1');
  buf[buf.length - 1] = 0x0a;
  return buf;
}

const count = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** A shape linrec writes (and reads back): 1 or 2 dimensions, each an integer >= 0. */
function checkShape(call: string, shape: unknown): asserts shape is number[] {
  if (!Array.isArray(shape)) throw typeError('ERR_LINREC_INVALID_TYPE', expected(`${call}: shape`, 'an array of 1 or 2 integers >= 0', shape));
  if (shape.length < 1 || shape.length > 2) throw rangeError('ERR_LINREC_INVALID_VALUE', `${call}: shape must have 1 or 2 dimensions, not ${shape.length}`);
  shape.forEach((d, k) => nonNegativeInteger(`${call}: shape[${k}]`, d));
  if (!Number.isSafeInteger(count(shape)))
    throw rangeError('ERR_LINREC_INVALID_VALUE', `${call}: shape (${shape.join(', ')}) holds more elements than an array can`);
}

function checkDataBytes(file: string | undefined, header: ArrayHeader, available: number): void {
  const want = count(header.shape) * ITEM[header.dtype];
  if (available < want) throw formatError(file, `truncated: expected ${want} bytes of data for shape (${header.shape.join(', ')}) but found ${available}`);
  if (available > want) throw formatError(file, `${available - want} unexpected bytes after the data for shape (${header.shape.join(', ')})`);
}

/** A whole .npy file in memory. */
export function encodeNpy(data: FloatArray, shape: readonly number[] = [data?.length], version?: '1.0' | '2.0' | '3.0'): Buffer {
  checkHost();
  floatArray('encodeNpy: data', data);
  const dtype: DType = floatDType(data)!;
  checkShape('encodeNpy', shape);
  oneOf('encodeNpy: version', version, ['1.0', '2.0', '3.0'] as const, '1.0');
  if (count(shape) !== data.length)
    throw rangeError('ERR_LINREC_LENGTH_MISMATCH', `encodeNpy: shape (${shape.join(', ')}) does not hold ${data.length} elements`);
  const header = encodeNpyHeader(dtype, shape, version);
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/**
 * Parses a whole .npy file held in memory: a Buffer, any Uint8Array or an ArrayBuffer (the data
 * is copied into an aligned array).
 */
export function decodeNpy(input: Uint8Array | ArrayBufferLike, file?: string): { data: FloatArray; shape: number[]; dtype: DType; version: string } {
  checkHost();
  const buf = byteInput('decodeNpy: buffer', input);
  const header = parseNpyHeader(buf, file);
  if ('needBytes' in header) throw formatError(file, `truncated: the .npy header needs ${header.needBytes} bytes but the file has ${buf.length}`);
  checkDataBytes(file, header, buf.length - header.dataOffset);
  const data = allocFloat(header.dtype, count(header.shape));
  Buffer.from(data.buffer).set(buf.subarray(header.dataOffset, header.dataOffset + data.byteLength));
  return { data, shape: header.shape, dtype: header.dtype, version: header.version! };
}

// ---------------------------------------------------------------------------------------------

function ioError(file: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  // Already ours (a format error met while reading, say): passed on as it is.
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_LINREC_')) return err;
  const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
  const wrapped = plainError('ERR_LINREC_IO', `${file}: ${why}`);
  (wrapped as Error & { cause?: unknown }).cause = e;
  return wrapped;
}

const bytesOf = (a: FloatArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Reads exactly `bytes.length` bytes at `position` (fh.read may return fewer). */
async function readFully(fh: fsp.FileHandle, bytes: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(bytes, done, bytes.length - done, position + done));
    } catch (e) {
      throw ioError(file, e);
    }
    if (bytesRead === 0) throw formatError(file, `truncated: the file ended at byte ${position + done} while reading ${bytes.length} bytes at ${position}`);
    done += bytesRead;
  }
}

async function writeFully(fh: fsp.FileHandle, bytes: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    let bytesWritten: number;
    try {
      ({ bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done));
    } catch (e) {
      throw ioError(file, e);
    }
    done += bytesWritten;
  }
}

// Arguments of the element-range reads and writes: checked before any byte moves, so that a
// wrong start or length is an ERR_LINREC_* error naming it, never bytes of the header read as
// data, a row's columns running into the next row, or a file written past its shape.

function index(call: string, name: string, v: unknown): number {
  return nonNegativeInteger(`${call}'s ${name}`, v);
}

/** Checks that elements [start, start + length) lie within the `total` elements of `file`. */
function elementRange(call: string, file: string, start: unknown, length: unknown, total: number): void {
  const from = index(call, 'start', start),
    n = index(call, 'length', length);
  if (from + n > total) throw rangeError('ERR_LINREC_INVALID_VALUE', `${call}: elements [${from}, ${from + n}) lie beyond the ${total} elements of ${file}`);
}

/** Checks rows [r0, r1) × columns [c0, c1) of `file` viewed as rows of `cols`; returns the block's element count. */
function blockRange(call: string, file: string, r0: unknown, r1: unknown, c0: unknown, c1: unknown, cols: unknown, total: number): number {
  const width = index(call, 'cols', cols);
  const [a, b, c, d] = [index(call, 'r0', r0), index(call, 'r1', r1), index(call, 'c0', c0), index(call, 'c1', c1)];
  if (a > b || c > d) throw rangeError('ERR_LINREC_INVALID_VALUE', `${call}: rows [${a}, ${b}) × columns [${c}, ${d}) is not a range (r0 <= r1 and c0 <= c1)`);
  if (d > width) throw rangeError('ERR_LINREC_INVALID_VALUE', `${call}: columns [${c}, ${d}) lie beyond the row width cols = ${width}`);
  // The block's last element is row b - 1's column d - 1 (a 1-D array need not fill its last row).
  if (b > a && d > c && (b - 1) * width + d > total)
    throw rangeError('ERR_LINREC_INVALID_VALUE', `${call}: rows [${a}, ${b}) of ${width} lie beyond the ${total} elements of ${file}`);
  return (b - a) * (d - c);
}

/** Checks that `data` is a float array of `dtype` (what the file holds), of at least `length` elements where given. */
function fileData(call: string, name: string, data: unknown, dtype: DType, length?: number): FloatArray {
  const array = floatArray(`${call}'s ${name}`, data);
  if (floatDType(array) !== dtype)
    throw typeError('ERR_LINREC_DTYPE_MISMATCH', `Expected ${call}'s ${name} to hold ${dtype}, the file's element type, but received ${describe(data)}`);
  if (length !== undefined && array.length < length)
    throw rangeError('ERR_LINREC_LENGTH_MISMATCH', `Expected ${call}'s ${name} to hold at least ${length} elements but it has ${array.length}`);
  return array;
}

export interface OpenOptions {
  /** Defaults to the extension: .npy is NumPy, anything else raw. */
  format?: FileFormat;
  /** For raw files: the element type (default from the extension .f32/.f64). */
  dtype?: DType;
}

/**
 * An open array file, read lazily. The array is viewed as rows of `cols` elements (default:
 * the second dimension, or the whole 1-D array as one row).
 */
export class ArrayFileReader {
  private closed = false;
  private constructor(
    readonly file: string,
    readonly format: FileFormat,
    readonly header: ArrayHeader,
    private readonly fh: fsp.FileHandle,
  ) {}

  static async open(file: string, options: OpenOptions = {}): Promise<ArrayFileReader> {
    checkHost();
    filePath('ArrayFileReader.open: file', file);
    const o = validOptions<OpenOptions>('ArrayFileReader.open options', options, ['format', 'dtype']);
    const asked = optionalDType('ArrayFileReader.open options: dtype', o.dtype);
    const implied = formatOf(file);
    const format = optionalFileFormat('ArrayFileReader.open options: format', o.format) ?? implied.format;
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (e) {
      throw ioError(file, e);
    }
    try {
      let stat;
      try {
        stat = await fh.stat();
      } catch (e) {
        throw ioError(file, e);
      }
      // A directory opens on Linux (reads then fail with EISDIR); a pipe or device has no size.
      if (stat.isDirectory()) throw plainError('ERR_LINREC_IO', `${file}: is a directory`);
      if (!stat.isFile()) throw plainError('ERR_LINREC_IO', `${file}: not a regular file (array files are read at any position)`);
      const size = stat.size;
      let header: ArrayHeader;
      if (format === 'npy') {
        header = await readNpyHeader(fh, size, file);
        if (asked && asked !== header.dtype) throw formatError(file, `holds ${header.dtype} but ${asked} was asked for`);
      } else {
        await checkNotNpy(fh, size, file);
        const dtype = asked ?? implied.dtype;
        if (!dtype) throw formatError(file, 'cannot tell the element type of a raw file: name it .f32 or .f64, or give the dtype');
        if (implied.dtype && implied.dtype !== dtype) throw formatError(file, `the extension says ${implied.dtype} but ${dtype} was asked for`);
        if (size % ITEM[dtype])
          throw formatError(file, `truncated: ${size} bytes is not a whole number of ${dtype} elements (${size % ITEM[dtype]} trailing bytes)`);
        header = { dtype, shape: [size / ITEM[dtype]], dataOffset: 0 };
      }
      checkDataBytes(file, header, size - header.dataOffset);
      return new ArrayFileReader(file, format, header, fh);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get dtype(): DType {
    return this.header.dtype;
  }
  get shape(): number[] {
    return this.header.shape;
  }
  get length(): number {
    return count(this.header.shape);
  }

  /** `length` elements starting at element `start`, in file order (into `into`'s first elements where given). */
  async read(start: number, length: number, into?: FloatArray): Promise<FloatArray> {
    this.checkOpen('read');
    elementRange('read', this.file, start, length, this.length);
    const out = into === undefined ? allocFloat(this.dtype, length) : fileData('read', 'into', into, this.dtype, length);
    await readFully(this.fh, bytesOf(out).subarray(0, length * ITEM[this.dtype]), this.header.dataOffset + start * ITEM[this.dtype], this.file);
    return out;
  }

  /**
   * Rows [r0, r1) × columns [c0, c1) of the array viewed as rows of `cols`, packed row-major.
   * Whole rows are one read; a column range is one read per row (so memory stays bounded
   * however long the rows are).
   */
  async readBlock(r0: number, r1: number, c0: number, c1: number, cols = this.shape[this.shape.length - 1]): Promise<FloatArray> {
    this.checkOpen('readBlock');
    const out = allocFloat(this.dtype, blockRange('readBlock', this.file, r0, r1, c0, c1, cols, this.length));
    const w = c1 - c0;
    if (w === cols) return this.read(r0 * cols, out.length, out);
    const bytes = bytesOf(out);
    const item = ITEM[this.dtype];
    for (let r = r0; r < r1; r++) {
      await readFully(this.fh, bytes.subarray((r - r0) * w * item, (r - r0 + 1) * w * item), this.header.dataOffset + (r * cols + c0) * item, this.file);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  private checkOpen(call: string): void {
    if (this.closed) throw plainError('ERR_LINREC_DISPOSED', `${call}: ${this.file} was closed`);
  }
}

/**
 * A raw file is read as bare floats, so a .npy file taken for one (named other than *.npy) would
 * read its header as data, and an .npz archive its zip structure: both start with a magic
 * string that is refused here.
 */
async function checkNotNpy(fh: fsp.FileHandle, size: number, file: string): Promise<void> {
  const start = Buffer.alloc(Math.min(size, MAGIC.length));
  await readFully(fh, start, 0, file);
  if (start.equals(MAGIC))
    throw formatError(
      file,
      "is a .npy file (it starts with the .npy magic string) but would be read as raw floats, its name not ending in .npy: rename it to end in .npy (or, in the API, open it with { format: 'npy' })",
    );
  if (start.subarray(0, 4).equals(ZIP_MAGIC)) throw formatError(file, `is a zip archive (an .npz?), not raw floats; ${npzAdvice(file)}`);
}

async function readNpyHeader(fh: fsp.FileHandle, size: number, file: string): Promise<ArrayHeader> {
  let want = 128; // most headers fit; a longer one says how long it is
  for (;;) {
    const buf = Buffer.alloc(Math.min(want, size));
    await readFully(fh, buf, 0, file);
    const h = parseNpyHeader(buf, file);
    if (!('needBytes' in h)) return h;
    if (h.needBytes > size) {
      if (size < 6 || !buf.subarray(0, 6).equals(MAGIC)) throw notNpy(buf, file);
      throw formatError(file, `truncated: the .npy header needs ${h.needBytes} bytes but the file has ${size}`);
    }
    want = h.needBytes;
  }
}

/**
 * Writes an array file into `<file>.partial-<pid>` and renames it to `file` only on commit(),
 * so an interrupted or failed run never leaves an output that looks complete.
 */
export class ArrayFileWriter {
  private done = false;
  private constructor(
    readonly file: string,
    readonly tempFile: string,
    readonly dtype: DType,
    readonly shape: number[],
    private dataOffset: number, // set once the header is written
    private readonly fh: fsp.FileHandle,
  ) {}

  static async create(file: string, options: { dtype: DType; shape: number[]; format?: FileFormat }): Promise<ArrayFileWriter> {
    checkHost();
    filePath('ArrayFileWriter.create: file', file);
    const o = validOptions<{ dtype: DType; shape: number[]; format?: FileFormat }>('ArrayFileWriter.create options', options, ['dtype', 'shape', 'format']);
    if (o.dtype === undefined) throw typeError('ERR_LINREC_INVALID_TYPE', "ArrayFileWriter.create options: dtype is required ('float32' or 'float64')");
    optionalDType('ArrayFileWriter.create options: dtype', o.dtype);
    checkShape('ArrayFileWriter.create options', o.shape);
    const format = optionalFileFormat('ArrayFileWriter.create options: format', o.format) ?? formatOf(file).format;
    const tempFile = `${file}.partial-${process.pid}`;
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(tempFile, 'w');
    } catch (e) {
      throw ioError(file, e);
    }
    const writer = new ArrayFileWriter(file, tempFile, options.dtype, options.shape, 0, fh);
    try {
      if (format === 'npy') {
        const header = encodeNpyHeader(options.dtype, options.shape);
        await writeFully(fh, header, 0, file);
        writer.dataOffset = header.length;
      }
      // Sized up front: blocks may arrive in any order (reverse runs write from the end).
      await fh.truncate(writer.dataOffset + count(options.shape) * ITEM[options.dtype]);
    } catch (e) {
      await writer.abort();
      throw ioError(file, e);
    }
    return writer;
  }

  /** Writes `data` (of the file's dtype) starting at element `start`. */
  async write(start: number, data: FloatArray): Promise<void> {
    this.checkOpen('write');
    const array = fileData('write', 'data', data, this.dtype);
    elementRange('write', this.file, start, array.length, count(this.shape));
    await writeFully(this.fh, bytesOf(array), this.dataOffset + start * ITEM[this.dtype], this.file);
  }

  /** The inverse of ArrayFileReader.readBlock: `data` holds rows [r0, r1) × columns [c0, c1). */
  async writeBlock(r0: number, r1: number, c0: number, c1: number, data: FloatArray, cols = this.shape[this.shape.length - 1]): Promise<void> {
    this.checkOpen('writeBlock');
    const elements = blockRange('writeBlock', this.file, r0, r1, c0, c1, cols, count(this.shape));
    fileData('writeBlock', 'data', data, this.dtype);
    if (data.length !== elements)
      throw rangeError(
        'ERR_LINREC_LENGTH_MISMATCH',
        `Expected writeBlock's data to hold rows [${r0}, ${r1}) × columns [${c0}, ${c1}): ${elements} elements, but it has ${data.length}`,
      );
    const w = c1 - c0;
    if (w === cols) return this.write(r0 * cols, data);
    const bytes = bytesOf(data);
    const item = ITEM[this.dtype];
    for (let r = r0; r < r1; r++) {
      await writeFully(this.fh, bytes.subarray((r - r0) * w * item, (r - r0 + 1) * w * item), this.dataOffset + (r * cols + c0) * item, this.file);
    }
  }

  /** Flushes and renames the temp file to its final name. */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      // On disk before the rename, so a crash cannot leave a complete-looking empty file.
      await this.fh.sync();
      await this.fh.close();
      await fsp.rename(this.tempFile, this.file);
    } catch (e) {
      await fsp.rm(this.tempFile, { force: true });
      throw ioError(this.file, e);
    }
  }

  private checkOpen(call: string): void {
    if (this.done) throw plainError('ERR_LINREC_DISPOSED', `${call}: the writer of ${this.file} was committed or aborted`);
  }

  /** Closes and removes the temp file; safe to call more than once. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh.close().catch(() => {});
    await fsp.rm(this.tempFile, { force: true });
  }
}
