// `linrec worker`: serves linrec jobs from Redis until SIGTERM or SIGINT, which let the jobs in
// progress finish (a second signal stops at once; BullMQ then retries those jobs elsewhere).
import { parse, positive, redisFlag, type UsageErrorOf } from './cli-args';
import { redact, redisConnection, REDIS_ENV } from './connection';
import { startWorker } from './worker';
import { PROTOCOL, VERSION } from './jobs';
import { MAX_THREADS } from '../backends';

export async function workerCommand(args: string[], usage: UsageErrorOf): Promise<number> {
  const o = parse(
    args,
    {
      redis: { type: 'string' },
      root: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      queue: { type: 'string' },
      verbose: { type: 'boolean' },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
    },
    usage,
  );
  const url = redisFlag(o.redis, usage) || process.env[REDIS_ENV.url];
  if (!url) throw usage(`worker needs --redis URL (or ${REDIS_ENV.url})`);
  const log = (line: string) => process.stderr.write(`linrec worker ${process.pid}: ${line}\n`);
  const root = typeof o.root === 'string' ? o.root : process.cwd();
  const worker = await startWorker({
    connection: redisConnection(url),
    queue: typeof o.queue === 'string' ? o.queue : undefined,
    root,
    concurrency: positive('concurrency', o.concurrency, usage),
    threads: positive('threads', o.threads, usage, MAX_THREADS),
    lockDuration: positive('lock-duration', o['lock-duration'], usage),
    stalledInterval: positive('stalled-interval', o['stalled-interval'], usage),
    log,
    verbose: o.verbose === true,
  });
  log(`serving queue '${worker.name}' at ${redact(url)} with root ${root} (linrec ${VERSION}, job protocol ${PROTOCOL})`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
      stopping = true;
      log(`${signal}: stopping after the current jobs`);
      worker.close().then(resolve, resolve);
    };
    process.on('SIGTERM', stop).on('SIGINT', stop);
  });
  log('stopped');
  return 0;
}
