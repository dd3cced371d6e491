/**
 * Batch normalisation over the last axis for tensors of any rank. tfjs-layers'
 * BatchNormalization throws on rank 5, so this one views the input as [rows, channels] and works
 * with rank-2 ops only (also safe on WebGPU). Registered under Keras's class name
 * `BatchNormalization` with Keras's config keys and weight names (gamma, beta, moving_mean,
 * moving_variance), so Keras and tfjs models with batch norm deserialise into it.
 * Training mode uses the batch's biased variance and updates the moving statistics with
 * `momentum` (Keras: moving = moving·momentum + batch·(1 − momentum)). Its gradient is written
 * out (`normaliseBatch`): tfjs's autodiff through `moments` dispatched about 56 GPU programs per
 * layer and training step, and a GPU step was bound by that dispatch cost. On the CPU backend the
 * same formulas run as plain loops over the rows (fewer full-size arrays); on WebGPU as a few
 * programs of our own (compute/kernels/webgpu-batchnorm.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from '../../compute/constants';
import {
  batchMoments,
  movingAverage,
  normaliseGradient as webgpuGradient,
  normaliseWithMoments,
} from '../../compute/kernels/webgpu-batchnorm';

export interface BatchNormArgs {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  name?: string;
  trainable?: boolean;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  /** Keras/tfjs initializer, regularizer and constraint configs are carried through unchanged. */
  [passthrough: string]: unknown;
}

const PASSTHROUGH = [
  'betaInitializer',
  'gammaInitializer',
  'movingMeanInitializer',
  'movingVarianceInitializer',
  'betaRegularizer',
  'gammaRegularizer',
  'betaConstraint',
  'gammaConstraint',
] as const;

/** A training batch's statistics, kept past the forward pass to update the moving averages. */
export interface BatchStatistics {
  /** Keras's update of a moving statistic: moving · momentum + batch value · (1 − momentum). */
  moving(part: 'mean' | 'variance', moving: tf.Tensor, momentum: number): tf.Tensor;
  dispose(): void;
}

function tensorStatistics(mean: tf.Tensor, variance: tf.Tensor): BatchStatistics {
  return {
    moving: (part, moving, momentum) =>
      tf.tidy(() =>
        tf.add(
          tf.mul(moving, constant(momentum)),
          tf.mul(part === 'mean' ? mean : variance, constant(1 - momentum)),
        ),
      ),
    dispose: () => tf.dispose([mean, variance]),
  };
}

/** How `normaliseBatch` computes: loops over the rows, our WebGPU programs, or tensor ops. */
export type NormalisePath = 'loops' | 'webgpu' | 'ops';

function pathFor(backend: string): NormalisePath {
  if (backend === 'cpu') return 'loops';
  return backend === 'webgpu' ? 'webgpu' : 'ops';
}

/**
 * y = γ · x̂ + β with x̂ = (x − mean) / √(variance + ε) over the rows of `rows`, and its gradient
 * (with N rows, per channel): ∂β = Σ dy, ∂γ = Σ dy · x̂, ∂x = γ / √(variance + ε) · (dy − ∂β / N
 * − x̂ · ∂γ / N). The batch statistics are handed to `keep`, outside the gradient. `loops` computes
 * it with plain loops over the rows (`normaliseRows`, `normaliseGradient`), the way the CPU
 * backend runs it; `webgpu` with the programs of webgpu-batchnorm.ts, which keep x and the
 * statistics for the gradient and recompute x̂ there; `ops` with tensor ops (webgl, wasm).
 */
export function normaliseBatch(
  epsilon: number,
  keep: (stats: BatchStatistics) => void,
  path: NormalisePath = pathFor(tf.getBackend()),
) {
  return tf.customGrad((...args) => {
    const [rows, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [n, c] = rows.shape;
    let value: tf.Tensor;
    if (path === 'webgpu') {
      const stats = tf.keep(batchMoments(rows));
      value = normaliseWithMoments(rows, stats, gamma, beta, epsilon);
      save([rows, stats, gamma]);
      keep({
        moving: (part, moving, momentum) =>
          movingAverage(stats, part === 'mean' ? 0 : 1, moving, momentum),
        dispose: () => stats.dispose(),
      });
    } else if (path === 'loops') {
      const out = normaliseRows(rows.dataSync() as Float32Array, c, epsilon, gamma, beta);
      keep(tensorStatistics(tf.keep(tf.tensor1d(out.mean)), tf.keep(tf.tensor1d(out.variance))));
      value = tf.tensor2d(out.y, [n, c]);
      save([tf.tensor2d(out.xHat, [n, c]), tf.tensor1d(out.rstd), gamma]);
    } else {
      const mean = tf.mean(rows, 0) as tf.Tensor1D;
      const centred = tf.sub(rows, mean);
      const variance = tf.mean(tf.square(centred), 0) as tf.Tensor1D;
      const rstd = tf.rsqrt(tf.add(variance, constant(epsilon)));
      const normalised = tf.mul(centred, rstd);
      keep(tensorStatistics(tf.keep(mean), tf.keep(variance)));
      value = tf.add(tf.mul(normalised, gamma), beta);
      save([normalised, rstd, gamma]);
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (path === 'webgpu') {
          const [x, stats, g] = saved;
          return webgpuGradient(dy, x, stats, g, epsilon);
        }
        const [xHat, invStd, g] = saved;
        if (path === 'loops') {
          const out = normaliseGradient(dy.dataSync() as Float32Array, xHat, invStd, g);
          return [tf.tensor2d(out.dx, [n, c]), tf.tensor1d(out.dGamma), tf.tensor1d(out.dBeta)];
        }
        const perRow = constant(1 / dy.shape[0]);
        const dBeta = tf.sum(dy, 0);
        const dGamma = tf.sum(tf.mul(dy, xHat), 0);
        const centredDy = tf.sub(
          tf.sub(dy, tf.mul(dBeta, perRow)),
          tf.mul(xHat, tf.mul(dGamma, perRow)),
        );
        return [tf.mul(centredDy, tf.mul(g, invStd)), dGamma, dBeta];
      },
    };
  });
}

