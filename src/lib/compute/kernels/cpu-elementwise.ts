/**
 * Add, Sub, Multiply, RealDiv, Sum, Mean, Slice, PadV2, Relu and Step for tfjs's `cpu` backend, float32 only (other dtypes go
 * to the stock kernels). tfjs's broadcasting binary ops compute every output element's index with
 * `indexToLoc` and two array slices, and its Sum and Mean transpose the whole tensor before
 * reducing. In a Node profile of a batch-1 training step of the paper's autoencoder with batch norm
 * (upsampling, normalisation and the bias and moment gradients all broadcast or reduce), those two
 * took ~30 % and ~12 % of the time, as much as the convolutions. At batch 4 tfjs's Slice, which
 * reads and writes each element through TensorBuffer unless the block is contiguous, took ~19 %
 * (the time padding's gradient slices every sequence); with the convolutions' products on wasm,
 * tfjs's PadV2 (one output index computed per element) took ~5 % of the batch-4 step, and Relu
 * and Step (relu's gradient) ~7 %: tfjs's unary kernels share one loop that calls each op's
 * function per element, a call V8 cannot inline once several ops pass through it.
 * Here shapes are first collapsed to the fewest axes that keep each operand's layout, then walked
 * with an odometer over the outer axes and a plain loop over the innermost one.
 */
import * as tf from '@tensorflow/tfjs';
import type { CpuBackendLike } from './cpu-conv3d';
import type { KernelArgs } from './geometry';
import { RELU_GRAD } from '../gradients';

type Stock = (args: never) => tf.TensorInfo | tf.TensorInfo[];

function values(backend: CpuBackendLike, t: tf.TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Merges adjacent axes wherever every operand's strides allow it (each operand is contiguous or
 * broadcast over both), so typical cases become one or two axes. Axes of size 1 are dropped.
 */
function collapse(
  shape: readonly number[],
  operandStrides: number[][],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = operandStrides.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const n = shape[axis];
    if (n === 1) continue;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && operandStrides.every((s, k) => outStrides[k][last] === s[axis] * n);
    if (mergeable) {
      outShape[last] *= n;
      operandStrides.forEach((s, k) => (outStrides[k][last] = s[axis]));
    } else {
      outShape.push(n);
      operandStrides.forEach((s, k) => outStrides[k].push(s[axis]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: operandStrides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Strides of `shape` read as broadcast against `outShape` (0 where it repeats). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = rowMajorStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((n, axis) => {
    const i = axis - offset;
    return i < 0 || shape[i] !== n ? 0 : own[i];
  });
}

/**
 * Calls `run(offsets, n)` once per innermost row: `offsets[k]` is operand k's element index at
 * the row's start; the row has `n` elements with strides `strides[k][last]`.
 */
function forEachRow(
  shape: readonly number[],
  strides: readonly number[][],
  run: (offsets: Int32Array, n: number) => void,
): void {
  const rank = shape.length;
  const inner = shape[rank - 1];
  const offsets = new Int32Array(strides.length);
  const counter = new Int32Array(rank);
  let rows = 1;
  for (let axis = 0; axis < rank - 1; axis++) rows *= shape[axis];
  for (let r = 0; r < rows; r++) {
    run(offsets, inner);
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      for (let k = 0; k < strides.length; k++) offsets[k] += strides[k][axis];
      if (counter[axis] < shape[axis]) break;
      for (let k = 0; k < strides.length; k++) offsets[k] -= strides[k][axis] * shape[axis];
      counter[axis] = 0;
    }
  }
}

type BinaryOp = 'add' | 'sub' | 'mul' | 'div';

/** One loop per operation so each stays monomorphic and free of calls. */
function binaryRow(
  op: BinaryOp,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
  o: number,
  ia: number,
  ib: number,
  n: number,
  sa: number,
  sb: number,
): void {
  if (op === 'add') for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] + b[ib + j * sb];
  else if (op === 'sub') for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] - b[ib + j * sb];
  else if (op === 'mul') for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] * b[ib + j * sb];
  else for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] / b[ib + j * sb];
}

