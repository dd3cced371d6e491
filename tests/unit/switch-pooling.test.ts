// Switch pooling and unpooling: pooled values equal tfjs's max pooling, unpooling puts each value
// back at its argmax and zeros elsewhere (odd sizes floor and come back zero-padded), gradients
// match finite differences, the layers survive a save/load, and the switch autoencoder has the
// paper's parameter count and learns.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MaxPooling3DWithSwitches,
  Unpooling3D,
  maxPool3dWithSwitches,
  unpool3d,
} from '../../src/lib/models/layers/switch-pooling';
import {
  SWITCH_AUTOENCODER_PARAMS,
  buildSwitchAutoencoder,
} from '../../src/lib/models/switch-autoencoder';
import { shuffledRange } from '../shuffled-range';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Distinct values (spacing 0.01) in a random order: no ties, stable argmax under ±1e-3. */
function distinct(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    shuffledRange(n, seed).map((v) => v * 0.01 - n * 0.005),
    shape,
  );
}

/** Brute force: 1 where an element is the (first) maximum of its 2×2×2 window, else 0. */
function argmaxMask(x: tf.Tensor): number[] {
  const [b, d, h, w, c] = x.shape;
  const v = x.dataSync();
  const at = (i: number, z: number, y: number, xx: number, k: number) =>
    (((i * d + z) * h + y) * w + xx) * c + k;
  const mask = new Array<number>(v.length).fill(0);
  for (let i = 0; i < b; i++)
    for (let z = 0; z + 1 < d; z += 2)
      for (let y = 0; y + 1 < h; y += 2)
        for (let xx = 0; xx + 1 < w; xx += 2)
          for (let k = 0; k < c; k++) {
            let best = -1;
            for (let dz = 0; dz < 2; dz++)
              for (let dy = 0; dy < 2; dy++)
                for (let dx = 0; dx < 2; dx++) {
                  const j = at(i, z + dz, y + dy, xx + dx, k);
                  if (best < 0 || v[j] > v[best]) best = j;
                }
            mask[best] = 1;
          }
  return mask;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('maxPool3dWithSwitches', () => {
  it('pools exactly like tf.maxPool3d, flooring odd sizes', () => {
    const x = tf.randomNormal([2, 5, 7, 6, 3], 0, 1, 'float32', 1);
    const { pooled, switches } = maxPool3dWithSwitches(x);
    const ref = tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid');
    expect(pooled.shape).toEqual([2, 2, 3, 3, 3]);
    expect(switches.shape).toEqual(pooled.shape);
    expect(maxAbsDiff(pooled.dataSync(), ref.dataSync())).toBe(0);
    const s = switches.dataSync();
    expect(s.every((v) => Number.isInteger(v) && v >= 0 && v < 8)).toBe(true);
  });

  it('records the first maximum when a window is constant', () => {
    const { switches } = maxPool3dWithSwitches(tf.ones([1, 2, 2, 2, 2]));
    expect([...switches.dataSync()]).toEqual([0, 0]);
  });

  it('rejects volumes that cannot be pooled', () => {
    expect(() => maxPool3dWithSwitches(tf.zeros([1, 1, 4, 4, 1]))).toThrow(/Cannot 2×2×2-pool/);
    expect(() => maxPool3dWithSwitches(tf.zeros([4, 4, 4, 1]))).toThrow(/rank-5/);
  });
});

describe('unpool3d', () => {
  it('places values at the argmax positions and zeros elsewhere', () => {
    const x = distinct([2, 5, 7, 6, 3], 7);
    const { pooled, switches } = maxPool3dWithSwitches(x);
    const back = unpool3d(pooled, switches, [5, 7, 6]);
    expect(back.shape).toEqual(x.shape);
    const mask = argmaxMask(x);
    const xv = x.dataSync();
    const expected = mask.map((m, i) => m * xv[i]);
    expect(maxAbsDiff(back.dataSync(), expected)).toBe(0);
    // Exactly one non-zero per window, and none in the floor-dropped slices.
    expect(mask.reduce((a, b) => a + b, 0)).toBe(pooled.size);
  });

  it('places arbitrary new values (not only the pooled ones) at the switches', () => {
    const x = distinct([1, 4, 4, 4, 2], 3);
    const { switches } = maxPool3dWithSwitches(x);
    const values = tf.tensor5d(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
      [1, 2, 2, 2, 2],
    );
    const back = unpool3d(values, switches, [4, 4, 4]).dataSync();
    const mask = argmaxMask(x);
    const placed = [...back].filter((v, i) => mask[i] === 1);
    expect(placed.sort((a, b) => a - b)).toEqual([...values.dataSync()]);
    expect([...back].filter((v, i) => mask[i] === 0).every((v) => v === 0)).toBe(true);
  });

  it('goes 30 → 15 → 7 and back 7 → 15 → 30 with zeros in the dropped slices', () => {
    const x = tf.add(distinct([1, 30, 4, 4, 1], 11), 10);
    const a = maxPool3dWithSwitches(x);
    const b = maxPool3dWithSwitches(a.pooled);
    expect(a.pooled.shape[1]).toBe(15);
    expect(b.pooled.shape[1]).toBe(7);
    const up15 = unpool3d(b.pooled, b.switches, [15, 2, 2]);
    expect(up15.shape).toEqual([1, 15, 2, 2, 1]);
    expect([...up15.dataSync().slice(14 * 4)]).toEqual([0, 0, 0, 0]);
    const up30 = unpool3d(up15, a.switches, [30, 4, 4]);
    expect(up30.shape).toEqual([1, 30, 4, 4, 1]);
    const v = up30.dataSync();
    // Time slices 28 and 29 hold what slice 14 of the 15 held: zeros.
    expect([...v.slice(28 * 16)].every((e) => e === 0)).toBe(true);
    // The 7 surviving maxima are the 7 largest pair-of-pairs maxima, each once.
    expect([...v].filter((e) => e !== 0).length).toBe(7);
  });

  it('checks shapes', () => {
    const v = tf.zeros([1, 2, 2, 2, 1]);
    expect(() => unpool3d(v, v, [6, 4, 4])).toThrow(/Cannot unpool/);
    expect(() => unpool3d(v, tf.zeros([1, 2, 2, 2, 2]), [4, 4, 4])).toThrow(/do not match/);
  });
});

describe('gradients', () => {
  /** Compares tf.grad of sum(f(x)·w) with central differences on every element. */
  function checkGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, seed: number) {
    const w = tf.randomUniform(f(x).shape, 0.5, 1.5, 'float32', seed);
    const loss = (t: tf.Tensor) => f(t).mul(w).sum() as tf.Scalar;
    const analytic = tf.grad(loss)(x).dataSync();
    const xv = x.dataSync();
    const eps = 1e-3;
    const numeric = new Float32Array(xv.length);
    for (let i = 0; i < xv.length; i++) {
      const plus = Float32Array.from(xv);
      const minus = Float32Array.from(xv);
      plus[i] += eps;
      minus[i] -= eps;
      const lp = loss(tf.tensor(plus, x.shape)).dataSync()[0];
      const lm = loss(tf.tensor(minus, x.shape)).dataSync()[0];
      numeric[i] = (lp - lm) / (2 * eps);
    }
    expect(maxAbsDiff(analytic, numeric)).toBeLessThan(2e-2);
    return analytic;
  }

  it('pooling sends the gradient to the argmax only (finite differences)', () => {
    const x = distinct([1, 3, 4, 5, 2], 5);
    const g = checkGradient((t) => maxPool3dWithSwitches(t).pooled, x, 1);
    const mask = argmaxMask(x);
    expect([...g].every((v, i) => (mask[i] ? v !== 0 : v === 0))).toBe(true);
  });

  it('unpooling gradient matches finite differences', () => {
    const { switches } = maxPool3dWithSwitches(distinct([1, 5, 4, 3, 2], 9));
    const values = tf.randomNormal(switches.shape, 0, 1, 'float32', 2);
    checkGradient((t) => unpool3d(t, switches, [5, 4, 3]), values, 3);
  });
});

