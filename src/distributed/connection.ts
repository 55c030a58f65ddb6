// Redis connection options for BullMQ (ioredis) from a URL and the environment. Secrets come
// from the URL given programmatically or from environment variables, never from a command
// line, which any local user can read with `ps`.
import * as fs from 'fs';
import { plainError } from '../errors';

/** The environment variables a connection reads (documented in the README's cluster section). */
export const REDIS_ENV = {
  url: 'LINREC_REDIS_URL', // the whole URL, credentials included; used when no URL is given
  username: 'LINREC_REDIS_USERNAME', // fills in a URL without a user name
  password: 'LINREC_REDIS_PASSWORD', // fills in a URL without a password
  ca: 'LINREC_REDIS_CA', // a PEM file of the CA that signed the server's certificate (rediss://)
} as const;

export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; servername?: string };
  /** BullMQ workers need null: a blocking command must wait however long the queue is empty. */
  maxRetriesPerRequest: null;
}

const connectionError = (message: string) => plainError('ERR_LINREC_INVALID_VALUE', message);

/** Whether a URL carries a password (a command line must not: `ps` shows it). */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/**
 * ioredis options from `redis://[user[:password]@]host[:port][/db]` or `rediss://` (TLS),
 * defaulting to LINREC_REDIS_URL; LINREC_REDIS_USERNAME/PASSWORD fill in what the URL lacks.
 */
export function redisConnection(url?: string, env: NodeJS.ProcessEnv = process.env): RedisConnectionOptions {
  const text = url ?? env[REDIS_ENV.url];
  if (!text) throw connectionError(`no Redis URL: pass one (redis://host:6379) or set ${REDIS_ENV.url}`);
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw connectionError(`not a Redis URL: ${redact(text)} (expected redis://host:port or rediss://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw connectionError(`unsupported Redis URL scheme '${u.protocol}' in ${redact(text)} (expected redis:// or rediss://)`);
  if (!u.hostname) throw connectionError(`the Redis URL ${redact(text)} names no host`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0) throw connectionError(`the Redis URL ${redact(text)} names database '${u.pathname.slice(1)}' (expected a number)`);
  const options: RedisConnectionOptions = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals come bracketed
    port: u.port ? Number(u.port) : 6379,
    db,
    maxRetriesPerRequest: null,
  };
  const username = decodeURIComponent(u.username) || env[REDIS_ENV.username];
  const password = decodeURIComponent(u.password) || env[REDIS_ENV.password];
  if (username) options.username = username;
  if (password) options.password = password;
  if (u.protocol === 'rediss:') {
    options.tls = { servername: options.host };
    const ca = env[REDIS_ENV.ca];
    if (ca) {
      try {
        options.tls.ca = fs.readFileSync(ca);
      } catch (e) {
        throw connectionError(`${REDIS_ENV.ca}=${ca}: ${(e as Error).message}`);
      }
    }
  }
  return options;
}

/** The URL with its password replaced, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
