/**
 * Optimisers as the paper used them (Adadelta lr 1.0, rho 0.95, ε 1e-7, Keras 2.1's defaults) or
 * Adam, and their state as bytes for checkpoints. tfjs keeps Adadelta's and Adam's slots by the
 * position of each variable in the list given to `minimize`, so the same ordered variable list
 * must be used before and after a restore (the training loop always passes model.trainableWeights).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeTensors, encodeTensors } from '../models/weights';
import type { EncodedTensors } from '../store/checkpoints';
import { KerasAdadelta } from './keras-adadelta';

export type OptimizerName = 'adadelta' | 'adam';

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate: number;
}

export const PAPER_OPTIMIZER: OptimizerConfig = { name: 'adadelta', learningRate: 1.0 };
export const ADADELTA_RHO = 0.95;
export const ADADELTA_EPSILON = 1e-7;
export const ADAM_DEFAULT_LEARNING_RATE = 1e-3;

export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  if (config.name === 'adadelta') {
    return new KerasAdadelta(config.learningRate, ADADELTA_RHO, ADADELTA_EPSILON);
  }
  return tf.train.adam(config.learningRate, 0.9, 0.999, 1e-7);
}

export type { EncodedTensors };

/**
 * The optimizer's state as bytes. `getWeights` hands out the optimizer's own variables (tfjs's
 * Adam) or new tensors (the iteration count, KerasAdadelta's slots): the new ones are released
 * here, or every checkpoint would leak a copy of the state (on the GPU, 2 × 264 MB for a head).
 */
export async function optimizerState(optimizer: tf.Optimizer): Promise<EncodedTensors> {
  const weights = await optimizer.getWeights();
  try {
    return await encodeTensors(weights);
  } finally {
    tf.dispose(weights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  }
}

export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  state: EncodedTensors,
): Promise<void> {
  const tensors = decodeTensors(state);
  if (tensors.length === 0) return;
  await optimizer.setWeights(tensors);
}
