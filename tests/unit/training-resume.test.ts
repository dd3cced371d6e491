// A run stopped after an epoch and resumed from its checkpoint (weights, batch-norm statistics,
// optimizer state) in a fresh model and optimizer ends bit-identical to the uninterrupted run.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildAutoencoder } from '../../src/lib/models/autoencoder';
import { binaryCrossentropy } from '../../src/lib/training/losses';
import { makeOptimizer, type OptimizerConfig } from '../../src/lib/training/optimizer';
import { captureState, restoreState, type TrainingState } from '../../src/lib/training/checkpoint';
import { runEpochs, type EpochResult } from '../../src/lib/training/loop';
import { sequenceLoader, syntheticStudy } from './models-fixtures';
import type { SequenceShape } from '../../src/lib/models/autoencoder';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Tiny sequences (time 6 → 3 → 1 → 4, padded back to 6): the CPU backend is slow.
const SHAPE: SequenceShape = [6, 4, 8, 3];
const study = syntheticStudy(2, 1, SHAPE);

async function train(
  config: OptimizerConfig,
  from: number,
  to: number,
  start: TrainingState | null,
  init: TrainingState | null,
  shouldStop?: () => boolean,
) {
  const model = buildAutoencoder({ batchNorm: true, inputShape: SHAPE });
  const optimizer = makeOptimizer(config);
  const state = start ?? init;
  if (state) await restoreState(model, optimizer, state);
  const epochs: EpochResult[] = [];
  const states: TrainingState[] = [];
  const outcome = await runEpochs({
    model,
    optimizer,
    loss: binaryCrossentropy,
    load: sequenceLoader(study),
    train: study.train,
    validation: study.validation,
    batchSize: 3,
    shuffle: true,
    seed: 7,
    fromEpoch: from,
    toEpoch: to,
    shouldStop,
    onEpoch: async (e, capture) => {
      epochs.push(e);
      states.push(await capture());
    },
  });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  optimizer.dispose();
  return { epochs, states, weights, outcome };
}

describe.each<OptimizerConfig>([
  { name: 'adadelta', learningRate: 1 },
  { name: 'adam', learningRate: 1e-3 },
])('resume with $name', (config) => {
  it('continues exactly where the uninterrupted run would be', async () => {
    // Common random initial weights (with an empty optimizer) for both runs.
    const model = buildAutoencoder({ batchNorm: true, inputShape: SHAPE });
    const init = await captureState(model, makeOptimizer(config));
    model.dispose();
    const full = await train(config, 0, 3, null, init);
    // Interrupted: stopped in the middle of epoch 2, after epoch 1's checkpoint.
    let batches = 0;
    const first = await train(config, 0, 3, null, init, () => ++batches > 4);
    expect(first.outcome).toBe('stopped');
    expect(first.epochs).toHaveLength(1);
    const resumed = await train(config, 1, 3, first.states[0], null);
    expect(resumed.outcome).toBe('done');
    const curve = [...first.epochs, ...resumed.epochs].map((e) => [e.loss, e.valLoss]);
    expect(curve).toEqual(full.epochs.map((e) => [e.loss, e.valLoss]));
    expect(resumed.weights).toEqual(full.weights);
    // The model did change over the epochs (the comparison is not between untouched weights).
    expect(full.epochs[2].loss).not.toBe(full.epochs[0].loss);
  });
});
