/**
 * Batch normalisation's training forward pass, moving averages and gradient for tfjs's `webgpu`
 * backend, as a few WGSL programs over the [rows, channels] view of the input.
 *
 * Written with tensor ops (mean, centre, square, mean, add ε, rsqrt, scale, shift, three ops per
 * moving statistic; two sums and ~7 element-wise ops for the gradient) a layer dispatched ~28 GPU
 * programs per training step, and a step of the paper's autoencoder on a real GPU was bound by
 * that per-dispatch CPU cost, not by the GPU. Here a layer's step is 9:
 *   forward   partial statistics per block of rows (count, mean, M2: Welford, then Chan's
 *             combination, numerically stable in float32) → per-channel mean and variance → y;
 *             and one program per moving statistic (each its own variable, so its own output)
 *   gradient  partial sums of dy and dy·x̂ per block (x̂ recomputed from x and the statistics, so
 *             no x̂ array is kept) → ∂β, ∂γ (one program each: separate tensors) → ∂x
 * The partial passes run one thread per (block, channel), like webgpu-reduce's column sums, so
 * neighbouring threads read neighbouring channels and no dispatch exceeds WebGPU's per-dimension
 * limit; the finishing passes run one workgroup per channel, combining the blocks in a tree in
 * workgroup memory. ε, the momentum and the shapes are compiled into the shaders: no constants
 * are uploaded per step.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { WORKGROUP_INDEX, type WebGPUBackendLike } from './webgpu-conv3d';
import { runLength } from './webgpu-reduce';

const THREADS = 256;

/** A number as a WGSL f32 expression (JavaScript's shortest round-trip form is valid WGSL). */
const f32 = (v: number) => `f32(${v})`;

/**
 * `threads` threads (by default one per output element) in a flat dispatch, which tfjs folds into
 * two or three dimensions when it is too long; `uniforms.size` is the output's element count.
 */
abstract class ElementwiseProgram implements WebGPUProgram {
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;
  abstract shaderKey: string;

  constructor(
    public variableNames: string[],
    public outputShape: number[],
    threads = outputShape.reduce((a, b) => a * b, 1),
  ) {
    this.dispatch = [Math.ceil(threads / THREADS), 1, 1];
  }

  abstract getUserCode(): string;
}

/**
 * A pass over x [rows, C] by blocks of rows: one thread per (block, channel), writing two values
 * per block and channel, result[block, 0 | 1, channel].
 */
abstract class BlockProgram extends ElementwiseProgram {
  constructor(
    variableNames: string[],
    protected readonly rows: number,
    protected readonly channels: number,
    protected readonly block: number,
  ) {
    const blocks = Math.ceil(rows / block);
    super(variableNames, [blocks, 2, channels], blocks * channels);
  }

  /** Opens the thread's loop body: c, b, rows r0 ≤ r < r1 (guarded by the thread count). */
  protected get header(): string {
    const { rows, channels: C, block } = this;
    return `
  if (index < uniforms.size / 2) {
    let c = index % ${C};
    let b = index / ${C};
    let r0 = b * ${block};
    let r1 = min(${rows}, r0 + ${block});`;
  }
}

/**
 * Per (block, channel) of x [rows, C]: the block's mean and M2 (sum of squared deviations from
 * it), written to result[(block · 2 + 0 | 1) · C + channel]. Welford's update within a block.
 */
class PartialMomentsProgram extends BlockProgram {
  shaderKey: string;

  constructor(rows: number, channels: number, block: number) {
    super(['x'], rows, channels, block);
    this.shaderKey = `cinebreath_bn_moments_${rows}_${channels}_${block}`;
  }

  getUserCode(): string {
    const C = this.channels;
    return `
fn main(index: i32) {${this.header}
    var mean = 0.0;
    var m2 = 0.0;
    for (var r = r0; r < r1; r++) {
      let v = x[r * ${C} + c];
      let d = v - mean;
      mean += d / f32(r - r0 + 1);
      m2 += d * (v - mean);
    }
    result[(b * 2) * ${C} + c] = mean;
    result[(b * 2 + 1) * ${C} + c] = m2;
  }
}`;
  }
}

/**
 * One workgroup per channel over the blocks of a partial pass (`parts`, [blocks, 2, C]): each
 * thread takes a strided set of blocks, then the threads combine their results in workgroup
 * memory, and thread 0 writes the channel's output.
 */
abstract class PerChannelProgram implements WebGPUProgram {
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ['parts'];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  abstract shaderKey: string;

  constructor(public outputShape: number[]) {
    this.dispatch = [this.channels, 1, 1];
  }

  protected get channels(): number {
    return this.outputShape[this.outputShape.length - 1];
  }

  /** Opens main: the channel c, the thread lid, and `live` (true). */
  protected get header(): string {
    const outShape = this.outputShape.length > 1 ? 'uniforms.outShape.x' : 'uniforms.outShape';
    return `
  ${WORKGROUP_INDEX}
  let c = wg;
  let lid = i32(localIndex);
  // Reading a uniform keeps its binding in the pipeline layout tfjs binds against.
  let live = ${outShape} > 0;`;
  }