/** `a op b` with numpy broadcasting, both float32. */
export function broadcastBinary(
  op: BinaryOp,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
): { values: Float32Array; shape: number[] } {
  const shape = tf.backend_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
  const size = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  const c = collapse(shape, [
    rowMajorStrides(shape),
    broadcastStrides(aShape, shape),
    broadcastStrides(bShape, shape),
  ]);
  const last = c.shape.length - 1;
  const sa = c.strides[1][last];
  const sb = c.strides[2][last];
  forEachRow(c.shape, c.strides, (off, n) =>
    binaryRow(op, out, a, b, off[0], off[1], off[2], n, sa, sb),
  );
  return { values: out, shape };
}

/** Sum of `x` over `axes`, accumulated in float64; the kept axes keep their order. */
export function reduceSum(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
): Float32Array {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const c = collapse(shape, [rowMajorStrides(shape), broadcastStrides(keptShape, shape)]);
  const last = c.shape.length - 1;
  const so = c.strides[1][last];
  const kept = c.strides[1];
  if (last >= 1 && last <= 2 && so === 1 && kept[last - 1] === 0) {
    // [outer,] reduced, inner (upsampling's repeat axis, a bias over leading axes): plain loops
    // instead of one callback per inner row
    const I = c.shape[last];
    const R = c.shape[last - 1];
    const O = last === 2 ? c.shape[0] : 1;
    if (R <= 8) {
      // few repeats: each sum in a register, written once
      const out = new Float32Array(O * I);
      for (let o = 0; o < O; o++) {
        const ob = o * I;
        const xb = o * R * I;
        for (let i = 0; i < I; i++) {
          let sum = 0;
          for (let r = 0, at = xb + i; r < R; r++, at += I) sum += x[at];
          out[ob + i] = sum;
        }
      }
      return out;
    }
    const acc = new Float64Array(O * I);
    for (let o = 0; o < O; o++) {
      const ob = o * I;
      for (let r = 0; r < R; r++) {
        const xb = (o * R + r) * I;
        for (let i = 0; i < I; i++) acc[ob + i] += x[xb + i];
      }
    }
    return new Float32Array(acc);
  }
  const acc = new Float64Array(keptShape.reduce((p, d) => p * d, 1));
  forEachRow(c.shape, c.strides, (off, n) => {
    const ix = off[0];
    const io = off[1];
    if (so === 0) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[ix + j];
      acc[io] += s;
    } else {
      for (let j = 0; j < n; j++) acc[io + j] += x[ix + j];
    }
  });
  return new Float32Array(acc);
}

/** The block of `x` starting at `begin` with extent `size`, copied one innermost run at a time. */
export function sliceBlock(
  x: Float32Array,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): Float32Array {
  const out = new Float32Array(size.reduce((p, d) => p * d, 1));
  const inStrides = rowMajorStrides(shape);
  const base = begin.reduce((p, b, axis) => p + b * inStrides[axis], 0);
  const c = collapse(size, [rowMajorStrides(size), inStrides]);
  const si = c.strides[1][c.shape.length - 1];
  forEachRow(c.shape, c.strides, (off, n) => {
    const o = off[0];
    const i = base + off[1];
    if (si === 1) out.set(x.subarray(i, i + n), o);
    else for (let j = 0; j < n; j++) out[o + j] = x[i + j * si];
  });
  return out;
}

/** `x` inside a block of `value`, `paddings[axis] = [before, after]`, copied a run at a time. */
export function padBlock(
  x: Float32Array,
  shape: readonly number[],
  paddings: readonly (readonly [number, number])[],
  value: number,
): { shape: number[]; values: Float32Array } {
  const outShape = shape.map((d, axis) => paddings[axis][0] + d + paddings[axis][1]);
  const out = new Float32Array(outShape.reduce((p, d) => p * d, 1));
  if (value !== 0) out.fill(value);
  if (x.length === 0) return { shape: outShape, values: out };
  const outStrides = rowMajorStrides(outShape);
  const base = paddings.reduce((p, [before], axis) => p + before * outStrides[axis], 0);
  const c = collapse(shape, [rowMajorStrides(shape), outStrides]);
  const so = c.strides[1][c.shape.length - 1];
  forEachRow(c.shape, c.strides, (off, n) => {
    const i = off[0];
    const o = base + off[1];
    if (so === 1) out.set(x.subarray(i, i + n), o);
    else for (let j = 0; j < n; j++) out[o + j * so] = x[i + j];
  });
  return { shape: outShape, values: out };
}

