/**
 * The paper's audio networks (§III-E, as saved in the original Keras code) and our improved
 * variant. Paper: 193 → Dense(280, linear) → Dense(300, tanh) → Dense(13, sigmoid) for scenes
 * (142,533 parameters) or → Dense(6, linear) for gases (140,426), fed unscaled features.
 * Improved: the same widths with ReLU hidden layers on features standardised with the training
 * split's mean and standard deviation (most tanh units saturate on raw features).
 */
import * as tf from '@tensorflow/tfjs';
import { AUDIO_FEATURES } from '../shapes';

export type AudioMlpVariant = 'paper' | 'improved';
export type AudioTask = 'scenes' | 'gases';

export interface AudioMlpSpec {
  variant: AudioMlpVariant;
  task: AudioTask;
  outputs: number;
  inputs?: number;
  seed?: number;
}

export function buildAudioMlp(spec: AudioMlpSpec): tf.Sequential {
  const seed = spec.seed ?? 0;
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 7 + k });
  const hidden: ['linear' | 'relu', 'tanh' | 'relu'] =
    spec.variant === 'paper' ? ['linear', 'tanh'] : ['relu', 'relu'];
  return tf.sequential({
    name: `audio_${spec.task}_${spec.variant}`,
    layers: [
      tf.layers.dense({
        inputShape: [spec.inputs ?? AUDIO_FEATURES],
        units: 280,
        activation: hidden[0],
        kernelInitializer: init(1),
      }),
      tf.layers.dense({ units: 300, activation: hidden[1], kernelInitializer: init(2) }),
      tf.layers.dense({
        units: spec.outputs,
        activation: spec.task === 'scenes' ? 'sigmoid' : 'linear',
        kernelInitializer: init(3),
      }),
    ],
  });
}

/** Per-feature mean and standard deviation of the training rows (std 0 → 1). */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export function fitStandardizer(x: Float32Array, width: number, rows: number[]): Standardizer {
  const mean = new Float32Array(width);
  const std = new Float32Array(width);
  for (let j = 0; j < width; j++) {
    let s = 0;
    for (const r of rows) s += x[r * width + j];
    const m = s / Math.max(1, rows.length);
    let v = 0;
    for (const r of rows) v += (x[r * width + j] - m) ** 2;
    mean[j] = m;
    std[j] = Math.sqrt(v / Math.max(1, rows.length)) || 1;
  }
  return { mean, std };
}

export function standardize(x: Float32Array, width: number, s: Standardizer): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % width;
    out[i] = (x[i] - s.mean[j]) / s.std[j];
  }
  return out;
}

/**
 * Folds a standardiser into the first Dense layer so the model takes raw features:
 * ((x − m) / s)·W + b = x·(W / s) + (b − (m / s)·W). A downloaded improved model then needs no
 * side information to be used from stock tfjs or Keras; the statistics are also kept in the
 * model's metadata for the record.
 */
export function foldStandardizer(model: tf.LayersModel, s: Standardizer): void {
  const first = model.layers[0];
  const [kernel, bias] = first.getWeights();
  const folded = tf.tidy(() => {
    const scale = tf.tensor2d(s.std, [s.std.length, 1]);
    const shift = tf
      .tensor2d(s.mean, [1, s.mean.length])
      .div(tf.tensor2d(s.std, [1, s.std.length]));
    return [kernel.div(scale), bias.sub(tf.matMul(shift, kernel).reshape(bias.shape))];
  });
  first.setWeights(folded);
  tf.dispose(folded);
}