describe('layers', () => {
  function tinyModel() {
    const input = tf.input({ shape: [5, 4, 6, 2] });
    const [p, s] = new MaxPooling3DWithSwitches({ name: 'pool' }).apply(
      input,
    ) as tf.SymbolicTensor[];
    const c = tf.layers
      .conv3d({ filters: 2, kernelSize: 1, name: 'mix' })
      .apply(p) as tf.SymbolicTensor;
    const u = new Unpooling3D({ size: [5, 4, 6], name: 'unpool' }).apply([
      c,
      s,
    ]) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: u });
  }

  it('infers shapes symbolically', () => {
    const model = tinyModel();
    expect(model.getLayer('pool').outputShape).toEqual([
      [null, 2, 2, 3, 2],
      [null, 2, 2, 3, 2],
    ]);
    expect(model.outputs[0].shape).toEqual([null, 5, 4, 6, 2]);
  });

  it('saves and loads through tf.serialization (registered classes)', async () => {
    const model = tinyModel();
    const x = tf.randomNormal([2, 5, 4, 6, 2], 0, 1, 'float32', 4);
    const before = (model.predict(x) as tf.Tensor).dataSync();
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.getLayer('unpool')).toBeInstanceOf(Unpooling3D);
    expect((loaded.getLayer('unpool') as Unpooling3D).size).toEqual([5, 4, 6]);
    const after = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(maxAbsDiff(before, after)).toBe(0);
  });
});

