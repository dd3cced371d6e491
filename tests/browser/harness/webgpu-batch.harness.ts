// Reductions and transposes whose WebGPU dispatch would exceed 65,535 workgroups in one dimension
// (as batch-16 training of the full-size autoencoder produces), run on WebGPU and on the CPU
// backend: the error WebGPU throws, or how far its result is from the CPU's.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { installFastKernels, uninstallFastKernels } from '../../../src/lib/compute/kernels';
import { BatchNormalization } from '../../../src/lib/models/layers/batch-norm';
import { seededRandom } from '../../../src/lib/util/random';

export type LargeOp = 'sum0' | 'mean0' | 'max0' | 'min0' | 'transpose' | 'batchNormGrad';

export interface LargeCase {
  op: LargeOp;
  shape: number[];
}

export interface LargeResult {
  /** The message WebGPU threw, or null when it ran. */
  error: string | null;
  /** Max error relative to the largest CPU value, over every output. */
  relError: number;
  /** Whether our fixes were installed for the WebGPU run. */
  fixed: boolean;
}

function values(shape: number[], seed: number): tf.Tensor {
  const next = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * next() - 1;
  return tf.tensor(v, shape);
}

/** The op's outputs: for the batch-norm case the layer's output and its input gradient. */
function run(c: LargeCase): tf.Tensor[] {
  return tf.tidy(() => {
    const x = values(c.shape, 7);
    switch (c.op) {
      case 'sum0':
        return [tf.sum(x, 0)];
      case 'mean0':
        return [tf.mean(x, 0)];
      case 'max0':
        return [tf.max(x, 0, true)];
      case 'min0':
        return [tf.min(x, -2)];
      case 'transpose':
        return [tf.transpose(x)];
      case 'batchNormGrad': {
        const layer = new BatchNormalization({});
        layer.build(c.shape);
        const t = values(c.shape, 8);
        const f = (a: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, t));
        const { value, grad } = tf.valueAndGrad(f)(x);
        return [value, grad];
      }
    }
  });
}

async function compute(c: LargeCase): Promise<Float32Array[]> {
  const outs = run(c);
  const data = await Promise.all(outs.map((o) => o.data() as Promise<Float32Array>));
  outs.forEach((o) => o.dispose());
  return data;
}

/** Runs `c` on the CPU backend, then on WebGPU with (`fixed`) or without our kernel overrides. */
export async function largeOpOnWebGPU(c: LargeCase, fixed = true): Promise<LargeResult> {
  await tf.setBackend('cpu');
  const reference = await compute(c);
  await tf.setBackend('webgpu');
  if (fixed) installFastKernels('webgpu');
  else uninstallFastKernels('webgpu');
  try {
    const got = await compute(c);
    let relError = 0;
    got.forEach((g, i) => {
      const r = reference[i];
      let scale = 0;
      let err = 0;
      for (let j = 0; j < r.length; j++) scale = Math.max(scale, Math.abs(r[j]));
      for (let j = 0; j < r.length; j++) {
        const e = Math.abs(g[j] - r[j]);
        err = Number.isNaN(e) ? Infinity : Math.max(err, e);
      }
      relError = Math.max(relError, g.length === r.length ? err / scale : Infinity);
    });
    return { error: null, relError, fixed };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), relError: NaN, fixed };
  } finally {
    installFastKernels('webgpu');
  }
}