  abstract getUserCode(): string;
}

/**
 * Per channel: mean and biased variance of all rows from the blocks' (mean, M2), written as
 * result[0 | 1, channel], combined pairwise with Chan et al.'s update.
 */
class MomentsProgram extends PerChannelProgram {
  shaderKey: string;

  constructor(
    private readonly rows: number,
    channels: number,
    private readonly block: number,
  ) {
    super([2, channels]);
    this.shaderKey = `cinebreath_bn_finish_${rows}_${channels}_${block}`;
  }

  getUserCode(): string {
    const { rows, block } = this;
    const C = this.channels;
    const blocks = Math.ceil(rows / block);
    return `
var<workgroup> sn: array<f32, ${THREADS}>;
var<workgroup> smean: array<f32, ${THREADS}>;
var<workgroup> sm2: array<f32, ${THREADS}>;

fn main(index: i32) {${this.header}
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var b = lid; b < ${blocks}; b += ${THREADS}) {
    let nb = f32(min(${block}, ${rows} - b * ${block}));
    let d = parts[(b * 2) * ${C} + c] - mean;
    let total = n + nb;
    mean += d * nb / total;
    m2 += parts[(b * 2 + 1) * ${C} + c] + d * d * n * nb / total;
    n = total;
  }
  sn[lid] = n;
  smean[lid] = mean;
  sm2[lid] = m2;
  for (var span = ${THREADS / 2}; span > 0; span /= 2) {
    workgroupBarrier();
    if (lid < span) {
      let nb = sn[lid + span];
      if (nb > 0.0) {
        let na = sn[lid];
        let total = na + nb;
        let d = smean[lid + span] - smean[lid];
        smean[lid] += d * nb / total;
        sm2[lid] += sm2[lid + span] + d * d * na * nb / total;
        sn[lid] = total;
      }
    }
  }
  if (lid == 0 && live) {
    result[c] = smean[0];
    result[${C} + c] = sm2[0] / f32(${rows});
  }
}`;
  }
}

/** y = (x − mean) · rsqrt(variance + ε) · γ + β, the statistics as MomentsProgram writes them. */
class NormaliseProgram extends ElementwiseProgram {
  shaderKey: string;

  constructor(
    shape: number[],
    private readonly epsilon: number,
  ) {
    super(['x', 'stats', 'gamma', 'beta'], shape);
    this.shaderKey = `cinebreath_bn_apply_${shape[1]}_${epsilon}`;
  }

  getUserCode(): string {
    const C = this.outputShape[1];
    return `
fn main(index: i32) {
  if (index < uniforms.size) {
    let c = i32(u32(index) % ${C}u);
    let rstd = inverseSqrt(stats[${C} + c] + ${f32(this.epsilon)});
    result[index] = (x[index] - stats[c]) * rstd * gamma[c] + beta[c];
  }
}`;
  }
}

/** moving · momentum + (batch mean or variance, row `part` of the statistics) · (1 − momentum). */
class MovingAverageProgram extends ElementwiseProgram {
  shaderKey: string;

  constructor(
    channels: number,
    private readonly part: 0 | 1,
    private readonly momentum: number,
  ) {
    super(['stats', 'moving'], [channels]);
    this.shaderKey = `cinebreath_bn_moving_${channels}_${part}_${momentum}`;
  }

  getUserCode(): string {
    const C = this.outputShape[0];
    return `
fn main(index: i32) {
  if (index < uniforms.size) {
    result[index] = moving[index] * ${f32(this.momentum)} +
      stats[${this.part * C} + index] * ${f32(1 - this.momentum)};
  }
}`;
  }
}

/**
 * Per (block, channel): Σ dy and Σ dy · x̂ over the block's rows, x̂ = (x − mean) · rstd
 * recomputed, written to result[(block · 2 + 0 | 1) · C + channel].
 */
class PartialGradientProgram extends BlockProgram {
  shaderKey: string;

  constructor(
    rows: number,
    channels: number,
    block: number,
    private readonly epsilon: number,
  ) {
    super(['dy', 'x', 'stats'], rows, channels, block);
    this.shaderKey = `cinebreath_bn_gradsums_${rows}_${channels}_${block}_${epsilon}`;
  }

  getUserCode(): string {
    const C = this.channels;
    return `
fn main(index: i32) {${this.header}
    let mean = stats[c];
    let rstd = inverseSqrt(stats[${C} + c] + ${f32(this.epsilon)});
    var sdy = 0.0;
    var sdyh = 0.0;
    for (var r = r0; r < r1; r++) {
      let i = r * ${C} + c;
      let g = dy[i];
      sdy += g;
      sdyh += g * (x[i] - mean) * rstd;
    }
    result[(b * 2) * ${C} + c] = sdy;
    result[(b * 2 + 1) * ${C} + c] = sdyh;
  }
}`;
  }
}

