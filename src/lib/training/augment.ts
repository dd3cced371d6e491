/**
 * Data augmentation for batches of frame sequences (paper §V, after Krizhevsky et al.): a small
 * random zoom-in and translation, a horizontal flip and a slight per-channel colour offset, drawn
 * once per SEQUENCE so its 30 frames move together (the 3D convolutions see motion, not jitter).
 *
 * Runs on the tfjs backend (the GPU in the app): the batch [B, F, H, W, 3] is folded into F·B
 * images so every op is rank 4 (WebGPU breaks on some rank-5 ops). Zoom, translation and flip are
 * one tf.image.cropAndResize with a per-sequence box (x1 > x2 mirrors); outside the frame is
 * black. Parameters come from a seeded generator on the CPU, so a batch is reproducible and the
 * same on every backend. Batch order is kept: row i of the output is row i of the input, so labels
 * stay aligned.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/random';
import type { ChannelOrder } from '../store/schema';
import type { Resolution } from '../shapes';
import { CHANNELS } from '../shapes';

export interface AugmentOptions {
  /** Largest zoom-in, as a fraction (0.1: up to 10 % larger). */
  zoom: number;
  /** Largest shift of the frame centre, as a fraction of its width and height. */
  translate: number;
  /** Mirror half of the sequences left to right. */
  flip: boolean;
  /** Largest per-channel offset, as a fraction of the value range. */
  jitter: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  zoom: 0.1,
  translate: 0.05,
  flip: true,
  jitter: 0.03,
};
export const NO_AUGMENT: AugmentOptions = { zoom: 0, translate: 0, flip: false, jitter: 0 };

/** What was done to one sequence. */
export interface SequenceTransform {
  /** ≥ 1: the crop is 1/zoom of the frame. */
  zoom: number;
  /** Shift of the crop centre, fraction of width / height. */
  dx: number;
  dy: number;
  flip: boolean;
  /** Per-channel offsets, fraction of the value range. */
  offsets: number[];
}

function checkOptions(o: AugmentOptions) {
  for (const key of ['zoom', 'translate', 'jitter'] as const) {
    if (!(o[key] >= 0 && o[key] <= 1)) throw new Error(`Augmentation ${key} must be in [0, 1].`);
  }
}

/** One transform per sequence; a new seed per batch (e.g. seed·10⁶ + epoch·10³ + batch). */
export function drawTransforms(
  count: number,
  options: AugmentOptions,
  seed: number,
): SequenceTransform[] {
  checkOptions(options);
  const rand = seededRandom(seed);
  const sym = (r: number) => (2 * rand() - 1) * r;
  return Array.from({ length: count }, () => ({
    zoom: 1 + rand() * options.zoom,
    dx: sym(options.translate),
    dy: sym(options.translate),
    flip: options.flip && rand() < 0.5,
    offsets: Array.from({ length: CHANNELS }, () => sym(options.jitter)),
  }));
}

function isGeometric(t: SequenceTransform): boolean {
  return t.zoom !== 1 || t.dx !== 0 || t.dy !== 0 || t.flip;
}

/**
 * Applies one transform per sequence to `x` [B, F, H, W, C] with values in [0, valueRange]
 * (uint8-valued int32 or float32). Returns float32 of the same shape and range.
 */
export function applyTransforms(
  x: tf.Tensor,
  transforms: SequenceTransform[],
  valueRange = 255,
): tf.Tensor5D {
  if (x.rank !== 5) throw new Error(`Augmentation takes [B, F, H, W, C], got rank ${x.rank}.`);
  const [b, f, h, w, c] = x.shape;
  if (transforms.length !== b) {
    throw new Error(`${transforms.length} transforms for a batch of ${b} sequences.`);
  }
  return tf.tidy(() => {
    let images = x.reshape([b * f, h, w, c]).toFloat() as tf.Tensor4D;
    if (transforms.some(isGeometric)) {
      const boxes = new Float32Array(b * f * 4);
      transforms.forEach((t, i) => {
        const half = 0.5 / t.zoom;
        const [cy, cx] = [0.5 + t.dy, 0.5 + t.dx];
        const [left, right] = [cx - half, cx + half];
        const box = [cy - half, t.flip ? right : left, cy + half, t.flip ? left : right];
        for (let k = 0; k < f; k++) boxes.set(box, (i * f + k) * 4);
      });
      const boxIndices = tf.range(0, b * f, 1, 'int32') as tf.Tensor1D;
      images = tf.image.cropAndResize(
        images,
        tf.tensor2d(boxes, [b * f, 4]),
        boxIndices,
        [h, w],
        'bilinear',
        0,
      );
    }
    if (transforms.some((t) => t.offsets.some((o) => o !== 0))) {
      const offsets = new Float32Array(b * f * c);
      transforms.forEach((t, i) => {
        const row = t.offsets.slice(0, c).map((o) => o * valueRange);
        for (let k = 0; k < f; k++) offsets.set(row, (i * f + k) * c);
      });
      images = images
        .add(tf.tensor4d(offsets, [b * f, 1, 1, c]))
        .clipByValue(0, valueRange) as tf.Tensor4D;
    }
    return images.reshape([b, f, h, w, c]) as tf.Tensor5D;
  });
}

