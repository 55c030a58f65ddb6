// linrec: x_t = a_t·x_{t-1} + b_t for long sequences, in parallel (Heinsen, arXiv 2311.06281).
export { scan, scanAsync, logScan, logScanAsync, aggregate, aggregateAsync } from './scan';
export type { ScanOptions, LogScanOptions, AggregateOptions, SignedLogArray, LogInput, Method, FloatDeviceArray, SignsOf } from './scan';
export { createScanner, Scanner } from './scanner';
export type { ScannerOptions, InitialValue, HostArrayOf, ScannerInput } from './scanner';
export { sequential } from './sequential';
export type { SequentialOptions } from './sequential';
export { backends } from './backends';
export type { Backends, CudaDevice, CudaDeviceName, Device } from './backends';
export { toDevice, DeviceArray, deviceMemory } from './device-array';
export type { DeviceDType, DeviceOptions } from './device-array';
export type { FloatArray, DType } from './validate';
export type { LinrecError, LinrecErrorCode } from './errors';
export { createScanStream, scanIterable, createByteScanStream } from './stream';
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
export { ArrayFileReader, ArrayFileWriter, encodeNpy, decodeNpy } from './npy';
export type { ArrayHeader, FileFormat, OpenOptions } from './npy';
