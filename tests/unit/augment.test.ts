// Augmentation: shapes and batch order preserved, one transform per sequence for all its frames,
// flips mirror exactly, shifts move pixels by the expected amount, jitter stays bounded, nothing
// changes when disabled, and a seed reproduces a batch.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_AUGMENT,
  NO_AUGMENT,
  applyTransforms,
  augmentBatch,
  augmentTrainingBatch,
  batchSeed,
  drawTransforms,
  previewAugmentations,
  type SequenceTransform,
} from '../../src/lib/training/augment';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE = [4, 3, 6, 9, 3];

function randomBatch(seed = 1): tf.Tensor {
  return tf.randomUniform(SHAPE, 0, 256, 'int32', seed);
}

const identity: SequenceTransform = { zoom: 1, dx: 0, dy: 0, flip: false, offsets: [0, 0, 0] };

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.toFloat().sub(b.toFloat()).abs().max().dataSync()[0]);
}

describe('augmentBatch', () => {
  it('keeps the shape and returns float32 in range', () => {
    const x = randomBatch();
    const { images, transforms } = augmentBatch(x, DEFAULT_AUGMENT, 42);
    expect(images.shape).toEqual(SHAPE);
    expect(images.dtype).toBe('float32');
    expect(transforms).toHaveLength(4);
    expect(images.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(images.max().dataSync()[0]).toBeLessThanOrEqual(255);
    expect(maxAbs(images, x)).toBeGreaterThan(1);
  });

  it('is the identity when disabled', () => {
    const x = randomBatch();
    const { images } = augmentBatch(x, NO_AUGMENT, 3);
    expect(maxAbs(images, x)).toBe(0);
  });

  it('is reproducible from its seed and differs between seeds', () => {
    const x = randomBatch();
    const a = augmentBatch(x, DEFAULT_AUGMENT, 7).images;
    const b = augmentBatch(x, DEFAULT_AUGMENT, 7).images;
    const c = augmentBatch(x, DEFAULT_AUGMENT, 8).images;
    expect(maxAbs(a, b)).toBe(0);
    expect(maxAbs(a, c)).toBeGreaterThan(0);
  });

  it('mirrors flipped sequences exactly and leaves the others untouched', () => {
    const x = randomBatch(2);
    const { images, transforms } = augmentBatch(x, { ...NO_AUGMENT, flip: true }, 5);
    const flipped = transforms.map((t) => t.flip);
    expect(flipped).toContain(true);
    expect(flipped).toContain(false);
    const mirrored = tf.reverse(x.reshape([12, 6, 9, 3]), 2).reshape(SHAPE);
    flipped.forEach((flip, i) => {
      const got = images.slice([i], [1]);
      expect(maxAbs(got, (flip ? mirrored : x).slice([i], [1]))).toBe(0);
    });
  });

  it('shifts by the translation: a quarter of the width is 2 pixels of 9', () => {
    const ramp = tf.range(0, 9).reshape([1, 1, 1, 9, 1]).tile([1, 2, 6, 1, 3]).toInt();
    const out = applyTransforms(ramp, [{ ...identity, dx: 0.25 }]);
    const row = [...out.slice([0, 1, 3, 0, 0], [1, 1, 1, 9, 1]).dataSync()];
    expect(row).toEqual([2, 3, 4, 5, 6, 7, 8, 0, 0]);
  });

  it('zooms in about the centre: 2× shows the middle half', () => {
    const ramp = tf.range(0, 9).reshape([1, 1, 1, 9, 1]).tile([1, 1, 9, 1, 1]).toInt();
    const out = applyTransforms(ramp, [{ ...identity, zoom: 2 }]);
    const row = [...out.slice([0, 0, 4, 0, 0], [1, 1, 1, 9, 1]).dataSync()];
    expect(row).toEqual([2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]);
  });

  it('keeps jitter within its bound, one offset per sequence and channel', () => {
    const x = tf.fill(SHAPE, 128, 'int32');
    const { images, transforms } = augmentBatch(x, { ...NO_AUGMENT, jitter: 0.05 }, 9);
    const diff = images.sub(x.toFloat());
    expect(diff.abs().max().dataSync()[0]).toBeLessThanOrEqual(0.05 * 255 + 1e-3);
    expect(diff.abs().max().dataSync()[0]).toBeGreaterThan(1);
    const d = diff.reshape([4, 3 * 6 * 9, 3]);
    transforms.forEach((t, i) => {
      const per = d.slice([i, 0, 0], [1, -1, 3]);
      const expected = tf.tensor(t.offsets.map((o) => o * 255)).reshape([1, 1, 3]);
      expect(maxAbs(per, expected.tile([1, 3 * 6 * 9, 1]))).toBeLessThan(1e-3);
    });
  });

  it('keeps batch order (labels stay aligned) and moves all frames of a sequence together', () => {
    // Sequence i is a copy of one random frame plus a constant 40·i: its own frames must stay
    // identical to each other, and its mean must stay near its own level.
    const frame = tf.randomUniform([1, 1, 6, 9, 3], 0, 60, 'int32', 4);
    const levels = tf.tensor([0, 40, 80, 120], [4, 1, 1, 1, 1], 'int32');
    const x = frame.tile([4, 3, 1, 1, 1]).add(levels);
    const options = { zoom: 0.2, translate: 0, flip: true, jitter: 0.02 };
    const { images } = augmentBatch(x, options, 11);
    for (let i = 0; i < 4; i++) {
      const seq = images.slice([i], [1]);
      const first = seq.slice([0, 0], [1, 1]).tile([1, 3, 1, 1, 1]);
      expect(maxAbs(seq, first)).toBe(0);
    }
    const means = [...images.mean([1, 2, 3, 4]).dataSync()];
    const inputMeans = [...x.toFloat().mean([1, 2, 3, 4]).dataSync()];
    means.forEach((m, i) => expect(Math.abs(m - inputMeans[i])).toBeLessThan(12));
  });

  it('rejects bad input', () => {
    expect(() => applyTransforms(tf.zeros([2, 3, 3, 3]), [identity, identity])).toThrow(/rank 4/);
    expect(() => applyTransforms(randomBatch(), [identity])).toThrow(/1 transforms/);
    expect(() => drawTransforms(2, { ...NO_AUGMENT, zoom: -1 }, 1)).toThrow(/zoom/);
  });
});

describe('previewAugmentations', () => {
  it('gives the original then augmented RGBA frames', async () => {
    const seq = new Uint8Array(2 * 4 * 5 * 3).map((_, i) => (i * 7) % 256);
    const frames = await previewAugmentations(seq, { width: 5, height: 4 }, DEFAULT_AUGMENT, 1, {
      variants: 3,
      frame: 1,
    });
    expect(frames).toHaveLength(4);
    expect(frames[0].transform).toBeNull();
    expect(frames[1].transform).not.toBeNull();
    for (const f of frames) expect(f.rgba.length).toBe(4 * 5 * 4);
    const first = seq.subarray(60, 63);
    expect([...frames[0].rgba.subarray(0, 4)]).toEqual([...first, 255]);
    const bgr = await previewAugmentations(seq, { width: 5, height: 4 }, NO_AUGMENT, 1, {
      variants: 1,
      channelOrder: 'bgr',
    });
    expect([...bgr[1].rgba.subarray(0, 4)]).toEqual([seq[2], seq[1], seq[0], 255]);
    await expect(
      previewAugmentations(seq, { width: 5, height: 4 }, NO_AUGMENT, 1, { frame: 2 }),
    ).rejects.toThrow(/Frame 2/);
  });
});

describe('augmentTrainingBatch', () => {
  it('keeps shapes and each row with its own label, and changes the batch', () => {
    // Sequence i is a flat grey of level (i + 1) / 5 with label one-hot(i): after augmentation its
    // centre pixel must still be that level (up to the jitter), whatever the shuffle of transforms.
    const levels = [0.2, 0.4, 0.6, 0.8];
    const x = tf.tidy(() => tf.tensor1d(levels).reshape([4, 1, 1, 1, 1]).tile([1, 3, 6, 9, 3]));
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
    const out = augmentTrainingBatch({ x, y }, DEFAULT_AUGMENT, batchSeed(1, 0, 0), 'labels');
    expect(out.x.shape).toEqual(x.shape);
    expect(out.y.shape).toEqual([4, 4]);
    expect(maxAbs(out.y, y)).toBe(0);
    const centre = out.x.slice([0, 1, 3, 4, 0], [4, 1, 1, 1, 3]).as2D(4, 3).arraySync();
    centre.forEach((rgb, i) =>
      rgb.forEach((v) => expect(Math.abs(v - levels[i])).toBeLessThanOrEqual(0.03 + 1e-6)),
    );
    const textured = tf.tidy(() => randomBatch().toFloat().div(255));
    const auto = augmentTrainingBatch({ x: textured, y: textured }, DEFAULT_AUGMENT, 5, 'input');
    expect(auto.y).toBe(auto.x);
    expect(maxAbs(auto.x, textured)).toBeGreaterThan(0.05);
    tf.dispose([x, y, out.x, out.y, textured, auto.x]);
  });

  it('draws a different augmentation for every epoch and batch of a run', () => {
    const seeds = [0, 1, 2].flatMap((e) => [0, 1, 2].map((b) => batchSeed(7, e, b)));
    expect(new Set(seeds).size).toBe(9);
    expect(batchSeed(7, 1, 2)).toBe(batchSeed(7, 1, 2));
  });
});
