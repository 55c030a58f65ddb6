// linrec/distributed: scans of files on BullMQ workers over Redis. bullmq and ioredis are
// optional peer dependencies, loaded on first use.
export { runOnCluster } from './runner';
export type { ClusterRunOptions, ClusterRunResult, RunProgress } from './runner';
export { startWorker } from './worker';
export type { WorkerOptions } from './worker';
export { redisConnection, REDIS_ENV } from './connection';
export type { RedisConnectionOptions } from './connection';
export { planRun, defaultParts } from './plan';
export type { Plan, PlanKind, Part } from './plan';
export { DEFAULT_QUEUE } from './bullmq';
