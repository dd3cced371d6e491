// The paper's autoencoder (batch norm) at 64×36 and at 128×72 (paper §V's higher resolution), in
// the same run on the tfjs CPU backend in Node with the project's fast kernels: parameters,
// activation memory per sequence (every layer's output, float32: what backprop keeps), the peak
// tensor memory of one batch-1 training step (tf.profile) and its time, after one warm-up step. The ratio column is
// 64×36 / 128×72, so below 1 means 128×72 is slower.
import * as tf from '@tensorflow/tfjs';
import { installFastKernels } from '../src/lib/compute/kernels';
import { buildAutoencoder, type SequenceShape } from '../src/lib/models/autoencoder.ts';
import { activationBytes, countParams } from '../src/lib/models/forward.ts';
import { binaryCrossentropy } from '../src/lib/training/losses.ts';
import { makeOptimizer, PAPER_OPTIMIZER } from '../src/lib/training/optimizer.ts';
import { trainStep } from '../src/lib/training/loop.ts';
import { CHANNELS, FRAMES_PER_SEQUENCE, RESOLUTIONS } from '../src/lib/shapes.ts';
import { printRows, type Benchmark, type Row } from './harness.ts';

const MiB = 2 ** 20;

const bench: Benchmark = {
  title: 'autoencoder at 64×36 vs 128×72: parameters, memory, batch-1 step time (tfjs cpu)',
  async run() {
    await tf.setBackend('cpu');
    installFastKernels('cpu');
    const rows: Row[] = [];
    let baselineMs: number | null = null;
    for (const [name, { width, height }] of Object.entries(RESOLUTIONS)) {
      const shape: SequenceShape = [FRAMES_PER_SEQUENCE, height, width, CHANNELS];
      const model = buildAutoencoder({ batchNorm: true, inputShape: shape, seed: 1 });
      const optimizer = makeOptimizer(PAPER_OPTIMIZER);
      const x = tf.randomUniform([1, ...shape]);
      const step = () => trainStep(model, optimizer, binaryCrossentropy, { x, y: x });
      await step();
      // One profiled step gives both figures: on the CPU backend profiling only adds bookkeeping.
      const t0 = performance.now();
      const profile = await tf.profile(step);
      const ms = performance.now() - t0;
      baselineMs ??= ms;
      rows.push({
        name,
        baselineMs,
        ms,
        extra:
          `${countParams(model).total.toLocaleString('en')} parameters · activations ` +
          `${(activationBytes(model) / MiB).toFixed(1)} MiB/sequence · step peak ` +
          `${(profile.peakBytes / MiB).toFixed(1)} MiB`,
      });
      x.dispose();
      model.dispose();
      optimizer.dispose();
    }
    printRows('64x36', rows);
  },
};

export default bench;
