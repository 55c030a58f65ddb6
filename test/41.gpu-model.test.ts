// bench/gpu/model.py, the performance model of the tile kernels: its SASS reader, instruction
// tagging, loop classes and in-order scheduler, and the slow cliff's chain of non-composing tiles
// (the handoff, the path from the poll to the publish, the in-order steps), on hand-written
// kernels (no nvcc, no GPU).
// The model itself is run by `npm run bench:model` (it compiles the engine with nvcc).
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
const pythonDescribe = python ? describe : describe.skip;
if (!python) console.warn('test/41.gpu-model.test.ts: SKIPPED, python3 not found');

pythonDescribe('bench/gpu/model.py --self-test', () => {
  test('reads, tags and schedules a hand-written look-back as expected', () => {
    const out = execFileSync(python!, [path.join(__dirname, '..', 'bench/gpu/model.py'), '--self-test'], { encoding: 'utf8' });
    expect(out.trim().split('\n').pop()).toBe('self-test passed');
  });
});

if (!python) {
  describe('GPU model self-test skipped', () => {
    test.skip('needs python3', () => {});
  });
}
