// bullmq (and ioredis, which it drives) are optional peer dependencies: loaded here, on first
// use, so that `require('linrec')` and the one-machine command never need them.
import { plainError } from '../errors';

export type BullMQ = typeof import('bullmq');

let cached: BullMQ | undefined;

export function loadBullmq(): BullMQ {
  if (cached) return cached;
  const missing: string[] = [];
  for (const name of ['bullmq', 'ioredis']) {
    try {
      require.resolve(name);
    } catch {
      missing.push(name);
    }
  }
  if (missing.length) {
    throw plainError('ERR_LINREC_LOAD', `running on a cluster needs ${missing.join(' and ')}, which linrec does not install itself: npm install bullmq ioredis`);
  }
  cached = require('bullmq') as BullMQ;
  return cached;
}

/** The queue that `linrec worker` serves unless told otherwise. */
export const DEFAULT_QUEUE = 'linrec';
