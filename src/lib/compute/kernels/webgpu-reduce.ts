/**
 * Sum and Mean over leading axes for tfjs's `webgpu` backend, without a transpose.
 *
 * Every bias and batch-norm gradient of the networks is such a reduction: dy [batch, frames, h,
 * w, channels] summed over all axes but the last. tfjs moves reduced axes last by transposing the
 * whole tensor and then reduces rows, the largest GPU cost of an autoencoder step (figures:
 * docs/kernels.md). Here the tensor is read as a [rows, cols] matrix in place:
 * each thread adds a run of rows of one column (neighbouring threads read neighbouring columns),
 * and the per-run partial sums are reduced again the same way until one row is left, a few
 * dispatches in all, each well inside WebGPU's per-dimension dispatch limit. Reductions over inner
 * axes with few terms per output (upsampling's gradient) get one thread per output instead.
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

/**
 * result[s, c] = scale · Σ of x[r, c] over rows r of run s. With one run over all rows it also
 * adds the split-K partial products of the conv3d kernels, labelled with their `outputShape`.
 */
export class ColumnSumProgram implements WebGPUProgram {
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
    outputShape?: number[],
  ) {
    const runs = Math.ceil(rows / run);
    this.outputShape = outputShape ?? [runs, cols];
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

/**
 * Rows each thread adds in one pass over a [rows, cols] matrix (one thread per run and column);
 * batch norm's partial passes take their blocks of rows the same way.
 */
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

/** The reduced axes, sorted, without repeats. */
function reducedAxes(axis: unknown, rank: number): number[] {
  const list = (Array.isArray(axis) ? axis : [axis]) as number[];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/**
 * result[o] = scale · Σ of x over the reduced axes at the kept coordinates of o: one thread per
 * output element, for reductions over inner axes with many outputs and few terms each (the
 * gradient of the broadcast product that upsamples, summed over its repeat axis).
 */
class StridedSumProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames = ['x'];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  size = true;

  constructor(
    private readonly shape: number[],
    private readonly axes: number[],
    private readonly scale: number,
  ) {
    this.outputShape = shape.filter((_, i) => !axes.includes(i));
    const n = this.outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(n / THREADS), 1, 1];
    this.shaderKey = `cinebreath_stridedsum_${shape.join('x')}_${axes.join('_')}_${scale}`;
  }

  getUserCode(): string {
    const { shape, axes } = this;
    const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const base = kept
      .reverse()
      .map((i) => `  base += (rest % ${shape[i]}) * ${stride[i]}; rest = rest / ${shape[i]};`)
      .join('\n');
    const open = axes.map((a) => `for (var r${a} = 0; r${a} < ${shape[a]}; r${a}++) {`).join(' ');
    const offset = axes.map((a) => `r${a} * ${stride[a]}`).join(' + ');
    return `
fn main(index: i32) {
  if (index < uniforms.size) {
  var rest = index;
  var base = 0;
${base}
  var acc = 0.0;
  ${open} acc += x[base + ${offset}]; ${axes.map(() => '}').join(' ')}
  result[index] = acc * f32(${this.scale});
  }
}`;
  }
}

/** Terms one thread of the strided reduction adds at most; longer sums go to the stock kernel. */
const MAX_STRIDED_TERMS = 64;
/** Outputs below which the stock kernel's transpose costs little. */
const MIN_STRIDED_OUTPUTS = 4096;

function reduce(mean: boolean) {
  return (args: ReduceArgs, stock: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs;
    const axes = reducedAxes(args.attrs?.axis, x.shape.length);
    const k = axes.every((a, i) => a === i) ? axes.length : 0;
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    const outputs = x.shape.reduce((a, b) => a * b, 1) / count;
    const limit = (args.backend as { device: GPUDevice }).device.limits
      .maxComputeWorkgroupsPerDimension;
    const be = args.backend as WebGPUBackendLike;
    const kept = x.shape.filter((_, i) => !axes.includes(i));
    const shape = args.attrs?.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
    const fits = Math.ceil(outputs / THREADS) <= limit;
    if (x.dtype !== 'float32' || count < 2 || !fits) return stock(args as never);
    let out: tf.TensorInfo;
    if (k > 0) {
      let current = x;
      const passes = columnSumPasses(count, outputs);
      passes.forEach((p, i) => {
        const last = i === passes.length - 1;
        const program = new ColumnSumProgram(p.rows, outputs, p.run, last && mean ? 1 / count : 1);
        const next = be.runWebGPUProgram(program, [current], 'float32');
        if (current !== x) be.disposeData(current.dataId);
        current = next;
      });
      out = current;
    } else if (count <= MAX_STRIDED_TERMS && outputs >= MIN_STRIDED_OUTPUTS) {
      const program = new StridedSumProgram(x.shape, axes, mean ? 1 / count : 1);
      out = be.runWebGPUProgram(program, [x], 'float32');
    } else {
      return stock(args as never);
    }
    return { dataId: out.dataId, shape, dtype: 'float32' };
  };
}

/** Kernels that hand the calls they do not cover to the stock kernel they replace. */
export const webgpuReduceKernels = {
  Sum: reduce(false),
  Mean: reduce(true),
};
