/**
 * The paper's 3D convolutional autoencoder (ORIGINAL_CODE.md): Conv3D(32) → BN → MaxPool →
 * Conv3D(64) → BN → MaxPool [encoding] → Conv3D(64) → BN → UpSampling → Conv3D(32) → BN →
 * UpSampling → ZeroPadding (time) → Conv3D(3, sigmoid). Batch norm follows the activation and is
 * optional. Max pooling floors odd sizes (time 30 → 15 → 7), so zero padding restores the input
 * size; for the paper's input it is ((1, 1), (0, 0), (0, 0)). Smaller inputs (tests) get the
 * padding their own sizes need.
 */
import * as tf from '@tensorflow/tfjs';
import { CHANNELS, DEFAULT_RESOLUTION, FRAMES_PER_SEQUENCE } from '../shapes';
import { BatchNormalization, UpSampling3D, ZeroPadding3D } from './layers';

/** [frames, height, width, channels]. */
export type SequenceShape = [number, number, number, number];

export const PAPER_SEQUENCE_SHAPE: SequenceShape = [
  FRAMES_PER_SEQUENCE,
  DEFAULT_RESOLUTION.height,
  DEFAULT_RESOLUTION.width,
  CHANNELS,
];

export interface AutoencoderOptions {
  batchNorm: boolean;
  inputShape?: SequenceShape;
  /** Seeds the initial weights; without it tfjs draws them unseeded. */
  seed?: number;
}

export const BN_EPSILON = 1e-3;
export const BN_MOMENTUM = 0.99;

const conv = (
  filters: number,
  activation: 'relu' | 'sigmoid',
  seed: number | undefined,
  inputShape?: SequenceShape,
) =>
  tf.layers.conv3d({
    filters,
    kernelSize: 3,
    padding: 'same',
    activation,
    ...(inputShape ? { inputShape } : {}),
    ...(seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
  });

const bn = () => new BatchNormalization({ epsilon: BN_EPSILON, momentum: BN_MOMENTUM });

/** Encoder output shape [frames, height, width, 64] for an input shape. */
export function encodedShape(input: SequenceShape): SequenceShape {
  const pool = (n: number) => Math.floor(Math.floor(n / 2) / 2);
  return [pool(input[0]), pool(input[1]), pool(input[2]), 64];
}

/** Values per sequence at the encoder's output (64,512 for the paper's input). */
export function encodedSize(input: SequenceShape = PAPER_SEQUENCE_SHAPE): number {
  return encodedShape(input).reduce((a, b) => a * b, 1);
}

/** How many of the autoencoder's layers form the encoder (through the second max pooling). */
export function encoderDepth(batchNorm: boolean): number {
  return batchNorm ? 6 : 4;
}

export function buildAutoencoder({
  batchNorm,
  inputShape = PAPER_SEQUENCE_SHAPE,
  seed,
}: AutoencoderOptions): tf.Sequential {
  const seedOf = (layer: number) => (seed === undefined ? undefined : seed * 8 + layer);
  const enc = encodedShape(inputShape);
  const padding = [0, 1, 2].map((i) => {
    const missing = inputShape[i] - enc[i] * 4;
    return [Math.floor(missing / 2), missing - Math.floor(missing / 2)];
  });
  const model = tf.sequential({ name: batchNorm ? 'autoencoder_bn' : 'autoencoder' });
  const add = (layer: tf.layers.Layer, withBn: boolean) => {
    model.add(layer);
    if (withBn && batchNorm) model.add(bn());
  };
  add(conv(32, 'relu', seedOf(0), inputShape), true);
  add(tf.layers.maxPooling3d({ poolSize: 2 }), false);
  add(conv(64, 'relu', seedOf(1)), true);
  add(tf.layers.maxPooling3d({ poolSize: 2 }), false);
  add(conv(64, 'relu', seedOf(2)), true);
  add(new UpSampling3D({ size: 2 }), false);
  add(conv(32, 'relu', seedOf(3)), true);
  add(new UpSampling3D({ size: 2 }), false);
  add(new ZeroPadding3D({ padding }), false);
  add(conv(3, 'sigmoid', seedOf(4)), false);
  return model;
}
