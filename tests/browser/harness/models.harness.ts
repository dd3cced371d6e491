// WebGPU against the CPU backend for every layer of the paper's networks (forward and
// gradients, small shapes) and for a few training steps of a small autoencoder with batch norm.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import {
  BatchNormalization,
  SplitDense,
  UpSampling3D,
  ZeroPadding3D,
} from '../../../src/lib/models/layers';
import { buildAutoencoder } from '../../../src/lib/models/autoencoder';
import { forward } from '../../../src/lib/models/forward';
import { binaryCrossentropy, meanAbsoluteError } from '../../../src/lib/training/losses';
import { makeOptimizer } from '../../../src/lib/training/optimizer';
import { trainStep } from '../../../src/lib/training/loop';

/** Deterministic values in [lo, hi) (a linear congruential generator), shared by the harnesses. */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Case {
  name: string;
  input: number[];
  /** Inputs in [0, 1] (losses, sigmoid targets) instead of [-1, 1]. */
  unit?: boolean;
  make: () => { layer?: tf.layers.Layer; f: (x: tf.Tensor) => tf.Tensor };
}

const layerCase = (
  name: string,
  input: number[],
  make: () => tf.layers.Layer,
  training = false,
): Case => ({
  name,
  input,
  make: () => {
    const layer = make();
    return { layer, f: (x) => layer.apply(x, { training }) as tf.Tensor };
  },
});

const CASES: Case[] = [
  layerCase('conv3d relu', [2, 4, 5, 6, 3], () =>
    tf.layers.conv3d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
  ),
  layerCase('conv3d sigmoid', [1, 3, 4, 4, 5], () =>
    tf.layers.conv3d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
  ),
  layerCase('maxPooling3d (odd sizes floor)', [2, 5, 4, 7, 3], () =>
    tf.layers.maxPooling3d({ poolSize: 2 }),
  ),
  layerCase('UpSampling3D', [2, 3, 2, 3, 4], () => new UpSampling3D({ size: 2 })),
  layerCase(
    'ZeroPadding3D',
    [2, 3, 2, 3, 4],
    () =>
      new ZeroPadding3D({
        padding: [
          [1, 1],
          [0, 1],
          [2, 0],
        ],
      }),
  ),
  layerCase(
    'BatchNormalization rank 5, training',
    [2, 3, 2, 3, 4],
    () => new BatchNormalization(),
    true,
  ),
  layerCase(
    'BatchNormalization rank 5, inference',
    [2, 3, 2, 3, 4],
    () => new BatchNormalization(),
  ),
  layerCase('BatchNormalization rank 2, training', [6, 8], () => new BatchNormalization(), true),
  layerCase('Dense relu', [3, 20], () => tf.layers.dense({ units: 7, activation: 'relu' })),
  layerCase(
    'SplitDense relu',
    [3, 20],
    () => new SplitDense({ units: 7, blockRows: [8, 7, 5], activation: 'relu' }),
  ),
  {
    name: 'binary cross-entropy rank 5',
    input: [2, 3, 2, 3, 3],
    unit: true,
    make: () => {
      const t = tf.tensor(seeded(36 * 3, 99, 0, 1), [2, 3, 2, 3, 3]);
      return { f: (x) => binaryCrossentropy(t, x) };
    },
  },
  {
    name: 'mean absolute error',
    input: [4, 6],
    make: () => {
      const t = tf.tensor(seeded(24, 98), [4, 6]);
      return { f: (x) => meanAbsoluteError(t, x) };
    },
  },
  {
    name: 'autoencoder with batch norm (training mode)',
    input: [2, 6, 4, 8, 3],
    unit: true,
    make: () => {
      const m = buildAutoencoder({ batchNorm: true, inputShape: [6, 4, 8, 3] });
      return { f: (x) => forward(m, x, true), model: m };
    },
  },
];

interface Outcome {
  output: Float32Array;
  grads: Float32Array[];
}

