/**
 * A small 2D CNN on the log-mel spectrogram of each 30-s clip (paper §V, after Piczak 2015), to
 * compare with the 193-feature MLP on the same split.
 *
 * Input [bins, frames, 1]: librosa-style log-mel power (dB), default 128 mel bins × 1292 frames
 * (hop 512 at 22 050 Hz with centred frames: 1 + ⌊661 500 / 512⌋), standardised with the training
 * split's mean and standard deviation. Frames are first averaged in groups of `timePool` (1292 →
 * 323 at 4) — a 30-s clip needs no 23-ms detail, and it keeps the convolutions cheap. Three
 * conv + 2×2 max-pool blocks follow; time is then averaged away while frequency bands stay
 * separate (a scene is "loud in the bass", wherever in the 30 s that happens), and a small dense
 * layer feeds the head: 13 sigmoid scene labels or 6 linear gas outputs, like the audio MLPs.
 */
import * as tf from '@tensorflow/tfjs';
import { AUDIO_CLIP_SAMPLES } from '../shapes';
import { PAPER_KEPT_LABEL_INDICES } from '../study/vocabulary';
import { CHEMICALS } from '../study/chemicals';

export const MEL_BINS = 128;
export const MEL_HOP = 512;
export const SPECTROGRAM_FRAMES = 1 + Math.floor(AUDIO_CLIP_SAMPLES / MEL_HOP);

export interface AudioCnnHead {
  units: number;
  activation: 'sigmoid' | 'linear';
}

export const AUDIO_CNN_HEADS = {
  scenes: { units: PAPER_KEPT_LABEL_INDICES.length, activation: 'sigmoid' },
  gas: { units: CHEMICALS.length, activation: 'linear' },
} as const satisfies Record<string, AudioCnnHead>;

export interface AudioCnnOptions {
  head: keyof typeof AUDIO_CNN_HEADS | AudioCnnHead;
  bins?: number;
  frames?: number;
  /** Frames averaged together before the convolutions. */
  timePool?: number;
  /** Filters of the three convolution blocks. */
  filters?: readonly [number, number, number];
  /** Square kernel sizes of the three blocks. */
  kernels?: readonly [number, number, number];
  denseUnits?: number;
  dropout?: number;
  /** Makes initial weights and dropout masks reproducible. */
  seed?: number;
}

/** Default network: 56,173 parameters with the scene head, 55,718 with the gas head. */
export function buildAudioCnn(options: AudioCnnOptions): tf.LayersModel {
  const head = typeof options.head === 'string' ? AUDIO_CNN_HEADS[options.head] : options.head;
  const bins = options.bins ?? MEL_BINS;
  const frames = options.frames ?? SPECTROGRAM_FRAMES;
  const timePool = options.timePool ?? 4;
  const filters = options.filters ?? [16, 32, 32];
  const kernels = options.kernels ?? [5, 5, 3];
  const pooledFrames = Math.floor(frames / timePool);
  let seed = options.seed;
  const nextSeed = () => (seed === undefined ? undefined : seed++);
  const init = () => {
    const s = nextSeed();
    return s === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: s }) };
  };
  if (bins < 8 || pooledFrames < 8) {
    throw new Error(`A ${bins}×${frames} spectrogram is too small for three 2×2 poolings.`);
  }

  const model = tf.sequential({ name: 'audio_cnn' });
  model.add(
    tf.layers.averagePooling2d({
      inputShape: [bins, frames, 1],
      poolSize: [1, timePool],
      strides: [1, timePool],
      name: 'time_pool',
    }),
  );
  filters.forEach((f, i) => {
    model.add(
      tf.layers.conv2d({
        filters: f,
        kernelSize: kernels[i],
        padding: 'same',
        activation: 'relu',
        name: `conv${i + 1}`,
        ...init(),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }));
  });
  const remaining = Math.floor(Math.floor(Math.floor(pooledFrames / 2) / 2) / 2);
  model.add(
    tf.layers.averagePooling2d({
      poolSize: [1, remaining],
      strides: [1, remaining],
      name: 'time_average',
    }),
  );
  model.add(tf.layers.flatten({ name: 'bands' }));
  const rate = options.dropout ?? 0.5;
  model.add(tf.layers.dropout({ rate, seed: nextSeed(), name: 'dropout1' }));
  model.add(
    tf.layers.dense({
      units: options.denseUnits ?? 64,
      activation: 'relu',
      name: 'dense',
      ...init(),
    }),
  );
  model.add(tf.layers.dropout({ rate, seed: nextSeed(), name: 'dropout2' }));
  model.add(
    tf.layers.dense({ units: head.units, activation: head.activation, name: 'output', ...init() }),
  );
  return model;
}
