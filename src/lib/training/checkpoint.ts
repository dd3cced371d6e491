/**
 * A model's weights (trainable and batch-norm statistics) with its optimizer's state, as bytes.
 * Weights are restored by position: tfjs names variables per session (conv3d_Conv3D7/kernel),
 * so names differ between the run that saved and the one that resumes; shapes are checked.
 */
import * as tf from '@tensorflow/tfjs';
import {
  decodeTensors,
  encodeTensors,
  optimizerState,
  restoreOptimizer,
  type EncodedTensors,
} from './optimizer';

export interface TrainingState {
  weights: EncodedTensors;
  optimizer: EncodedTensors;
}

/** A model's weights as bytes, in the order restoreWeights expects them. */
export function captureWeights(model: tf.LayersModel): Promise<EncodedTensors> {
  return encodeTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

export async function captureState(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<TrainingState> {
  return { weights: await captureWeights(model), optimizer: await optimizerState(optimizer) };
}

export function restoreWeights(model: tf.LayersModel, weights: EncodedTensors): void {
  const tensors = decodeTensors(weights);
  if (tensors.length !== model.weights.length) {
    throw new Error(
      `Checkpoint holds ${tensors.length} weights, the model has ${model.weights.length}.`,
    );
  }
  model.weights.forEach((w, i) => {
    const t = tensors[i].tensor;
    if (!tf.util.arraysEqual(w.shape as number[], t.shape)) {
      throw new Error(`Checkpoint weight ${i} is ${t.shape}, the model expects ${w.shape}.`);
    }
    w.write(t);
  });
  tensors.forEach((t) => t.tensor.dispose());
}

export async function restoreState(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
): Promise<void> {
  restoreWeights(model, state.weights);
  await restoreOptimizer(optimizer, state.optimizer);
}
