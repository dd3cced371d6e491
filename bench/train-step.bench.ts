// One training step (forward + backward + Adadelta) of the paper's full-size autoencoder with
// batch norm, batch 1 and 4, on the tfjs CPU backend in Node with the app's fast conv3d kernels
// (as `initBackend` installs them), against PyTorch CPU (1 thread) on the same model when
// /usr/bin/python3 has torch. The browser's WebGPU is measured by the
// real-GPU script; SwiftShader's WebGPU is ~10× slower than the CPU backend and not run here.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { buildAutoencoder, PAPER_SEQUENCE_SHAPE } from '../src/lib/models/autoencoder.ts';
import { binaryCrossentropy } from '../src/lib/training/losses.ts';
import { makeOptimizer, PAPER_OPTIMIZER } from '../src/lib/training/optimizer.ts';
import { trainStep } from '../src/lib/training/loop.ts';
import { installFastKernels } from '../src/lib/compute/kernels/index.ts';
import { printRows, timeMedian, type Benchmark, type Row } from './harness.ts';

const BATCHES = [1, 4];

// The same network in PyTorch (channels-first), BN after the activation, BCE, Adadelta.
const TORCH = `
import sys, time, torch, torch.nn as nn
torch.set_num_threads(1)
def block(i, o): return [nn.Conv3d(i, o, 3, padding=1), nn.ReLU(), nn.BatchNorm3d(o, eps=1e-3, momentum=0.01)]
m = nn.Sequential(*block(3, 32), nn.MaxPool3d(2), *block(32, 64), nn.MaxPool3d(2),
  *block(64, 64), nn.Upsample(scale_factor=2), *block(64, 32), nn.Upsample(scale_factor=2),
  nn.ConstantPad3d((0, 0, 0, 0, 1, 1), 0.0), nn.Conv3d(32, 3, 3, padding=1), nn.Sigmoid())
opt = torch.optim.Adadelta(m.parameters(), lr=1.0, rho=0.95, eps=1e-7)
for b in [int(a) for a in sys.argv[1:]]:
  x = torch.rand(b, 3, 30, 36, 64)
  times = []
  for i in range(4):
    t = time.perf_counter(); opt.zero_grad()
    loss = nn.functional.binary_cross_entropy(m(x), x); loss.backward(); opt.step()
    times.append((time.perf_counter() - t) * 1000)
  print(b, sorted(times[1:])[1])
`;

function torchTimes(): Map<number, number> | null {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const out = spawnSync('/usr/bin/python3', ['-c', TORCH, ...BATCHES.map(String)], {
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`PyTorch baseline failed: ${out.stderr}`);
  return new Map(
    out.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number) as [number, number]),
  );
}

const bench: Benchmark = {
  title:
    'full-size autoencoder training step (BN, Adadelta): tfjs cpu + fast kernels vs PyTorch CPU 1 thread',
  async run() {
    const torch = torchTimes();
    if (!torch) console.log('PyTorch not available: no baseline column.');
    await tf.setBackend('cpu');
    installFastKernels('cpu');
    const model = buildAutoencoder({ batchNorm: true });
    const optimizer = makeOptimizer(PAPER_OPTIMIZER);
    const rows: Row[] = [];
    for (const b of BATCHES) {
      const x = tf.randomUniform([b, ...PAPER_SEQUENCE_SHAPE]);
      const ms = await timeMedian(
        () => trainStep(model, optimizer, binaryCrossentropy, { x, y: x }),
        b === 1 ? 3 : 1,
        1,
      );
      x.dispose();
      rows.push({ name: `tfjs cpu, batch ${b}`, baselineMs: torch?.get(b) ?? null, ms });
    }
    printRows('PyTorch CPU', rows);
    model.dispose();
  },
};
export default bench;
