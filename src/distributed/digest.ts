// A sampled digest of an input file, so that a worker that sees another file under the run's name
// (a stale copy, another machine's version of the same shape) fails the run instead of scanning
// it: SHA-256 of the file's size and of 16 windows of 4 KiB spread over it, the first and the last
// included. Cheap (64 KiB read per file and job); not a proof: files that differ only between the
// windows pass.
import { createHash } from 'crypto';
import { promises as fsp } from 'fs';

const WINDOWS = 16;
const WINDOW = 4096;

/** 32 hex digits. */
export const DIGEST = /^[0-9a-f]{32}$/;

export async function sampledDigest(file: string): Promise<string> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const hash = createHash('sha256').update(`${size}:`);
    const window = Buffer.alloc(Math.min(WINDOW, size));
    const last = size - window.length;
    for (let i = 0; i < WINDOWS; i++) {
      const at = Math.round((last * i) / (WINDOWS - 1));
      const { bytesRead } = await fh.read(window, 0, window.length, at);
      hash.update(window.subarray(0, bytesRead));
    }
    return hash.digest('hex').slice(0, 32);
  } finally {
    await fh.close();
  }
}
