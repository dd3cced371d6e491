// WebGPU against CPU for the beyond-the-paper building blocks: switch pooling/unpooling and their
// gradients (rank-5 tensors, folded to rank ≤ 4 inside), the switch autoencoder's output and
// weight gradients, and batch augmentation. Each function runs the same inputs on both backends
// and returns the largest differences, plus any warnings WebGPU printed (invalid WGSL only warns).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { maxPool3dWithSwitches, unpool3d } from '../../../src/lib/models/layers/switch-pooling';
import { buildSwitchAutoencoder } from '../../../src/lib/models/switch-autoencoder';
import { DEFAULT_AUGMENT, augmentBatch } from '../../../src/lib/training/augment';
import { shuffledRange } from '../../shuffled-range';

type Arrays = Float32Array[];

/** Distinct values in a seeded random order: no ties, so argmax is the same everywhere. */
function distinct(n: number, seed: number): Float32Array {
  return Float32Array.from(shuffledRange(n, seed), (v) => v / n - 0.5);
}

async function onBoth(fn: () => Promise<Arrays>) {
  const warnings: string[] = [];
  const warn = console.warn;
  const results: Record<string, Arrays> = {};
  for (const name of ['cpu', 'webgpu']) {
    if (!(await tf.setBackend(name))) throw new Error(`${name} backend unavailable`);
    await tf.ready();
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
      warn(...args);
    };
    try {
      results[name] = await fn();
    } finally {
      console.warn = warn;
    }
  }
  const diffs = results.cpu.map((a, k) => {
    const b = results.webgpu[k];
    let m = a.length === b.length ? 0 : Infinity;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  });
  return { backend: tf.getBackend(), diffs, sizes: results.cpu.map((a) => a.length), warnings };
}

/** [pooled, switches, unpooled, d/dx, d/dvalues] differences on a 2×5×7×6×3 input. */
export async function switchPooling() {
  const shape = [2, 5, 7, 6, 3];
  const x0 = distinct(2 * 5 * 7 * 6 * 3, 3);
  return onBoth(async () => {
    const out = tf.tidy(() => {
      const x = tf.tensor(x0, shape);
      const { pooled, switches } = maxPool3dWithSwitches(x);
      const w = tf.linspace(0.5, 1.5, pooled.size).reshape(pooled.shape);
      const back = unpool3d(pooled, switches, [5, 7, 6]);
      const gx = tf.grad((t: tf.Tensor) => {
        const p = maxPool3dWithSwitches(t);
        return unpool3d(p.pooled.mul(w), p.switches, [5, 7, 6]).sum() as tf.Scalar;
      })(x);
      const gv = tf.grad((v: tf.Tensor) =>
        unpool3d(v, switches, [5, 7, 6])
          .mul(tf.linspace(-1, 1, x.size).reshape(shape))
          .sum(),
      )(pooled);
      return [pooled, switches, back, gx, gv];
    });
    const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(out);
    return data;
  });
}

/** [reconstruction, …weight gradients] differences for a tiny switch autoencoder. */
export async function switchAutoencoder() {
  const frames = 4;
  const res = { width: 8, height: 6 };
  const shape = [2, frames, res.height, res.width, 3];
  const x0 = distinct(2 * frames * res.height * res.width * 3, 5).map((v) => v + 0.5);
  let weights: Float32Array[] | null = null;
  return onBoth(async () => {
    const { autoencoder } = buildSwitchAutoencoder({ frames, resolution: res });
    if (!weights) weights = autoencoder.getWeights().map((w) => w.dataSync() as Float32Array);
    autoencoder.setWeights(autoencoder.getWeights().map((w, i) => tf.tensor(weights![i], w.shape)));
    const x = tf.tensor(x0, shape);
    const y = autoencoder.predict(x) as tf.Tensor;
    const { grads } = tf.variableGrads(
      () => tf.losses.meanSquaredError(x, autoencoder.apply(x) as tf.Tensor) as tf.Scalar,
    );
    const out = [y, ...Object.values(grads)];
    const data = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([...out, x]);
    autoencoder.dispose();
    return data;
  });
}

/** The augmented batch (zoom, shift, flip, jitter) on both backends from the same seed. */
export async function augmentation() {
  const shape = [3, 4, 9, 16, 3];
  const x0 = distinct(3 * 4 * 9 * 16 * 3, 7).map((v) => Math.round((v + 0.5) * 255));
  return onBoth(async () => {
    const x = tf.tensor(x0, shape, 'int32');
    const { images } = augmentBatch(x, DEFAULT_AUGMENT, 21);
    const data = (await images.data()) as Float32Array;
    tf.dispose([x, images]);
    return [data];
  });
}
