/** The model the activation views show before any model is trained (a model definition). */
import * as tf from '@tensorflow/tfjs';
import { CHANNELS, FRAMES_PER_SEQUENCE, type Resolution } from '../shapes';

export const UNTRAINED_MODEL_NAME = 'untrained_encoder';

/**
 * A freshly initialised model shaped like the paper's encoder (Conv3D 32 → pool → Conv3D 64 →
 * pool, kernel 3, 'same', ReLU), for looking at activations before any model is trained. It has no
 * batch norm (tfjs's BatchNormalization rejects rank-5 input) and learned nothing: its maps show
 * what random filters do, and the UI says so.
 */
export function untrainedEncoder(resolution: Resolution, seed = 1): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const conv = (filters: number, k: number, name: string) =>
    tf.layers.conv3d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(k),
      name,
    });
  const model = tf.sequential({ name: UNTRAINED_MODEL_NAME });
  model.add(
    tf.layers.inputLayer({
      inputShape: [FRAMES_PER_SEQUENCE, resolution.height, resolution.width, CHANNELS],
    }),
  );
  model.add(conv(32, 0, 'conv3d_1'));
  model.add(tf.layers.maxPooling3d({ poolSize: 2, name: 'max_pooling3d_1' }));
  model.add(conv(64, 1, 'conv3d_2'));
  model.add(tf.layers.maxPooling3d({ poolSize: 2, name: 'max_pooling3d_2' }));
  return model;
}
