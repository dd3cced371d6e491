/**
 * A model's weights (trainable and batch-norm statistics) with its optimizer's state, as bytes:
 * the state a run saves after each epoch and resumes from. The weights' encoding and restoring
 * (by position, with split kernels re-divided) is models/weights.ts; the optimizer's slots are
 * re-divided here the same way, per slot.
 */
import type * as tf from '@tensorflow/tfjs';
import { captureWeights, fitSpecs, restoreWeights } from '../models/weights';
import { optimizerState, restoreOptimizer, type EncodedTensors } from './optimizer';
import type { TrainingState } from '../store/checkpoints';

export type { TrainingState };

export async function captureState(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<TrainingState> {
  return { weights: await captureWeights(model), optimizer: await optimizerState(optimizer) };
}

/**
 * Optimizer state fitted to `model`'s trainable shapes. Adadelta and Adam save the iteration
 * count, then one slot per trainable variable, then the second slot per variable.
 */
function fitOptimizer(model: tf.LayersModel, state: EncodedTensors): EncodedTensors {
  const [iterations, ...slots] = state.specs;
  if (!iterations || slots.length % 2) return state;
  const half = slots.length / 2;
  const shapes = model.trainableWeights.map((w) => w.shape as number[]);
  const specs = [
    iterations,
    ...fitSpecs(slots.slice(0, half), shapes),
    ...fitSpecs(slots.slice(half), shapes),
  ];
  return { specs, data: state.data };
}

export async function restoreState(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
): Promise<void> {
  restoreWeights(model, state.weights);
  await restoreOptimizer(optimizer, fitOptimizer(model, state.optimizer));
}
