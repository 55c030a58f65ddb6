// bullmq (and ioredis, which it drives) are optional peer dependencies: loaded here, on first
// use, so that `require('linrec')` and the one-machine command never need them.
import { plainError } from '../errors';
import type { RedisConnectionOptions } from './connection';

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
    throw plainError(
      'ERR_LINREC_LOAD',
      `running on a cluster needs ${missing.join(' and ')}, which linrec does not install itself: npm install bullmq ioredis`,
    );
  }
  cached = require('bullmq') as BullMQ;
  return cached;
}

/** The queue that `linrec worker` serves unless told otherwise. */
export const DEFAULT_QUEUE = 'linrec';

/**
 * Connects once with ioredis, without retries, and pings: a refused password or a Redis that
 * cannot be reached fails here at once with a clear message. (BullMQ's clients retry forever,
 * right once running, and cannot be closed before their first connection succeeds.)
 */
export async function probe(connection: RedisConnectionOptions, timeoutMs = 10_000): Promise<void> {
  loadBullmq();
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const where = `${connection.host}:${connection.port}`;
  const client = new Redis({
    ...connection,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  let cause: Error | undefined; // connect() rejects with "Connection is closed"; this says why
  client.on('error', (e: Error) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const message = (cause ?? (e as Error)).message;
    if (/WRONGPASS|NOAUTH|NOPERM|invalid password/i.test(message)) throw plainError('ERR_LINREC_IO', `Redis at ${where} refused the credentials: ${message}`);
    throw plainError('ERR_LINREC_IO', `cannot reach Redis at ${where}: ${message}`);
  } finally {
    client.disconnect();
  }
}
