// A head's checkpoint restores whether its first kernel was split into row blocks (a device with
// small buffers) or not (CPU, a large-limit GPU), in either direction and between different
// splits: the kernel and its optimizer slots are re-divided along the rows, and training continues
// as it would have on the device that wrote the checkpoint.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildHead } from '../../src/lib/models/heads';
import { SplitDense, mergeSplitKernel } from '../../src/lib/models/layers';
import { makeOptimizer, type OptimizerConfig } from '../../src/lib/training/optimizer';
import { captureState, restoreState } from '../../src/lib/training/checkpoint';
import { fitSpecs, restoreWeights } from '../../src/lib/models/weights';
import { trainStep } from '../../src/lib/training/loop';
import { binaryCrossentropy } from '../../src/lib/training/losses';
import { seededRandom } from '../../src/lib/util/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const INPUT = 40;
const UNITS = 6;
const LABELS = 3;
const BATCH = 8;
/** Buffer limits giving 3 blocks (14, 13, 13 rows), 2 blocks (20, 20) and none. */
const LIMITS = { three: 14 * UNITS * 4, two: 20 * UNITS * 4, none: Infinity };

function batch(seed: number) {
  const next = seededRandom(seed);
  const x = Float32Array.from({ length: BATCH * INPUT }, () => next());
  const y = Float32Array.from({ length: BATCH * LABELS }, () => (next() < 0.4 ? 1 : 0));
  return { x: tf.tensor2d(x, [BATCH, INPUT]), y: tf.tensor2d(y, [BATCH, LABELS]) };
}

function head(limit: number) {
  return buildHead({
    kind: 'scenes',
    outputs: LABELS,
    inputDim: INPUT,
    units: UNITS,
    maxBufferBytes: limit,
    bnMomentum: 0.5,
    seed: 4,
  });
}

async function step(model: tf.LayersModel, optimizer: tf.Optimizer, seed: number) {
  const b = batch(seed);
  const loss = await trainStep(model, optimizer, binaryCrossentropy, b);
  tf.dispose([b.x, b.y]);
  return loss;
}

/** The first kernel as one matrix, then every other weight, as plain arrays. */
function weightsOf(model: tf.LayersModel): Float32Array[] {
  const first = model.layers[0];
  const kernel = first instanceof SplitDense ? mergeSplitKernel(first) : first.getWeights()[0];
  const blocks = first instanceof SplitDense ? first.blockRows.length : 1;
  const out = [kernel, ...model.getWeights().slice(blocks)].map(
    (t) => t.dataSync() as Float32Array,
  );
  if (first instanceof SplitDense) kernel.dispose();
  return out;
}

function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((w, i) => {
    let scale = 0;
    let err = 0;
    for (let k = 0; k < w.length; k++) {
      scale = Math.max(scale, Math.abs(w[k]));
      err = Math.max(err, Math.abs(w[k] - b[i][k]));
    }
    worst = Math.max(worst, scale ? err / scale : err);
  });
  return worst;
}

/** Two steps on a head built under `limit`; its state, and the model and optimizer to go on. */
async function trained(limit: number, config: OptimizerConfig) {
  const model = head(limit);
  const optimizer = makeOptimizer(config);
  await step(model, optimizer, 1);
  await step(model, optimizer, 2);
  return { model, optimizer, state: await captureState(model, optimizer) };
}

describe.each<OptimizerConfig>([
  { name: 'adadelta', learningRate: 1 },
  { name: 'adam', learningRate: 1e-2 },
])('split-head checkpoints with $name', (config) => {
  it.each([
    ['three blocks', 'one matrix', LIMITS.three, LIMITS.none],
    ['one matrix', 'two blocks', LIMITS.none, LIMITS.two],
    ['three blocks', 'two blocks', LIMITS.three, LIMITS.two],
  ] as const)('restore from %s into %s and train on as before', async (_, __, from, to) => {
    const source = await trained(from, config);
    const target = head(to);
    const blocks = (m: tf.LayersModel) =>
      m.layers[0] instanceof SplitDense ? m.layers[0].blockRows.length : 1;
    expect(blocks(source.model)).not.toBe(blocks(target));
    const optimizer = makeOptimizer(config);
    await restoreState(target, optimizer, source.state);
    // The weights are the very same values, the kernel re-divided.
    expect(maxRelDiff(weightsOf(target), weightsOf(source.model))).toBe(0);

    // The next step from the restored optimizer state equals the source's own next step (to
    // float32 rounding: the blocks' partial products are summed in another order). Zeroed or
    // misplaced slots would give another update. The first layer's bias is left out: batch norm
    // removes it, so its gradient is rounding noise, which Adam scales up to whole steps.
    const want = await step(source.model, source.optimizer, 3);
    const got = await step(target, optimizer, 3);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-5);
    const withoutBias = (m: tf.LayersModel) => weightsOf(m).filter((_, i) => i !== 1);
    expect(maxRelDiff(withoutBias(target), withoutBias(source.model))).toBeLessThan(1e-5);

    // Versus a fresh optimizer on the same weights, the restored slots matter.
    const fresh = head(to);
    const freshOptimizer = makeOptimizer(config);
    restoreWeights(fresh, source.state.weights);
    await step(fresh, freshOptimizer, 3);
    expect(maxRelDiff(withoutBias(fresh), withoutBias(source.model))).toBeGreaterThan(1e-3);

    for (const m of [source.model, target, fresh]) m.dispose();
    for (const o of [source.optimizer, optimizer, freshOptimizer]) o.dispose();
  });
});

describe('fitSpecs', () => {
  const spec = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' as const });

  it('joins and splits row blocks of one matrix and keeps everything else', () => {
    const specs = [spec('a', [3, 4]), spec('b', [5, 4]), spec('bias', [4]), spec('k', [4, 2])];
    const fitted = fitSpecs(specs, [[2, 4], [6, 4], [4], [4, 2]]);
    expect(fitted.map((s) => s.shape)).toEqual([[2, 4], [6, 4], [4], [4, 2]]);
    expect(new Set(fitted.map((s) => s.name)).size).toBe(4);
    expect(fitted[3]).toBe(specs[3]);
  });

  it('leaves specs unchanged when rows, columns or counts do not fit', () => {
    const specs = [spec('a', [3, 4]), spec('b', [5, 4])];
    for (const shapes of [[[8, 5]], [[7, 4]], [[3, 4], [5, 4], [4]], [[8]]]) {
      expect(fitSpecs(specs, shapes)).toEqual(specs);
    }
  });

  it('refuses a checkpoint of another matrix with the shape message', async () => {
    const { model, optimizer, state } = await trained(LIMITS.three, {
      name: 'adadelta',
      learningRate: 1,
    });
    const other = buildHead({ kind: 'scenes', outputs: LABELS, inputDim: INPUT + 1, units: UNITS });
    expect(() => restoreWeights(other, state.weights)).toThrow(/weight/);
    model.dispose();
    other.dispose();
    optimizer.dispose();
  });
});