/** Per channel: the sum over blocks of row `part` of the partial gradient sums. */
class BlockSumProgram extends PerChannelProgram {
  shaderKey: string;

  constructor(
    private readonly blocks: number,
    channels: number,
    private readonly part: 0 | 1,
  ) {
    super([channels]);
    this.shaderKey = `cinebreath_bn_blocksum_${blocks}_${channels}_${part}`;
  }

  getUserCode(): string {
    const { blocks, part } = this;
    const C = this.channels;
    return `
var<workgroup> sums: array<f32, ${THREADS}>;

fn main(index: i32) {${this.header}
  var acc = 0.0;
  for (var b = lid; b < ${blocks}; b += ${THREADS}) { acc += parts[(b * 2 + ${part}) * ${C} + c]; }
  sums[lid] = acc;
  for (var span = ${THREADS / 2}; span > 0; span /= 2) {
    workgroupBarrier();
    if (lid < span) { sums[lid] += sums[lid + span]; }
  }
  if (lid == 0 && live) { result[c] = sums[0]; }
}`;
  }
}

/** ∂x = γ · rstd · (dy − ∂β / N − x̂ · ∂γ / N), x̂ recomputed from x and the statistics. */
class InputGradientProgram extends ElementwiseProgram {
  shaderKey: string;

  constructor(
    shape: number[],
    private readonly epsilon: number,
  ) {
    super(['dy', 'x', 'stats', 'gamma', 'dBeta', 'dGamma'], shape);
    this.shaderKey = `cinebreath_bn_dx_${shape.join('x')}_${epsilon}`;
  }

  getUserCode(): string {
    const [N, C] = this.outputShape;
    return `
fn main(index: i32) {
  if (index < uniforms.size) {
    let c = i32(u32(index) % ${C}u);
    let rstd = inverseSqrt(stats[${C} + c] + ${f32(this.epsilon)});
    let h = (x[index] - stats[c]) * rstd;
    let centred = dy[index] - dBeta[c] * ${f32(1 / N)} - h * dGamma[c] * ${f32(1 / N)};
    result[index] = gamma[c] * rstd * centred;
  }
}`;
  }
}

function backend(): WebGPUBackendLike {
  return tf.backend() as unknown as WebGPUBackendLike;
}

function run(program: WebGPUProgram, inputs: tf.TensorInfo[]): tf.TensorInfo {
  return backend().runWebGPUProgram(program, inputs, 'float32');
}

const wrap = (info: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(info);

/** Batch mean and biased variance per channel of rows [N, C], as a [2, C] tensor. */
export function batchMoments(rows: tf.Tensor): tf.Tensor2D {
  const [n, c] = rows.shape;
  const block = runLength(n, c);
  const partial = run(new PartialMomentsProgram(n, c, block), [rows]);
  const stats = run(new MomentsProgram(n, c, block), [partial]);
  backend().disposeData(partial.dataId);
  return wrap(stats) as tf.Tensor2D;
}

/** y = γ · (rows − mean) / √(variance + ε) + β with `stats` from `batchMoments`. */
export function normaliseWithMoments(
  rows: tf.Tensor,
  stats: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): tf.Tensor2D {
  return wrap(
    run(new NormaliseProgram(rows.shape, epsilon), [rows, stats, gamma, beta]),
  ) as tf.Tensor2D;
}

/** Keras's moving average of the batch mean (`part` 0) or variance (1) of `stats`. */
export function movingAverage(
  stats: tf.Tensor,
  part: 0 | 1,
  moving: tf.Tensor,
  momentum: number,
): tf.Tensor1D {
  const program = new MovingAverageProgram(moving.shape[0], part, momentum);
  return wrap(run(program, [stats, moving])) as tf.Tensor1D;
}

/** [∂x, ∂γ, ∂β] of `normaliseWithMoments` for upstream gradient dy. */
export function normaliseGradient(
  dy: tf.Tensor,
  rows: tf.Tensor,
  stats: tf.Tensor,
  gamma: tf.Tensor,
  epsilon: number,
): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  const [n, c] = rows.shape;
  const block = runLength(n, c);
  const blocks = Math.ceil(n / block);
  const partial = run(new PartialGradientProgram(n, c, block, epsilon), [dy, rows, stats]);
  const dBeta = run(new BlockSumProgram(blocks, c, 0), [partial]);
  const dGamma = run(new BlockSumProgram(blocks, c, 1), [partial]);
  backend().disposeData(partial.dataId);
  const dx = run(new InputGradientProgram(rows.shape, epsilon), [
    dy,
    rows,
    stats,
    gamma,
    dBeta,
    dGamma,
  ]);
  return [wrap(dx) as tf.Tensor2D, wrap(dGamma) as tf.Tensor1D, wrap(dBeta) as tf.Tensor1D];
}
