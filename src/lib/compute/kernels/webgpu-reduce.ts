/**
 * Sum and Mean over leading axes for tfjs's `webgpu` backend, without a transpose.
 *
 * Every bias and batch-norm gradient of the networks is such a reduction: dy [batch, frames, h,
 * w, channels] summed over all axes but the last. tfjs moves reduced axes last by transposing the
 * whole tensor and then reduces rows; on an H200 that pair was the largest GPU cost of a batch-8
 * autoencoder step (12 of 31 ms). Here the tensor is read as a [rows, cols] matrix in place:
 * each thread adds a run of rows of one column (neighbouring threads read neighbouring columns),
 * and the per-run partial sums are reduced again the same way until one row is left, a few
 * dispatches in all, each well inside WebGPU's per-dimension dispatch limit.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackendLike } from './webgpu-conv3d';

const THREADS = 256;
/** Threads per pass worth keeping the GPU busy; beyond it, runs of rows get longer instead. */
const TARGET_THREADS = 1 << 17;
/** The shortest run of rows one thread adds (fewer would just make another pass). */
const MIN_RUN = 32;
/** Rows few enough for one thread per column to add them all in the last pass. */
const LAST_PASS_ROWS = 256;

/** result[s, c] = scale · Σ of x[r, c] over rows r of run s. */
class ColumnSumProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ['x'];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;

  constructor(
    private readonly rows: number,
    private readonly cols: number,
    private readonly run: number,
    private readonly scale: number,
  ) {
    const runs = Math.ceil(rows / run);
    this.outputShape = [runs, cols];
    this.dispatch = [Math.ceil((runs * cols) / THREADS), 1, 1];
    this.shaderKey = `cinebreath_colsum_${rows}_${cols}_${run}_${scale}`;
  }

  getUserCode(): string {
    const { rows, cols, run } = this;
    return `
fn main(index: i32) {
  if (index < uniforms.size) {
    let c = index % ${cols};
    let r0 = (index / ${cols}) * ${run};
    let r1 = min(${rows}, r0 + ${run});
    var acc = 0.0;
    for (var r = r0; r < r1; r++) { acc += x[r * ${cols} + c]; }
    result[index] = acc * f32(${this.scale});
  }
}`;
  }
}

/** Rows each thread adds in one pass over a [rows, cols] matrix. */
export function runLength(rows: number, cols: number): number {
  const runs = Math.max(1, Math.floor(TARGET_THREADS / cols));
  return Math.max(MIN_RUN, Math.ceil(rows / runs));
}

/** The passes reducing [rows, cols] to [1, cols]: rows in and run length of each. */
export function columnSumPasses(rows: number, cols: number): { rows: number; run: number }[] {
  const passes: { rows: number; run: number }[] = [];
  for (let r = rows; r > 1 || !passes.length;) {
    const run = r <= LAST_PASS_ROWS ? r : runLength(r, cols);
    passes.push({ rows: r, run });
    r = Math.ceil(r / run);
  }
  return passes;
}

interface ReduceArgs {
  inputs: { x: tf.TensorInfo };
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** The number of leading axes `axis` names, or 0 when they are not exactly 0 … k−1. */
function leadingAxes(axis: unknown, rank: number): number {
  const list = (Array.isArray(axis) ? axis : [axis]) as number[];
  const sorted = [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  return sorted.every((a, i) => a === i) ? sorted.length : 0;
}

function reduceLeading(mean: boolean) {
  return (args: ReduceArgs, stock: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs;
    const k = x.dtype === 'float32' ? leadingAxes(args.attrs?.axis, x.shape.length) : 0;
    const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const cols = x.shape.slice(k).reduce((a, b) => a * b, 1);
    const limit = (args.backend as { device: GPUDevice }).device.limits
      .maxComputeWorkgroupsPerDimension;
    if (k === 0 || rows < 2 || Math.ceil(cols / THREADS) > limit) return stock(args as never);
    const be = args.backend as WebGPUBackendLike;
    const passes = columnSumPasses(rows, cols);
    let current = x;
    passes.forEach((p, i) => {
      const last = i === passes.length - 1;
      const program = new ColumnSumProgram(p.rows, cols, p.run, last && mean ? 1 / rows : 1);
      const next = be.runWebGPUProgram(program, [current], 'float32');
      if (current !== x) be.disposeData(current.dataId);
      current = next;
    });
    const kept = x.shape.slice(k);
    const shape = args.attrs?.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept;
    return { dataId: current.dataId, shape, dtype: 'float32' };
  };
}

/** Kernels that hand the calls they do not cover to the stock kernel they replace. */
export const webgpuReduceKernels = {
  Sum: reduceLeading(false),
  Mean: reduceLeading(true),
};
