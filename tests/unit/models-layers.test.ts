// The custom layers against independent references: plain-loop definitions, tfjs's own
// BatchNormalization on rank 4, a plain Dense, and finite-difference gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  BatchNormalization,
  SplitDense,
  UpSampling3D,
  ZeroPadding3D,
  mergeSplitKernel,
} from '../../src/lib/models/layers';
import { normaliseBatch, type NormalisePath } from '../../src/lib/models/layers/batch-norm';
import { buildAutoencoder } from '../../src/lib/models/autoencoder';
import { buildSceneHead } from '../../src/lib/models/scene-head';
import { forward } from '../../src/lib/models/forward';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

const randn = (shape: number[], seed: number) =>
  tf.tensor(
    seeded(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

/**
 * Central finite differences of loss(x) = Σ f(x) · r for every element of `x`, against tfjs's
 * gradient. float32 limits the accuracy, hence eps = 1e-2 and a tolerance of 1e-3 of the scale.
 */
function checkInputGradient(f: (x: tf.Tensor) => tf.Tensor, shape: number[], seed: number) {
  const x0 = randn(shape, seed);
  const outShape = f(x0).shape;
  const r = randn(outShape, seed + 1);
  const loss = (x: tf.Tensor) => tf.sum(tf.mul(f(x), r));
  const analytic = tf.grad(loss)(x0).dataSync();
  const base = x0.dataSync();
  const numeric = new Float32Array(base.length);
  const eps = 1e-2;
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += eps;
    minus[i] -= eps;
    const lp = tf.tidy(() => loss(tf.tensor(plus, shape)).dataSync()[0]);
    const lm = tf.tidy(() => loss(tf.tensor(minus, shape)).dataSync()[0]);
    numeric[i] = (lp - lm) / (2 * eps);
  }
  expect(maxRelError(analytic, numeric)).toBeLessThan(1e-3);
}

describe('UpSampling3D', () => {
  it('repeats each element along depth, height and width like a plain loop', () => {
    const [b, d, h, w, c] = [2, 3, 2, 3, 2];
    const x = randn([b, d, h, w, c], 1);
    const layer = new UpSampling3D({ size: [2, 3, 1] });
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([b, 6, 6, 3, c]);
    const xs = x.arraySync() as number[][][][][];
    const ys = y.arraySync() as number[][][][][];
    for (let n = 0; n < b; n++)
      for (let i = 0; i < 6; i++)
        for (let j = 0; j < 6; j++)
          for (let k = 0; k < 3; k++)
            for (let ch = 0; ch < c; ch++)
              expect(ys[n][i][j][k][ch]).toBe(xs[n][Math.floor(i / 2)][Math.floor(j / 3)][k][ch]);
  });
  it('has the finite-difference gradient', () => {
    const layer = new UpSampling3D({ size: 2 });
    checkInputGradient((x) => layer.apply(x) as tf.Tensor, [1, 2, 2, 3, 2], 3);
  });
});

describe('ZeroPadding3D', () => {
  it('pads each axis with zeros like a plain loop', () => {
    const x = randn([2, 3, 2, 2, 2], 4);
    const layer = new ZeroPadding3D({
      padding: [
        [1, 2],
        [0, 1],
        [2, 0],
      ],
    });
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 6, 3, 4, 2]);
    const xs = x.arraySync() as number[][][][][];
    const ys = y.arraySync() as number[][][][][];
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 6; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 4; k++)
            for (let ch = 0; ch < 2; ch++) {
              const [si, sj, sk] = [i - 1, j, k - 2];
              const inside = si >= 0 && si < 3 && sj < 2 && sk >= 0;
              expect(ys[n][i][j][k][ch]).toBe(inside ? xs[n][si][sj][sk][ch] : 0);
            }
  });
  it('accepts Keras padding forms', () => {
    expect(new ZeroPadding3D({ padding: 2 }).padding).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(new ZeroPadding3D({ padding: [1, 0, 3] }).padding).toEqual([
      [1, 1],
      [0, 0],
      [3, 3],
    ]);
  });
  it('has the finite-difference gradient', () => {
    const layer = new ZeroPadding3D({
      padding: [
        [1, 1],
        [0, 1],
        [0, 0],
      ],
    });
    checkInputGradient((x) => layer.apply(x) as tf.Tensor, [1, 2, 2, 2, 3], 5);
  });
});