describe('switch autoencoder', () => {
  it("has the paper's shapes and exactly its (no-BN) parameter count", () => {
    const { autoencoder, encoder } = buildSwitchAutoencoder();
    expect(SWITCH_AUTOENCODER_PARAMS).toBe(226_563);
    expect(autoencoder.countParams()).toBe(226_563);
    expect(autoencoder.outputs[0].shape).toEqual([null, 30, 36, 64, 3]);
    expect(encoder.outputs[0].shape).toEqual([null, 7, 9, 16, 64]);
    const high = buildSwitchAutoencoder({ resolution: { width: 128, height: 72 } });
    expect(high.autoencoder.countParams()).toBe(226_563);
    expect(high.encoder.outputs[0].shape).toEqual([null, 7, 18, 32, 64]);
  });

  it('adds the injected normalisation after each hidden convolution', () => {
    const names: string[] = [];
    const { autoencoder } = buildSwitchAutoencoder({
      frames: 6,
      resolution: { width: 8, height: 8 },
      normalize: (name) => {
        names.push(name);
        return tf.layers.activation({ activation: 'linear', name });
      },
    });
    expect(names).toEqual(['norm1', 'norm2', 'norm3', 'norm4']);
    expect(autoencoder.getLayer('norm3')).toBeDefined();
  });

  it('learns to reconstruct (loss falls) at a tiny size', async () => {
    const { autoencoder } = buildSwitchAutoencoder({
      frames: 4,
      resolution: { width: 8, height: 4 },
      seed: 1,
    });
    autoencoder.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    // Moving bright blobs: structure the decoder can restore from the switches.
    const x = tf.tidy(() => {
      const t = tf.range(0, 4).reshape([1, 4, 1, 1, 1]);
      const yy = tf.range(0, 4).reshape([1, 1, 4, 1, 1]);
      const xx = tf.range(0, 8).reshape([1, 1, 1, 8, 1]);
      const offs = tf.tensor([0, 2, 4, 1], [4, 1, 1, 1, 1]);
      const d = xx.sub(t.add(offs)).square().add(yy.sub(2).square());
      return tf.exp(d.neg().div(2)).tile([1, 1, 1, 1, 3]);
    });
    const first = (autoencoder.evaluate(x, x) as tf.Scalar).dataSync()[0];
    await autoencoder.fit(x, x, { epochs: 15, batchSize: 4, shuffle: false, verbose: 0 });
    const last = (autoencoder.evaluate(x, x) as tf.Scalar).dataSync()[0];
    expect(last).toBeLessThan(first * 0.5);
  });
});
