/** The scene classifier head: Dense(1024, relu) → BN → Dense(k, sigmoid), trained with BCE. */
import type * as tf from '@tensorflow/tfjs';
import { buildHead, type HeadOptions } from './heads';

export function buildSceneHead(
  labels: number,
  opts: Omit<HeadOptions, 'kind' | 'outputs'> = {},
): tf.Sequential {
  return buildHead({ kind: 'scenes', outputs: labels, ...opts });
}
