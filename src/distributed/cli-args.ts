// Command-line pieces shared by `linrec worker` and `linrec run --redis`.
import { parseArgs } from 'util';
import { REDIS_ENV, urlHasPassword } from './connection';
import { isDeviceName, type Device } from '../backends';
import { integerArg } from '../cli-number';

export type UsageErrorOf = (message: string) => Error;

type Spec = Record<string, { type: 'string' | 'boolean' }>;

export function parse(args: string[], options: Spec, usage: UsageErrorOf): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw usage((e as Error).message);
  }
}

export function positive(name: string, value: string | boolean | undefined, usage: UsageErrorOf, max?: number): number | undefined {
  if (value === undefined) return undefined;
  // 1e3 as --sizes takes it (src/cli-number.ts); 1.5, 0x10, Infinity refused alike
  const n = integerArg(value) ?? NaN;
  const valid = n >= 1;
  // bounds the API checks too, here, so that a worker refuses them at start, not on every job
  if (max !== undefined && !(valid && n <= max)) throw usage(`--${name} must be an integer from 1 to ${max} (received '${value}')`);
  if (!valid) throw usage(`--${name} must be a positive integer (received '${value}')`);
  return n;
}

/**
 * --device: 'cuda:N' (N from 0 to 999, as the API takes it) is checked against a machine's
 * devices where it runs; other spellings are usage errors here, not the API's errors.
 */
export function deviceFlag(value: string | boolean | undefined, usage: UsageErrorOf): Device | undefined {
  if (value === undefined) return undefined;
  if (isDeviceName(value)) return value;
  throw usage(`--device must be one of auto, cpu, cuda, cuda:N (N from 0 to 999) (received '${value}')`);
}

/** A --redis URL must not hold a password: other local users can read command lines with ps. */
export function redisFlag(value: string | boolean | undefined, usage: UsageErrorOf): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (urlHasPassword(value)) {
    throw usage(
      `--redis must not hold a password (other users can read command lines with ps): set ${REDIS_ENV.password}, or the whole URL in ${REDIS_ENV.url}`,
    );
  }
  return value;
}