function binaryKernel(op: BinaryOp) {
  return ({ inputs, backend }: KernelArgs<'a' | 'b'>, stock: Stock): tf.TensorInfo => {
    const { a, b } = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock({ inputs, backend } as never) as tf.TensorInfo;
    }
    const be = backend as CpuBackendLike;
    const r = broadcastBinary(op, values(be, a), a.shape, values(be, b), b.shape);
    return be.makeTensorInfo(r.shape, 'float32', r.values);
  };
}

function reduceKernel(mean: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<'x'>, stock: Stock): tf.TensorInfo => {
    const { x } = inputs;
    if (x.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const be = backend as CpuBackendLike;
    const sums = reduceSum(values(be, x), x.shape, axes);
    if (mean) {
      const count = axes.reduce((p, a) => p * x.shape[a], 1);
      for (let i = 0; i < sums.length; i++) sums[i] /= count;
    }
    const shape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    return be.makeTensorInfo(shape, 'float32', sums);
  };
}

function sliceKernel({ inputs, backend, attrs }: KernelArgs<'x'>, stock: Stock): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
  const { begin, size } = attrs as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  const be = backend as CpuBackendLike;
  return be.makeTensorInfo(s, 'float32', sliceBlock(values(be, x), x.shape, b, s));
}

function padKernel({ inputs, backend, attrs }: KernelArgs<'x'>, stock: Stock): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
  const { paddings, constantValue } = attrs as {
    paddings: [number, number][];
    constantValue: number;
  };
  const be = backend as CpuBackendLike;
  const r = padBlock(values(be, x), x.shape, paddings, constantValue);
  return be.makeTensorInfo(r.shape, 'float32', r.values);
}

function reluKernel({ inputs, backend, attrs }: KernelArgs<'x'>, stock: Stock): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
  const be = backend as CpuBackendLike;
  const v = values(be, x);
  const out = new Float32Array(v.length);
  // as the stock Math.max(0, x): NaN stays NaN, −0 becomes +0
  for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? v[i] : v[i] !== v[i] ? NaN : 0;
  return be.makeTensorInfo(x.shape, 'float32', out);
}

function stepKernel({ inputs, backend, attrs }: KernelArgs<'x'>, stock: Stock): tf.TensorInfo {
  const { x } = inputs;
  if (x.dtype !== 'float32') return stock({ inputs, backend, attrs } as never) as tf.TensorInfo;
  const { alpha } = attrs as { alpha: number };
  const be = backend as CpuBackendLike;
  const v = values(be, x);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? 1 : v[i] !== v[i] ? NaN : alpha;
  return be.makeTensorInfo(x.shape, 'float32', out);
}

/**
 * Relu's gradient dy · step(x) in one pass, bit for bit as tfjs's Step then Multiply: dy where
 * x > 0, NaN where x is NaN, else dy · 0 (−0 for negative dy, NaN for infinite dy).
 */
function reluGradKernel({ inputs, backend }: KernelArgs<'dy' | 'x'>): tf.TensorInfo {
  const be = backend as CpuBackendLike;
  const d = values(be, inputs.dy);
  const v = values(be, inputs.x);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] > 0 ? d[i] : v[i] !== v[i] ? NaN : d[i] * 0;
  return be.makeTensorInfo(inputs.x.shape, 'float32', out);
}

export const cpuElementwiseKernels = {
  [tf.Add]: binaryKernel('add'),
  [tf.Sub]: binaryKernel('sub'),
  [tf.Multiply]: binaryKernel('mul'),
  [tf.RealDiv]: binaryKernel('div'),
  [tf.Sum]: reduceKernel(false),
  [tf.Mean]: reduceKernel(true),
  [tf.Slice]: sliceKernel,
  [tf.PadV2]: padKernel,
  [tf.Relu]: reluKernel,
  [tf.Step]: stepKernel,
  [RELU_GRAD]: reluGradKernel,
};
