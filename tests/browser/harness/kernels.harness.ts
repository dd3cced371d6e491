// Fast WebGPU conv3d kernels (src/lib/compute/kernels) against tfjs's stock CPU kernels, and our
// WebGPU batch-norm programs against the CPU backend's loops, in a real browser: same inputs on
// both backends, output buffers on WebGPU poisoned with NaN first.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { installFastKernels, uninstallFastKernels } from '../../../src/lib/compute/kernels';
import { normaliseBatch } from '../../../src/lib/models/layers/batch-norm';

export interface ConvCase {
  x: [number, number, number, number, number];
  f: [number, number, number];
  out: number;
  strides: [number, number, number] | number;
  pad: 'same' | 'valid';
}

/** A small linear congruential generator, so both backends see identical values. */
function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function convAndGrads(c: ConvCase): Promise<Float32Array[]> {
  const wShape = [...c.f, c.x[4], c.out];
  const x = tf.tensor5d(values(size(c.x), 1), c.x);
  const w = tf.tensor5d(values(size(wShape), 2), wShape as ConvCase['x']);
  const conv = (a: tf.Tensor, b: tf.Tensor) =>
    tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, c.strides, c.pad);
  const y = conv(x, w);
  const t = tf.tensor(values(size(y.shape), 3), y.shape);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), t)))([x, w]);
  const out = await Promise.all([y, dx, dw].map((r) => r.data() as Promise<Float32Array>));
  [x, w, y, t, dx, dw].forEach((r) => r.dispose());
  return out;
}

/** Leaves freed NaN-filled buffers of the outputs' sizes for the WebGPU backend to reuse. */
async function poison(sizes: number[]): Promise<void> {
  const held = sizes.flatMap((n) => [tf.fill([n], NaN), tf.fill([n * 4], NaN)]);
  await Promise.all(held.map((h) => h.data()));
  held.forEach((h) => h.dispose());
}

/**
 * Runs `compute` on the CPU backend with tfjs's stock kernels, then on WebGPU with ours over
 * poisoned buffers: each output's max error relative to its largest CPU value (at least `floor`).
 */
async function errorsAgainstCpu(
  compute: () => Promise<Float32Array[]>,
  floor = 0,
): Promise<number[]> {
  await tf.setBackend('cpu');
  uninstallFastKernels('cpu');
  const reference = await compute();
  await tf.setBackend('webgpu');
  installFastKernels('webgpu');
  await poison(reference.map((r) => r.length));
  const got = await compute();
  return got.map((g, i) => {
    const r = reference[i];
    let scale = floor;
    let err = g.length === r.length ? 0 : Infinity;
    for (let j = 0; j < r.length; j++) {
      scale = Math.max(scale, Math.abs(r[j]));
      const e = Math.abs(g[j] - r[j]);
      err = Number.isNaN(e) ? Infinity : Math.max(err, e);
    }
    return err / scale;
  });
}

/** Max error relative to the largest CPU value, for y, dx and dw. */
export async function conv3dErrors(c: ConvCase): Promise<{ y: number; dx: number; dw: number }> {
  const [y, dx, dw] = await errorsAgainstCpu(() => convAndGrads(c));
  return { y, dx, dw };
}

/** Whether the fast kernels are the ones registered for webgpu now. */
export async function fastKernelsInstalled(): Promise<boolean> {
  await tf.setBackend('webgpu');
  uninstallFastKernels('webgpu');
  const stock = tf.getKernel('Conv3D', 'webgpu')?.kernelFunc;
  installFastKernels('webgpu');
  return stock !== undefined && tf.getKernel('Conv3D', 'webgpu')?.kernelFunc !== stock;
}

export interface ReduceCase {
  op: 'sum' | 'mean';
  shape: number[];
  axes: number[];
  keepDims: boolean;
}

async function reduce(c: ReduceCase): Promise<{ shape: number[]; data: Float32Array }> {
  const x = tf.tensor(values(size(c.shape), 4), c.shape);
  const y = (c.op === 'sum' ? tf.sum : tf.mean)(x, c.axes, c.keepDims);
  const data = (await y.data()) as Float32Array;
  const shape = y.shape;
  tf.dispose([x, y]);
  return { shape, data };
}

/** Max error relative to the largest CPU value of a Sum or Mean, and whether the shapes agree. */
export async function reduceError(c: ReduceCase): Promise<{ error: number; sameShape: boolean }> {
  await tf.setBackend('cpu');
  const reference = await reduce(c);
  await tf.setBackend('webgpu');
  installFastKernels('webgpu');
  await poison([reference.data.length]);
  const got = await reduce(c);
  let scale = 0;
  let err = got.data.length === reference.data.length ? 0 : Infinity;
  reference.data.forEach((r, j) => {
    scale = Math.max(scale, Math.abs(r));
    const e = Math.abs(got.data[j] - r);
    err = Number.isNaN(e) ? Infinity : Math.max(err, e);
  });
  return {
    error: err / scale,
    sameShape: JSON.stringify(got.shape) === JSON.stringify(reference.shape),
  };
}

export interface BatchNormCase {
  rows: number;
  channels: number;
}

/**
 * One training forward pass of batch normalisation over rows [rows, channels] (values offset
 * from zero, as activations are), the moving mean and variance it updates (momentum 0.9) and the
 * gradients of Σ y · t for x, γ and β, in that order.
 */
async function batchNorm(c: BatchNormCase): Promise<Float32Array[]> {
  const { rows, channels } = c;
  const x = tf.tidy(() =>
    tf.add(tf.mul(tf.tensor2d(values(rows * channels, 5), [rows, channels]), 3), 5),
  );
  const gamma = tf.add(tf.tensor1d(values(channels, 6)), 1);
  const beta = tf.tensor1d(values(channels, 7));
  const old = tf.tensor1d(values(channels, 8).map(Math.abs));
  const t = tf.tensor2d(values(rows * channels, 9), [rows, channels]);
  const moving: tf.Tensor[] = [];
  const f = normaliseBatch(1e-3, (s) => {
    moving.push(tf.keep(s.moving('mean', old, 0.9)), tf.keep(s.moving('variance', old, 0.9)));
    s.dispose();
  });
  const y = f(x, gamma, beta);
  const grads = tf.grads((a, g, b) => tf.sum(tf.mul(f(a, g, b), t)))([x, gamma, beta]);
  const results = [y, ...moving.slice(0, 2), ...grads];
  const out = await Promise.all(results.map((r) => r.data() as Promise<Float32Array>));
  tf.dispose([x, gamma, beta, old, t, ...moving, ...results]);
  return out;
}

/**
 * Max error relative to the largest CPU value of batch norm's y, moving mean, moving variance,
 * ∂x, ∂γ and ∂β: the webgpu programs (webgpu-batchnorm.ts) against the CPU backend's loops.
 */
export async function batchNormErrors(c: BatchNormCase): Promise<number[]> {
  // A single row has ∂x = ∂γ = 0 exactly: errors relative to 1e-6 there.
  return errorsAgainstCpu(() => batchNorm(c), 1e-6);
}
