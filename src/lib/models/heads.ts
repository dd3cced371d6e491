/**
 * The heads trained on the frozen encoder's flattened output (paper §III-C/D):
 * scenes Dense(1024, relu) → BN → Dense(k, sigmoid); gases Dense(512, relu) → BN → Dense(6).
 * They take the cached encoding (64,512 values) as input, so training never re-runs the encoder.
 * When the first kernel would exceed `maxBufferBytes` it becomes a SplitDense of row blocks.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchNormalization, SplitDense, planBlocks } from './layers';
import { BN_EPSILON, BN_MOMENTUM, encodedSize } from './autoencoder';
import { HEAD_UNITS } from '../shapes';

export type HeadKind = 'scenes' | 'gases';

export interface HeadOptions {
  kind: HeadKind;
  outputs: number;
  inputDim?: number;
  /** Width of the hidden Dense layer (the paper's: 1024 for scenes, 512 for gases). */
  units?: number;
  /** Largest buffer (bytes) the backend accepts; larger first kernels are split. */
  maxBufferBytes?: number;
  /**
   * Batch-norm momentum (Keras default 0.99). With few batches per epoch the moving statistics
   * used at inference lag far behind the batch statistics; a smaller momentum lets them catch up.
   */
  bnMomentum?: number;
  /** Seeds the initial weights; without it tfjs draws them unseeded. */
  seed?: number;
}

export { HEAD_UNITS };

export function buildHead({
  kind,
  outputs,
  inputDim = encodedSize(),
  units = HEAD_UNITS[kind],
  maxBufferBytes = Infinity,
  bnMomentum = BN_MOMENTUM,
  seed,
}: HeadOptions): tf.Sequential {
  const init = (k: number) =>
    seed === undefined
      ? {}
      : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 2 + k }) };
  const model = tf.sequential({ name: `${kind}_head` });
  if (inputDim * units * 4 > maxBufferBytes) {
    model.add(
      new SplitDense({
        units,
        activation: 'relu',
        blockRows: planBlocks(inputDim, units, maxBufferBytes),
        inputShape: [inputDim],
        seed,
      }),
    );
  } else {
    model.add(tf.layers.dense({ units, activation: 'relu', inputShape: [inputDim], ...init(0) }));
  }
  model.add(new BatchNormalization({ epsilon: BN_EPSILON, momentum: bnMomentum }));
  model.add(
    tf.layers.dense({
      units: outputs,
      activation: kind === 'scenes' ? 'sigmoid' : 'linear',
      ...init(1),
    }),
  );
  return model;
}