/** Draws and applies one batch's augmentation. */
export function augmentBatch(
  x: tf.Tensor,
  options: AugmentOptions,
  seed: number,
  valueRange = 255,
): { images: tf.Tensor5D; transforms: SequenceTransform[] } {
  const transforms = drawTransforms(x.shape[0], options, seed);
  return { images: applyTransforms(x, transforms, valueRange), transforms };
}

/** A distinct generator seed per (run seed, epoch, batch), so a run's augmentation repeats. */
export function batchSeed(seed: number, epoch: number, batch: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ (batch + 1)) >>> 0;
}

/**
 * A training batch augmented for one step: frames `x` [B, F, H, W, C] with values in [0, 1]. An
 * autoencoder's target is its augmented input (it learns to reconstruct what it sees); a head keeps
 * its labels `y`, row for row (a copy, so the caller may dispose both batches).
 */
export function augmentTrainingBatch(
  batch: { x: tf.Tensor; y: tf.Tensor },
  options: AugmentOptions,
  seed: number,
  target: 'input' | 'labels',
): { x: tf.Tensor5D; y: tf.Tensor } {
  const { images } = augmentBatch(batch.x, options, seed, 1);
  return { x: images, y: target === 'input' ? images : batch.y.clone() };
}

export interface PreviewFrame {
  width: number;
  height: number;
  /** RGBA, ready for `new ImageData(rgba, width, height)`. */
  rgba: Uint8ClampedArray;
  /** null for the original frame. */
  transform: SequenceTransform | null;
}

/**
 * The original frame `frame` of one stored sequence (uint8 F×H×W×3) followed by `variants`
 * augmented versions of it, for the notebook's preview.
 */
export async function previewAugmentations(
  sequence: Uint8Array,
  resolution: Resolution,
  options: AugmentOptions,
  seed: number,
  { variants = 4, frame = 0, channelOrder = 'rgb' as ChannelOrder } = {},
): Promise<PreviewFrame[]> {
  const { width, height } = resolution;
  const size = width * height * CHANNELS;
  if (sequence.length % size !== 0 || (frame + 1) * size > sequence.length) {
    throw new Error(`Frame ${frame} is not in a sequence of ${sequence.length} bytes.`);
  }
  const pixels = sequence.subarray(frame * size, (frame + 1) * size);
  const transforms = drawTransforms(variants, options, seed);
  const out = tf.tidy(() => {
    const one = tf.tensor(Int32Array.from(pixels), [1, 1, height, width, CHANNELS]);
    return applyTransforms(one.tile([variants, 1, 1, 1, 1]), transforms).round();
  });
  const data = await out.data();
  out.dispose();
  const rgba = (src: ArrayLike<number>): Uint8ClampedArray => {
    const px = new Uint8ClampedArray(width * height * 4);
    const [r, b] = channelOrder === 'bgr' ? [2, 0] : [0, 2];
    for (let i = 0; i < width * height; i++) {
      px[i * 4] = src[i * 3 + r];
      px[i * 4 + 1] = src[i * 3 + 1];
      px[i * 4 + 2] = src[i * 3 + b];
      px[i * 4 + 3] = 255;
    }
    return px;
  };
  return [
    { width, height, rgba: rgba(pixels), transform: null },
    ...transforms.map((transform, v) => ({
      width,
      height,
      rgba: rgba(data.subarray(v * size, (v + 1) * size)),
      transform,
    })),
  ];
}
