/** The scene classifier head: Dense(1024, relu) → BN → Dense(k, sigmoid), trained with BCE. */
import type * as tf from '@tensorflow/tfjs';
import { buildHead } from './heads';

export function buildSceneHead(
  labels: number,
  opts: { inputDim?: number; maxBufferBytes?: number } = {},
): tf.Sequential {
  return buildHead({ kind: 'scenes', outputs: labels, ...opts });
}
