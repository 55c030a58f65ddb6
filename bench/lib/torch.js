'use strict';
// The seed's recipe in PyTorch on the CPU (bench/seed_torch.py), when a python3 with torch is
// found: LINREC_BENCH_PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3.
const { execFileSync } = require('child_process');
const path = require('path');

function findPython() {
  const candidates = [process.env.LINREC_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  const tried = [];
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60000 });
      return { python };
    } catch {
      tried.push(python);
    }
  }
  return { reason: `no python3 with torch (tried ${tried.join(', ')}; on Debian: apt-get install python3-torch)` };
}

/** { available, version, threads, sizes: { [n]: { real, complex?, complexError? } } } or { available: false, reason }. */
function seedTorch(sizes, log = () => {}) {
  const found = findPython();
  if (!found.python) {
    log(`  torch: skipped (${found.reason})`);
    return { available: false, reason: found.reason };
  }
  try {
    const out = execFileSync(found.python, [path.join(__dirname, '..', 'seed_torch.py'), ...sizes.map(String)], { encoding: 'utf8', timeout: 600000 });
    const doc = JSON.parse(out.trim().split('\n').pop());
    log(`  torch ${doc.torch} (${doc.threads} threads): ${JSON.stringify(doc.sizes)}`);
    return { available: true, version: doc.torch, threads: doc.threads, sizes: doc.sizes };
  } catch (e) {
    const reason = `seed_torch.py failed: ${String(e.message).split('\n')[0]}`;
    log(`  torch: ${reason}`);
    return { available: false, reason };
  }
}

module.exports = { seedTorch, findPython };
