// The cluster commands' help, which `linrec --help` prints with the others.
import { REDIS_ENV } from './connection';

const RUN = `  linrec run --coeffs A --values B --out X --redis URL [options]
      The same scan on the workers that serve the queue ('linrec worker'), for files on storage
      that every worker sees under the same root. Options as above (no --threads: the workers'),
      and:
      --redis URL       as for 'linrec worker' (never a password here)
      --segments K      parts: K row ranges when there are at least K rows, else K segments of
                        every row (three phases); default: parts of about 2^25 steps
      --root DIR        the directory the workers serve (default: the working directory)
      --queue NAME      queue name (default linrec)
`;

const WORKER = `  linrec worker --redis URL [options]
      Serves the jobs of 'linrec run --redis' until SIGTERM (the current jobs finish first).
      --redis URL            redis://host:port or rediss://host:port (TLS); default ${REDIS_ENV.url}.
                             Never a password here: ${REDIS_ENV.password} (and ${REDIS_ENV.username}).
      --root DIR             touch only regular files under DIR (default: the working directory)
      --concurrency N        jobs at once (default 1)
      --threads T            CPU threads per job (default: all cores)
      --queue NAME           queue name (default linrec)
      --verbose              log every job done, with its time
      --lock-duration MS     a job whose worker is silent this long is retried elsewhere (default 30000)
      --stalled-interval MS  how often silent jobs are looked for (default 30000)
`;

export const CLUSTER_USAGE = RUN + WORKER;
