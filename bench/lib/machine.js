'use strict';
// What the benchmark ran on: processor, cores, memory, node, load, commit, CUDA.
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const linrec = require('../../dist');
const { addon } = require('../../dist/addon');

const ROOT = path.join(__dirname, '..', '..');

function gitInfo() {
  const run = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: run(['rev-parse', 'HEAD']), dirty: run(['status', '--porcelain', '--untracked-files=no']).length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

function machine() {
  const cpus = os.cpus();
  const b = linrec.backends();
  return {
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    // The CPU engine's variant chosen at load (baseline, x86-64-v3, x86-64-v4): speeds differ by it.
    cpuInstructionSet: addon().info().cpuInstructionSet ?? null,
    cores: cpus.length,
    availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    linrecThreads: b.cpu.threads,
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    // 1, 5, 15-minute load averages when the run started (other work on the machine skews timings)
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    git: gitInfo(),
    cuda: b.cuda,
  };
}

module.exports = { machine, gitInfo };