describe('BatchNormalization (rank-safe)', () => {
  it('equals tfjs-layers BatchNormalization on rank 4, in training and inference mode', () => {
    const x = tf.add(tf.mul(randn([3, 4, 5, 6], 6), 3), 1);
    const ours = new BatchNormalization({ epsilon: 1e-3, momentum: 0.9 });
    const theirs = tf.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.9 });
    ours.build(x.shape);
    theirs.build(x.shape);
    const gamma = randn([6], 7).add(1);
    const beta = randn([6], 8);
    ours.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
    theirs.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
    const a = ours.apply(x, { training: true }) as tf.Tensor;
    const b = theirs.apply(x, { training: true }) as tf.Tensor;
    expect(maxRelError(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
    // Moving statistics updated the same way.
    const wa = ours.getWeights();
    const wb = theirs.getWeights();
    for (const i of [2, 3])
      expect(maxRelError(wa[i].dataSync(), wb[i].dataSync())).toBeLessThan(1e-5);
    const ia = ours.apply(x, { training: false }) as tf.Tensor;
    const ib = theirs.apply(x, { training: false }) as tf.Tensor;
    expect(maxRelError(ia.dataSync(), ib.dataSync())).toBeLessThan(1e-5);
  });
  it('has the gradients of tfjs-layers BatchNormalization on rank 4 (input, gamma, beta)', () => {
    const x = tf.add(tf.mul(randn([3, 4, 5, 6], 20), 2), 0.5);
    const r = randn([3, 4, 5, 6], 21);
    const gamma = randn([6], 22).add(1);
    const beta = randn([6], 23);
    const grads = (layer: tf.layers.Layer) => {
      layer.build(x.shape);
      layer.setWeights([gamma, beta, tf.zeros([6]), tf.ones([6])]);
      const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const loss = (t: tf.Tensor) =>
        tf.sum(tf.mul(layer.apply(t, { training: true }) as tf.Tensor, r));
      const dx = tf.grad(loss)(x);
      const byName = tf.variableGrads(() => loss(x) as tf.Scalar, vars).grads;
      return [dx, ...vars.map((v) => byName[v.name])];
    };
    const ours = grads(new BatchNormalization({ epsilon: 1e-3 }));
    const theirs = grads(tf.layers.batchNormalization({ epsilon: 1e-3 }));
    for (let i = 0; i < 3; i++) {
      expect(maxRelError(ours[i].dataSync(), theirs[i].dataSync())).toBeLessThan(1e-4);
    }
  });
  it('computes the same with loops (the CPU backend) as with tensor ops (GPU backends)', () => {
    const rows = tf.add(tf.mul(randn([37, 5], 30), 4), 2);
    const dy = randn([37, 5], 31);
    const gamma = randn([5], 32).add(1);
    const beta = randn([5], 33);
    const old = randn([5], 34);
    const run = (path: NormalisePath) => {
      const moving: tf.Tensor[] = [];
      const f = normaliseBatch(
        1e-3,
        (s) => {
          // Called inside the forward pass's scope here: keep what outlives it.
          moving.push(tf.keep(s.moving('mean', old, 0.9)), tf.keep(s.moving('variance', old, 0.9)));
          s.dispose();
        },
        path,
      );
      const y = f(rows, gamma, beta);
      const grads = tf.grads((r, g, b) => tf.sum(tf.mul(f(r, g, b), dy)))([rows, gamma, beta]);
      return [y, ...moving.slice(0, 2), ...grads];
    };
    const loops = run('loops');
    const ops = run('ops');
    expect(loops).toHaveLength(6);
    for (let i = 0; i < loops.length; i++) {
      expect(loops[i].shape).toEqual(ops[i].shape);
      expect(maxRelError(loops[i].dataSync(), ops[i].dataSync())).toBeLessThan(1e-5);
    }
  });
  it('works on rank 5 and has finite-difference gradients (input, gamma, beta)', () => {
    const shape = [2, 2, 2, 2, 3];
    const layer = new BatchNormalization();
    layer.build(shape);
    layer.setWeights([randn([3], 9).add(1), randn([3], 10), tf.zeros([3]), tf.ones([3])]);
    checkInputGradient((x) => layer.apply(x, { training: true }) as tf.Tensor, shape, 11);
    checkInputGradient((x) => layer.apply(x, { training: false }) as tf.Tensor, shape, 12);
    // Weight gradients: perturb gamma and beta.
    const x = randn(shape, 13);
    const r = randn(shape, 14);
    const loss = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, r));
    const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(loss as () => tf.Scalar, vars);
    for (const v of vars) {
      const g = grads[v.name].dataSync();
      const base = v.dataSync().slice();
      const numeric = base.map((_, i) => {
        const at = (d: number) => {
          const p = Float32Array.from(base);
          p[i] += d;
          v.assign(tf.tensor(p));
          return loss().dataSync()[0];
        };
        const n = (at(1e-2) - at(-1e-2)) / 2e-2;
        v.assign(tf.tensor(base));
        return n;
      });
      expect(maxRelError(g, numeric)).toBeLessThan(1e-3);
    }
  });
});