/** WebGPU cannot read tensors synchronously: everything is computed first, then read with data(). */
async function run(c: Case): Promise<Outcome> {
  const tensors = tf.tidy(() => {
    const built = c.make() as ReturnType<Case['make']> & { model?: tf.LayersModel };
    const x = tf.tensor(seeded(size(c.input), 1, c.unit ? 0.05 : -1, c.unit ? 0.95 : 1), c.input);
    const probe = built.f(x);
    const holder = built.model ?? built.layer;
    // Deterministic weights on both backends.
    holder?.weights.forEach((w, i) => {
      const values = w.name.includes('variance')
        ? seeded(size(w.shape as number[]), 50 + i, 0.5, 1.5)
        : seeded(size(w.shape as number[]), 50 + i, -0.5, 0.5);
      w.write(tf.tensor(values, w.shape as number[]));
    });
    const r = tf.tensor(seeded(size(probe.shape), 2), probe.shape);
    const vars = (holder?.trainableWeights ?? []).map((w) => w.read() as tf.Variable);
    const output = built.f(x);
    const loss = () => tf.sum(tf.mul(built.f(x), r)) as tf.Scalar;
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(built.f(t), r)))(x);
    const grads = [dx];
    if (vars.length) {
      const g = tf.variableGrads(loss, vars).grads;
      for (const v of vars) grads.push(g[v.name]);
    }
    return [output, ...grads];
  });
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return { output: values[0], grads: values.slice(1) };
}

function relError(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return a.length === b.length ? err / scale : Infinity;
}

export interface LayerComparison {
  name: string;
  forward: number;
  gradient: number;
}

/** Max relative difference (to the CPU result's largest magnitude) per case. */
export async function compareLayers(): Promise<{ backend: string; cases: LayerComparison[] }> {
  await tf.setBackend('cpu');
  const cpu: Outcome[] = [];
  for (const c of CASES) cpu.push(await run(c));
  if (!(await tf.setBackend('webgpu'))) throw new Error('WebGPU backend unavailable');
  const gpu: Outcome[] = [];
  for (const c of CASES) gpu.push(await run(c));
  const cases = CASES.map((c, i) => ({
    name: c.name,
    forward: relError(gpu[i].output, cpu[i].output),
    gradient: Math.max(...cpu[i].grads.map((g, j) => relError(gpu[i].grads[j], g))),
  }));
  return { backend: tf.getBackend(), cases };
}

interface Trained {
  losses: number[];
  /** The batch-norm layers' moving means and variances after the steps, concatenated. */
  moving: number[];
}

/** `steps` Adadelta steps of a small autoencoder with batch norm on one backend. */
async function trainOn(backend: string, steps: number): Promise<Trained> {
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend unavailable`);
  const shape: [number, number, number, number] = [6, 4, 8, 3];
  const model = buildAutoencoder({ batchNorm: true, inputShape: shape });
  model.weights.forEach((w, i) =>
    w.write(
      tf.tensor(
        w.name.includes('variance')
          ? seeded(size(w.shape as number[]), 70 + i, 0.5, 1.5)
          : seeded(size(w.shape as number[]), 70 + i, -0.3, 0.3),
        w.shape as number[],
      ),
    ),
  );
  const optimizer = makeOptimizer({ name: 'adadelta', learningRate: 1 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const x = tf.tensor(seeded(2 * size(shape), 200 + s, 0, 1), [2, ...shape]);
    losses.push(await trainStep(model, optimizer, binaryCrossentropy, { x, y: x }));
    x.dispose();
  }
  const moving: number[] = [];
  for (const w of model.weights.filter((v) => v.name.includes('moving_'))) {
    moving.push(...((await w.read().data()) as Float32Array));
  }
  model.dispose();
  optimizer.dispose();
  return { losses, moving };
}

export async function compareTraining(steps: number): Promise<{ cpu: Trained; webgpu: Trained }> {
  const cpu = await trainOn('cpu', steps);
  const webgpu = await trainOn('webgpu', steps);
  return { cpu, webgpu };
}
