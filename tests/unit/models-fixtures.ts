// Small synthetic sequences from the demo study's scene types (same looks, reduced size) for the
// training tests: every scene type is visually distinct, has its labels and its gas response.
import * as tf from '@tensorflow/tfjs';
import { SCENE_TYPES } from '../../src/lib/demo/scenes';
import { seededRandom } from '../../src/lib/util/random';
import type { SequenceShape } from '../../src/lib/models/autoencoder';
import type { Batch, BatchLoader } from '../../src/lib/training/loop';

export const SMALL_SHAPE: SequenceShape = [10, 9, 16, 3];

export interface SyntheticStudy {
  shape: SequenceShape;
  frames: Uint8Array[];
  scene: number[];
  labelNames: string[];
  labels: Float32Array;
  gases: Float32Array;
  train: number[];
  validation: number[];
}

/** `perScene` sequences of each scene type; every fourth sequence of a type validates. */
export function syntheticStudy(
  perScene: number,
  seed = 1,
  shape: SequenceShape = SMALL_SHAPE,
): SyntheticStudy {
  const [d, h, w] = shape;
  const labelNames = [...new Set(SCENE_TYPES.flatMap((s) => s.labels))];
  const frames: Uint8Array[] = [];
  const scene: number[] = [];
  const rand = seededRandom(seed);
  for (let k = 0; k < perScene; k++) {
    SCENE_TYPES.forEach((type, s) => {
      const seq = new Uint8Array(d * h * w * 3);
      const offset = Math.floor(rand() * 60);
      for (let f = 0; f < d; f++) {
        type.render(seq.subarray(f * h * w * 3, (f + 1) * h * w * 3), w, h, offset + f, rand);
      }
      frames.push(seq);
      scene.push(s);
    });
  }
  const n = frames.length;
  const labels = new Float32Array(n * labelNames.length);
  const gases = new Float32Array(n * 6);
  scene.forEach((s, i) => {
    for (const l of SCENE_TYPES[s].labels)
      labels[i * labelNames.length + labelNames.indexOf(l)] = 1;
    SCENE_TYPES[s].gasResponse.forEach((g, c) => (gases[i * 6 + c] = 0.3 + g + 0.05 * rand()));
  });
  const rows = [...Array(n).keys()];
  const validation = rows.filter((i) => Math.floor(i / SCENE_TYPES.length) % 4 === 3);
  const train = rows.filter((i) => !validation.includes(i));
  return { shape, frames, scene, labelNames, labels, gases, train, validation };
}

/** Loads sequences as the worker does: uint8 to the backend, then float32 / 255 there. */
export function sequenceLoader(study: SyntheticStudy): BatchLoader {
  return async (rows) => {
    const size = study.frames[0].length;
    const bytes = new Uint8Array(rows.length * size);
    rows.forEach((r, i) => bytes.set(study.frames[r], i * size));
    const x = tf.tidy(() =>
      tf.div(tf.cast(tf.tensor(bytes, [rows.length, ...study.shape], 'int32'), 'float32'), 255),
    );
    return { x, y: x.clone() } satisfies Batch;
  };
}

/** Loads rows of precomputed features with targets. */
export function tableLoader(
  x: Float32Array,
  xWidth: number,
  y: Float32Array,
  yWidth: number,
): BatchLoader {
  return async (rows) => {
    const bx = new Float32Array(rows.length * xWidth);
    const by = new Float32Array(rows.length * yWidth);
    rows.forEach((r, i) => {
      bx.set(x.subarray(r * xWidth, (r + 1) * xWidth), i * xWidth);
      by.set(y.subarray(r * yWidth, (r + 1) * yWidth), i * yWidth);
    });
    return { x: tf.tensor2d(bx, [rows.length, xWidth]), y: tf.tensor2d(by, [rows.length, yWidth]) };
  };
}