/**
 * The forward pass as three passes over the rows (mean, variance, output) instead of seven tensor
 * ops each allocating a full-size array: on the CPU backend the ops' memory traffic, not their
 * arithmetic, was ~30 % of a batch-4 autoencoder step. Sums are kept in float64.
 */
function normaliseRows(
  x: Float32Array,
  c: number,
  epsilon: number,
  gamma: tf.Tensor,
  beta: tf.Tensor,
) {
  const n = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i += c) for (let k = 0; k < c; k++) mean[k] += x[i + k];
  for (let k = 0; k < c; k++) mean[k] /= n;
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) {
      const d = x[i + k] - mean[k];
      variance[k] += d * d;
    }
  }
  const rstd = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    variance[k] /= n;
    rstd[k] = 1 / Math.sqrt(variance[k] + epsilon);
  }
  const g = gamma.dataSync();
  const b = beta.dataSync();
  const xHat = new Float32Array(x.length);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) {
      const h = (x[i + k] - mean[k]) * rstd[k];
      xHat[i + k] = h;
      y[i + k] = h * g[k] + b[k];
    }
  }
  return { mean: Float32Array.from(mean), variance: Float32Array.from(variance), rstd, xHat, y };
}

/** The gradient as two passes over the rows: the channel sums ∂β and ∂γ, then ∂x. */
function normaliseGradient(dy: Float32Array, xHat: tf.Tensor, rstd: tf.Tensor, gamma: tf.Tensor) {
  const h = xHat.dataSync() as Float32Array;
  const c = xHat.shape[1]!;
  const n = dy.length / c;
  const dBeta = new Float64Array(c);
  const dGamma = new Float64Array(c);
  for (let i = 0; i < dy.length; i += c) {
    for (let k = 0; k < c; k++) {
      dBeta[k] += dy[i + k];
      dGamma[k] += dy[i + k] * h[i + k];
    }
  }
  const r = rstd.dataSync();
  const g = gamma.dataSync();
  const scale = new Float64Array(c);
  const meanDy = new Float64Array(c);
  const meanDyH = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = g[k] * r[k];
    meanDy[k] = dBeta[k] / n;
    meanDyH[k] = dGamma[k] / n;
  }
  const dx = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; i += c) {
    for (let k = 0; k < c; k++) {
      dx[i + k] = scale[k] * (dy[i + k] - meanDy[k] - h[i + k] * meanDyH[k]);
    }
  }
  return { dx, dGamma: Float32Array.from(dGamma), dBeta: Float32Array.from(dBeta) };
}

export class BatchNormalization extends tf.layers.Layer {
  static className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly passthrough: tf.serialization.ConfigDict = {};
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: BatchNormArgs = {}) {
    super(args as ConstructorParameters<typeof tf.layers.Layer>[0]);
    this.axis = Array.isArray(args.axis) ? (args.axis as number[])[0] : (args.axis ?? -1);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    for (const key of PASSTHROUGH) {
      if (args[key] != null) this.passthrough[key] = args[key] as tf.serialization.ConfigDictValue;
    }
  }

  private checkAxis(rank: number): void {
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new Error(`BatchNormalization here normalises the last axis only (axis ${this.axis}).`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.checkAxis(s.length);
    const dim = s[s.length - 1];
    if (dim == null) throw new Error('BatchNormalization needs a known channel count.');
    if (this.scale) this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight(
      'moving_mean',
      [dim],
      'float32',
      tf.initializers.zeros(),
      undefined,
      false,
    );
    this.movingVariance = this.addWeight(
      'moving_variance',
      [dim],
      'float32',
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      this.checkAxis(x.rank);
      const channels = x.shape[x.rank - 1];
      const rows = tf.reshape(x, [-1, channels]) as tf.Tensor2D;
      const gamma = this.gamma?.read() ?? tf.ones([channels]);
      const beta = this.beta?.read() ?? tf.zeros([channels]);
      let y: tf.Tensor;
      if (kwargs?.training === true) {
        let kept: BatchStatistics | null = null;
        y = normaliseBatch(this.epsilon, (s) => (kept = s))(rows, gamma, beta);
        const stats = kept as unknown as BatchStatistics;
        this.movingMean.write(stats.moving('mean', this.movingMean.read(), this.momentum));
        this.movingVariance.write(
          stats.moving('variance', this.movingVariance.read(), this.momentum),
        );
        stats.dispose();
      } else {
        const rstd = tf.rsqrt(tf.add(this.movingVariance.read(), constant(this.epsilon)));
        y = tf.add(tf.mul(tf.mul(tf.sub(rows, this.movingMean.read()), rstd), gamma), beta);
      }
      return tf.reshape(y, x.shape);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.passthrough,
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
    };
  }
}
tf.serialization.registerClass(BatchNormalization);