describe('SplitDense', () => {
  it('computes the same function as one Dense with the merged kernel, gradient included', () => {
    const split = new SplitDense({ units: 5, blockRows: [4, 3, 4], activation: 'relu' });
    split.build([null, 11]);
    const dense = tf.layers.dense({ units: 5, activation: 'relu' });
    dense.build([null, 11]);
    dense.setWeights([mergeSplitKernel(split), split.getWeights()[3]]);
    const x = randn([3, 11], 15);
    const a = split.apply(x) as tf.Tensor;
    const b = dense.apply(x) as tf.Tensor;
    expect(maxRelError(a.dataSync(), b.dataSync())).toBeLessThan(1e-6);
    // A smooth activation for the finite differences (relu's kink would defeat them).
    const smooth = new SplitDense({ units: 5, blockRows: [4, 3, 4], activation: 'sigmoid' });
    checkInputGradient((t) => smooth.apply(t) as tf.Tensor, [2, 11], 16);
  });
});

describe('save → load', () => {
  async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return tf.loadLayersModel(tf.io.fromMemory(saved!));
  }

  it('restores the autoencoder with batch norm: same layers, same outputs', async () => {
    const m = buildAutoencoder({ batchNorm: true, inputShape: [10, 4, 8, 3] });
    // Non-default moving statistics so that inference mode shows they were restored.
    forward(m, tf.randomUniform([2, 10, 4, 8, 3], 0, 1, 'float32', 1), true);
    const loaded = (await roundTrip(m)) as tf.Sequential;
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(
      m.layers.map((l) => l.getClassName()),
    );
    expect(loaded.layers.map((l) => l.getClassName())).toContain('UpSampling3D');
    const x = tf.randomUniform([2, 10, 4, 8, 3], 0, 1, 'float32', 2);
    const a = forward(m, x, false).dataSync();
    const b = forward(loaded, x, false).dataSync();
    expect(maxRelError(a, b)).toBe(0);
  });

  it('restores a head with a split kernel', async () => {
    const m = buildSceneHead(3, { inputDim: 40, maxBufferBytes: 40 * 1024 * 2 });
    expect(m.layers[0]).toBeInstanceOf(SplitDense);
    const loaded = (await roundTrip(m)) as tf.Sequential;
    expect(loaded.layers[0]).toBeInstanceOf(SplitDense);
    const x = randn([4, 40], 17);
    expect(maxRelError(forward(m, x, false).dataSync(), forward(loaded, x, false).dataSync())).toBe(
      0,
    );
  });
});
