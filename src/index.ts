// linrec: x_t = a_t·x_{t-1} + b_t for long sequences, in parallel (Heinsen, arXiv 2311.06281).
//
// Values are exported as plain properties (`export const`), not re-exported (`export { x } from`):
// TypeScript compiles a re-export to a getter, and twenty getters put this module's exports
// object in V8's dictionary mode, where every `linrec.scan` is a property lookup and a getter
// call (~10 ns, perf; bench/NOTES.md, session 7). Plain data properties on a fast object are
// read as constants by optimized code.
import scanModule = require('./scan');
import scannerModule = require('./scanner');
import sequentialModule = require('./sequential');
import backendsModule = require('./backends');
import deviceArrayModule = require('./device-array');
import streamModule = require('./stream');
import npyModule = require('./npy');
import resultMemoryModule = require('./result-memory');
import type { DeviceDType } from './device-array';
import type { SignedLogArray } from './operands';
import type { FloatArray } from './validate';

export const scan = scanModule.scan;
export const scanAsync = scanModule.scanAsync;
export const logScan = scanModule.logScan;
export const logScanAsync = scanModule.logScanAsync;
export const aggregate = scanModule.aggregate;
export const aggregateAsync = scanModule.aggregateAsync;
export type { ScanOptions, LogScanOptions, AggregateOptions, SignedLogArray, LogInput, Method, FloatDeviceArray, SignsOf } from './scan';
export const createScanner = scannerModule.createScanner;
export const Scanner = scannerModule.Scanner;
export type Scanner<R extends FloatArray | SignedLogArray = FloatArray | SignedLogArray> = scannerModule.Scanner<R>;
export type { ScannerOptions, InitialValue, HostArrayOf, ScannerInput } from './scanner';
export const sequential = sequentialModule.sequential;
export type { SequentialOptions } from './sequential';
export const backends = backendsModule.backends;
export type { Backends, CudaDevice, CudaDeviceName, Device } from './backends';
export const toDevice = deviceArrayModule.toDevice;
export const DeviceArray = deviceArrayModule.DeviceArray;
export type DeviceArray<D extends DeviceDType = DeviceDType> = deviceArrayModule.DeviceArray<D>;
export const deviceMemory = deviceArrayModule.deviceMemory;
export const keepFreedMemory = resultMemoryModule.keepFreedMemory;
export type { DeviceDType, DeviceOptions } from './device-array';
export type { FloatArray, DType } from './validate';
export type { LinrecError, LinrecErrorCode } from './errors';
export const createScanStream = streamModule.createScanStream;
export const scanIterable = streamModule.scanIterable;
export const createByteScanStream = streamModule.createByteScanStream;
export type {
  ScanStream,
  ScanStreamOptions,
  ScanChunk,
  HostScanChunk,
  DeviceScanChunk,
  ScanResult,
  ScanResultOf,
  ChunkError,
  ByteScanStreamOptions,
} from './stream';
export const ArrayFileReader = npyModule.ArrayFileReader;
export type ArrayFileReader = npyModule.ArrayFileReader;
export const ArrayFileWriter = npyModule.ArrayFileWriter;
export type ArrayFileWriter = npyModule.ArrayFileWriter;
export const encodeNpy = npyModule.encodeNpy;
export const decodeNpy = npyModule.decodeNpy;
export type { ArrayHeader, FileFormat, OpenOptions } from './npy';
