// The device-side Sum and Mean gradients: each input element receives the upstream gradient of
// the output it was reduced into (divided by the count for Mean), for any axes and keepDims.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '../../src/lib/compute/kernels';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE = [3, 4, 5, 2];

describe.each([
  { op: 'sum', mean: false },
  { op: 'mean', mean: true },
])('$op gradient', ({ mean }) => {
  it.each([
    { axes: [0, 1, 2], keepDims: false },
    { axes: [1, 3], keepDims: true },
    { axes: [2], keepDims: false },
  ])('over $axes (keepDims $keepDims)', ({ axes, keepDims }) => {
    const x = tf.randomUniform(SHAPE, -1, 1, 'float32', 5);
    const reduce = mean ? tf.mean : tf.sum;
    const outShape = reduce(x, axes, keepDims).shape;
    const c = tf.randomUniform(outShape, -1, 1, 'float32', 6);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t, axes, keepDims), c)))(x);
    const count = axes.reduce((n, a) => n * SHAPE[a], 1);
    const cv = c.dataSync();
    const got = dx.dataSync();
    const kept = SHAPE.map((d, i) => (axes.includes(i) ? 1 : d));
    const strides = kept.map((_, i) => kept.slice(i + 1).reduce((a, b) => a * b, 1));
    for (let i = 0; i < got.length; i++) {
      let rest = i;
      let o = 0;
      for (let d = SHAPE.length - 1; d >= 0; d--) {
        const coord = rest % SHAPE[d];
        rest = Math.floor(rest / SHAPE[d]);
        if (!axes.includes(d)) o += coord * strides[d];
      }
      expect(got[i]).toBeCloseTo(cv[o] / (mean ? count : 1), 6);
    }
    tf.dispose([x, c, dx]);
  });
});
