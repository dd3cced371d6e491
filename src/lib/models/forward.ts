/**
 * Running a sequential model layer by layer with an explicit training flag. tfjs's
 * `model.apply(x, { training: true })` does not pass the flag to the layers, so batch norm would
 * never use batch statistics; calling each layer ourselves does.
 */
import * as tf from '@tensorflow/tfjs';

export function forward(
  model: tf.Sequential,
  x: tf.Tensor,
  training: boolean,
  layers: readonly tf.layers.Layer[] = model.layers,
): tf.Tensor {
  let y = x;
  for (const layer of layers) y = layer.apply(y, { training }) as tf.Tensor;
  return y;
}

/** The encoder's output for `x`, flattened to [batch, values]; batch norm in inference mode. */
export function encode(autoencoder: tf.Sequential, depth: number, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const y = forward(autoencoder, x, false, autoencoder.layers.slice(0, depth));
    return tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
  });
}

/** Trainable and non-trainable parameter counts. */
export function countParams(model: tf.LayersModel): { trainable: number; total: number } {
  const size = (ws: tf.LayerVariable[]) =>
    ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  const trainable = size(model.trainableWeights);
  return { trainable, total: trainable + size(model.nonTrainableWeights) };
}
