/**
 * The paper's 3D convolutional autoencoder with its decoder's UpSampling3D + ZeroPadding3D
 * replaced by switch unpooling (paper §V, Zeiler & Fergus). Same convolutions, same encoder output
 * [7, 9, 16, 64] at 64×36, so the frozen encoder feeds the same heads as the paper's.
 *
 * Unpooling has no weights: without normalisation the model has exactly the paper's released
 * (no-BN) count, 226,563 parameters, at any resolution. Batch normalisation after each hidden
 * convolution (as the paper) is injected by the caller, because tfjs's BatchNormalization fails on
 * rank 5 and the models area owns the rank-5-safe replacement.
 */
import * as tf from '@tensorflow/tfjs';
import { CHANNELS, DEFAULT_RESOLUTION, FRAMES_PER_SEQUENCE, type Resolution } from '../shapes';
import { MaxPooling3DWithSwitches, Unpooling3D } from './layers/switch-pooling';

/** The paper's autoencoder without batch normalisation; unpooling adds nothing. */
export const SWITCH_AUTOENCODER_PARAMS = 2624 + 55_360 + 110_656 + 55_328 + 2595;

export interface SwitchAutoencoderOptions {
  resolution?: Resolution;
  frames?: number;
  /** A normalisation layer placed after each relu convolution (the paper: batch norm). */
  normalize?: (name: string) => tf.layers.Layer;
  /** Makes the initial weights reproducible. */
  seed?: number;
}

export interface SwitchAutoencoder {
  /** Input [frames, height, width, 3] in [0, 1] → reconstruction of the same shape (sigmoid). */
  autoencoder: tf.LayersModel;
  /** Input → encoded [⌊⌊frames/2⌋/2⌋, …, 64]: the representation the heads are trained on. */
  encoder: tf.LayersModel;
}

export function buildSwitchAutoencoder(options: SwitchAutoencoderOptions = {}): SwitchAutoencoder {
  const { width, height } = options.resolution ?? DEFAULT_RESOLUTION;
  const frames = options.frames ?? FRAMES_PER_SEQUENCE;
  let seed = options.seed;
  const conv = (filters: number, name: string, activation: 'relu' | 'sigmoid' = 'relu') =>
    tf.layers.conv3d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation,
      name,
      ...(seed === undefined
        ? {}
        : { kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }),
    });
  const norm = (x: tf.SymbolicTensor, name: string) =>
    options.normalize ? (options.normalize(name).apply(x) as tf.SymbolicTensor) : x;
  const sizeOf = (t: tf.SymbolicTensor) => t.shape.slice(1, 4) as [number, number, number];

  const input = tf.input({ shape: [frames, height, width, CHANNELS], name: 'frames' });
  const c1 = norm(conv(32, 'conv1').apply(input) as tf.SymbolicTensor, 'norm1');
  const [p1, s1] = new MaxPooling3DWithSwitches({ name: 'pool1' }).apply(c1) as tf.SymbolicTensor[];
  const c2 = norm(conv(64, 'conv2').apply(p1) as tf.SymbolicTensor, 'norm2');
  const [encoded, s2] = new MaxPooling3DWithSwitches({ name: 'pool2' }).apply(
    c2,
  ) as tf.SymbolicTensor[];

  const c3 = norm(conv(64, 'conv3').apply(encoded) as tf.SymbolicTensor, 'norm3');
  const u2 = new Unpooling3D({ size: sizeOf(c2), name: 'unpool2' }).apply([
    c3,
    s2,
  ]) as tf.SymbolicTensor;
  const c4 = norm(conv(32, 'conv4').apply(u2) as tf.SymbolicTensor, 'norm4');
  const u1 = new Unpooling3D({ size: sizeOf(c1), name: 'unpool1' }).apply([
    c4,
    s1,
  ]) as tf.SymbolicTensor;
  const out = conv(CHANNELS, 'reconstruction', 'sigmoid').apply(u1) as tf.SymbolicTensor;

  return {
    autoencoder: tf.model({ inputs: input, outputs: out, name: 'switch_autoencoder' }),
    encoder: tf.model({ inputs: input, outputs: encoded, name: 'switch_encoder' }),
  };
}
