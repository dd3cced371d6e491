/** The VOC regressor head: Dense(512, relu) → BN → Dense(chemicals, linear), trained with MAE. */
import type * as tf from '@tensorflow/tfjs';
import { buildHead, type HeadOptions } from './heads';

export function buildGasHead(
  chemicals: number,
  opts: Omit<HeadOptions, 'kind' | 'outputs'> = {},
): tf.Sequential {
  return buildHead({ kind: 'gases', outputs: chemicals, ...opts });
}
