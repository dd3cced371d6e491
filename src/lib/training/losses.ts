/**
 * The paper's losses, written with rank-2 ops only: tfjs's binaryCrossentropy throws on rank 5
 * on WebGPU, so every target and prediction is first viewed as [batch, values].
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from '../compute/constants';

/** Keras's clipping epsilon (K.epsilon()). */
export const LOSS_EPSILON = 1e-7;

export type LossName = 'binaryCrossentropy' | 'meanAbsoluteError';

const flat = (t: tf.Tensor) => tf.reshape(t, [t.shape[0], -1]);

/** Mean binary cross-entropy over every value, predictions clipped to [ε, 1 − ε] as Keras does. */
export function binaryCrossentropy(truth: tf.Tensor, predicted: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const y = flat(truth);
    const p = tf.clipByValue(flat(predicted), LOSS_EPSILON, 1 - LOSS_EPSILON);
    const one = constant(1);
    const ll = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(one, y), tf.log(tf.sub(one, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}

export function meanAbsoluteError(truth: tf.Tensor, predicted: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(flat(truth), flat(predicted)))) as tf.Scalar);
}

export function lossFunction(name: LossName): (t: tf.Tensor, p: tf.Tensor) => tf.Scalar {
  return name === 'binaryCrossentropy' ? binaryCrossentropy : meanAbsoluteError;
}
