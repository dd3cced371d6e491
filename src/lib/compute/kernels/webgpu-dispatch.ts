/**
 * Reductions and transposes for tfjs's `webgpu` backend on matrices too tall for its tiled
 * transpose. tfjs transposes a rank-2 tensor with a 16 × 16-tile shader dispatched as
 * ⌈cols / 16⌉ × ⌈rows / 16⌉ workgroups, so a side longer than 16 × 65,535 = 1,048,560 exceeds
 * WebGPU's per-dimension dispatch limit and the kernel throws "Dispatch size exceeds WebGPU limits
 * in Y or Z dimension". Every reduction over axis 0 of a matrix goes through that transpose
 * (tfjs moves reduced axes last first): our BatchNormalization's moments and its gradient over
 * rows [N·30·36·64, 16] hit it at batch 16 of the full-size autoencoder (1,105,920 rows).
 *
 * The fix views the matrix as [1, rows, cols]: the stock kernels then transpose a rank-3 tensor
 * with their one-thread-per-element shader, whose flat dispatch the backend folds into two
 * dimensions, and the result is relabelled with the shape the caller asked for. Every other call
 * goes to the stock kernel unchanged. Sum and Mean, the reductions the networks run most, have
 * transpose-free kernels of their own (webgpu-reduce.ts).
 */
import type * as tf from '@tensorflow/tfjs';

/** Side length of the stock rank-2 transpose's square tile. */
const TILE = 16;

interface Args {
  inputs: { x: tf.TensorInfo };
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Whether tfjs's tiled rank-2 transpose of `shape` would exceed the dispatch limit. */
export function tiledTransposeOverflows(shape: readonly number[], limit: number): boolean {
  return shape.length === 2 && Math.ceil(Math.max(shape[0], shape[1]) / TILE) > limit;
}

function dispatchLimit(backend: unknown): number {
  return (backend as { device: GPUDevice }).device.limits.maxComputeWorkgroupsPerDimension;
}

/** `x` seen as [1, rows, cols]: same data, no copy (what the backend's Reshape does). */
function withLeadingAxis(x: tf.TensorInfo): tf.TensorInfo {
  return { dataId: x.dataId, shape: [1, ...x.shape], dtype: x.dtype };
}

/** The stock kernel's output relabelled to `shape` (same element count, same data). */
function relabel(out: tf.TensorInfo | tf.TensorInfo[], shape: number[]): tf.TensorInfo {
  const t = Array.isArray(out) ? out[0] : out;
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function Transpose(args: Args, stock: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  const perm = args.attrs?.perm as number[];
  if (perm[0] !== 1 || !tiledTransposeOverflows(x.shape, dispatchLimit(args.backend))) {
    return stock(args as never);
  }
  const out = stock({
    inputs: { x: withLeadingAxis(x) },
    backend: args.backend as tf.KernelBackend,
    attrs: { perm: [0, 2, 1] },
  });
  return relabel(out, [x.shape[1], x.shape[0]]);
}

/**
 * A reduction kernel (`axisAttr` names its axis attribute) that reduces axis 0 of a tall matrix as
 * axis 1 of [1, rows, cols].
 */
function reduction(axisAttr: string) {
  return (args: Args, stock: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs;
    const attrs = args.attrs ?? {};
    const raw = attrs[axisAttr] as number | number[];
    const axes = (Array.isArray(raw) ? raw : [raw]).map((a) => (a < 0 ? a + x.shape.length : a));
    const overAxis0 = axes.length === 1 && axes[0] === 0;
    if (!overAxis0 || !tiledTransposeOverflows(x.shape, dispatchLimit(args.backend))) {
      return stock(args as never);
    }
    const out = stock({
      inputs: { x: withLeadingAxis(x) },
      backend: args.backend as tf.KernelBackend,
      attrs: { ...attrs, [axisAttr]: [1] },
    });
    return relabel(out, attrs.keepDims ? [1, x.shape[1]] : [x.shape[1]]);
  };
}

/** Kernels that need the stock kernel they replace for the calls they pass through. */
export const webgpuDispatchKernels: Record<
  string,
  (args: never, stock: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[]
> = {
  Transpose,
  Max: reduction('reductionIndices'),
  Min: reduction('axis'),
};
