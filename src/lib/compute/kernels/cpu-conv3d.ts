/**
 * Conv3D, its input and filter gradients, MaxPool3D and its gradient for tfjs's `cpu` backend.
 * Each convolution is lowered, a slab of voxels at a time, onto one matrix product: the slab's
 * receptive fields are gathered into a column matrix (cpu-gather.ts), then multiplied by the
 * filter. The product is the wasm backend's (XNNPACK, wasm-gemm.ts) once
 * `useWasmGemm` has been given one, else our register-blocked JavaScript (gemm.ts). The stock
 * kernels walk the volume with a six-deep loop per output element; this runs at the speed of the
 * matrix product. Slabs keep the column matrix near 1 MiB (JS) or
 * 16 MiB (wasm, where each product has a fixed cost) whatever the volume or batch size.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmGemm } from '../wasm-gemm';
import { dy2colRows, dy2colT, flipTap, scatterToOutput, vol2colRows, vol2colT } from './cpu-gather';
import { gemmTN } from './gemm';
import {
  convGeometry,
  poolGeometry,
  taps,
  type ConvGeometry,
  type KernelArgs,
  type Triple,
} from './geometry';

/** The part of tfjs's MathBackendCPU these kernels touch. */
export interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

const SLAB_FLOATS = 1 << 18;

function floats(backend: CpuBackendLike, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (v instanceof Float32Array) return v;
  return Float32Array.from(v as ArrayLike<number>);
}

function slabSize(rowLength: number): number {
  return Math.max(4, Math.floor(SLAB_FLOATS / rowLength / 4) * 4);
}

let wasmGemm: WasmGemm | null = null;

/** Runs the convolutions' products on `gemm` (null: back to the JavaScript product). */
export function useWasmGemm(gemm: WasmGemm | null): void {
  wasmGemm = gemm;
}

/** The wasm product while its backend lives, else null. */
function liveWasmGemm(): WasmGemm | null {
  return wasmGemm?.alive() ? wasmGemm : null;
}

function wasmSlab(gemm: WasmGemm, rowLength: number): number {
  return Math.max(1, Math.floor(gemm.slabFloats / rowLength));
}

/** Writes rows m0 … m0+rows−1 of a column matrix into `col` (row-major or transposed). */
type SlabFill = (m0: number, rows: number, col: Float32Array) => void;

/**
 * A[M, K] · B[K, N] on wasm, a slab of A's rows at a time: `fill` writes rows m0 … m0+rows−1 of A,
 * `take` receives those rows of the product.
 */
function rowsTimes(
  wasm: WasmGemm,
  M: number,
  K: number,
  N: number,
  fill: SlabFill,
  b: Float32Array,
  take: (m0: number, rows: number, c: Float32Array) => void,
): void {
  const slab = wasmSlab(wasm, Math.max(K, N));
  for (let m0 = 0; m0 < M; m0 += slab) {
    const rows = Math.min(slab, M - m0);
    wasm.product(
      rows,
      K,
      N,
      (a) => fill(m0, rows, a),
      (bHeap) => bHeap.set(b),
      (c) => take(m0, rows, c),
    );
  }
}

/**
 * col[M, K] · w[K, N], the column matrix gathered a slab of rows at a time: row-major for wasm's
 * product (which takes no transpose), transposed for the JavaScript one (gemmTN).
 */
function columnsTimes(
  wasm: WasmGemm | null,
  M: number,
  K: number,
  N: number,
  w: Float32Array,
  gather: { rows: SlabFill; transposed: SlabFill },
): Float32Array {
  const out = new Float32Array(M * N);
  if (wasm) {
    rowsTimes(wasm, M, K, N, gather.rows, w, (m0, _, c) => out.set(c, m0 * N));
    return out;
  }
  const slab = slabSize(K);
  const col = new Float32Array(K * slab);
  for (let m0 = 0; m0 < M; m0 += slab) {
    const rows = Math.min(slab, M - m0);
    gather.transposed(m0, rows, col);
    gemmTN(col, 0, w, 0, out, m0 * N, K, rows, N);
  }
  return out;
}

/**
 * y = conv3d(x, w): per slab, y[slab] = colᵀ · W with col [taps·inC, slab] (JavaScript), or
 * col · W with col [slab, taps·inC] (wasm).
 */
export function conv3dForward(
  x: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  wasm = liveWasmGemm(),
): Float32Array {
  const K = taps(g) * g.inC;
  const M = g.batch * g.outD * g.outH * g.outW;
  if (wasm && byTaps(g.outC, g.inC, 4)) return conv3dForwardByTaps(x, w, g, wasm);
  return columnsTimes(wasm, M, K, g.outC, w, {
    rows: (m0, rows, col) => vol2colRows(x, g, m0, rows, col),
    transposed: (m0, rows, col) => vol2colT(x, g, m0, rows, col),
  });
}

/** dx = Σ over taps of dy (shifted) · Wᵀ: per slab of input voxels, colᵀ · W' with W'[tap, out, in]. */
export function conv3dInputGrad(
  dy: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  wasm = liveWasmGemm(),
): Float32Array {
  if (wasm && byTaps(g.inC, g.outC, 4)) {
    return conv3dInputGradByTaps(dy, w, g, wasm);
  }
  const T = taps(g);
  const K = T * g.outC;
  // the column matrix (dy2colRows, dy2colT) lists the width taps in reverse
  const wt = new Float32Array(T * g.outC * g.inC);
  for (let t = 0; t < T; t++) {
    const row = flipTap(t, g.fW);
    for (let i = 0; i < g.inC; i++) {
      for (let o = 0; o < g.outC; o++) {
        wt[(row * g.outC + o) * g.inC + i] = w[(t * g.inC + i) * g.outC + o];
      }
    }
  }
  const M = g.batch * g.inD * g.inH * g.inW;
  return columnsTimes(wasm, M, K, g.inC, wt, {
    rows: (m0, rows, col) => dy2colRows(dy, g, m0, rows, col),
    transposed: (m0, rows, col) => dy2colT(dy, g, m0, rows, col),
  });
}

/**
 * dW = Σ over slabs of col[slab, taps·inC]ᵀ · dy[slab, outC]. On wasm, whose product takes no
 * transpose, the column matrix is written transposed (vol2colT). The other orientation,
 * dWᵀ = dyᵀ · col, was 2–3× slower: wasm's product rearranges its right-hand operand, here the
 * whole column matrix, on every call.
 */
export function conv3dFilterGrad(
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
  wasm = liveWasmGemm(),
): Float32Array {
  const K = taps(g) * g.inC;
  const M = g.batch * g.outD * g.outH * g.outW;
  if (wasm && byTaps(g.outC, g.inC, 1.5)) {
    return conv3dFilterGradByTaps(x, dy, g, wasm);
  }
  const dw = new Float32Array(K * g.outC);
  if (wasm) {
    const slab = wasmSlab(wasm, K);
    for (let m0 = 0; m0 < M; m0 += slab) {
      const rows = Math.min(slab, M - m0);
      wasm.product(
        K,
        rows,
        g.outC,
        (colT) => vol2colT(x, g, m0, rows, colT),
        (b) => b.set(dy.subarray(m0 * g.outC, (m0 + rows) * g.outC)),
        (c) => {
          for (let i = 0; i < c.length; i++) dw[i] += c[i];
        },
      );
    }
    return dw;
  }
  const slab = slabSize(K);
  const col = new Float32Array(K * slab);
  for (let m0 = 0; m0 < M; m0 += slab) {
    const rows = Math.min(slab, M - m0);
    vol2colRows(x, g, m0, rows, col);
    gemmTN(col, 0, dy, m0 * g.outC, dw, 0, rows, K, g.outC);
  }
  return dw;
}

/**
 * Whether to lower onto a matrix with one column per (tap, channel on the narrow side) rather than
 * the column matrix, one column per (tap, channel on the wide side), one row per voxel either way.
 * The filter gradient gains as soon as one side is narrower (the decoder's 64 → 32 convolution:
 * 1.6× here). The forward pass and input gradient pay for it with a JavaScript gather or scatter
 * of Z, which only a ratio like the RGB output layer's (3 against 32: 2× faster) repays; at 2:1
 * they were 1.6–1.9× slower (batch 4, `npm run bench train-step` shapes).
 */
function byTaps(narrowC: number, wideC: number, minRatio: number): boolean {
  return narrowC * minRatio <= wideC;
}

function inVoxels(g: ConvGeometry): number {
  return g.batch * g.inD * g.inH * g.inW;
}

function outVoxels(g: ConvGeometry): number {
  return g.batch * g.outD * g.outH * g.outW;
}

/**
 * The filter w[tap, c, o] as a by-taps product's right-hand matrix: one row per channel of the
 * side the product starts from (the input's for the forward pass, the output's for the input
 * gradient), one column per (tap, channel of the other side).
 */
function filterByTaps(w: Float32Array, g: ConvGeometry, rowsFrom: 'input' | 'output') {
  const { inC, outC } = g;
  const T = taps(g);
  const cols = T * (rowsFrom === 'input' ? outC : inC);
  const out = new Float32Array(inC * outC * T);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < inC; c++) {
      for (let o = 0; o < outC; o++) {
        const at = rowsFrom === 'input' ? c * cols + t * outC + o : o * cols + t * inC + c;
        out[at] = w[(t * inC + c) * outC + o];
      }
    }
  }
  return out;
}

/**
 * y = conv3d(x, w) with few output channels: Z = x · W' (one row per input voxel, one column per
 * tap and output channel, W'[c, tap·outC + o] = w[tap, c, o]), a slab of input voxels at a time,
 * each slab's Z rows added straight from the wasm heap to the output voxels their taps feed
 * (scatterToOutput; Z is never held whole).
 */
function conv3dForwardByTaps(
  x: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  wasm: WasmGemm,
): Float32Array {
  const { inC, outC } = g;
  const NZ = taps(g) * outC;
  const wT = filterByTaps(w, g, 'input');
  const y = new Float32Array(outVoxels(g) * outC);
  const fill = (m0: number, rows: number, a: Float32Array) =>
    a.set(x.subarray(m0 * inC, (m0 + rows) * inC));
  rowsTimes(wasm, inVoxels(g), inC, NZ, fill, wT, (m0, rows, z) =>
    scatterToOutput(z, g, m0, rows, outC, y),
  );
  return y;
}

/**
 * For output voxels m0 … m0+rows−1 and each of their taps t that falls inside the input (at input
 * voxel i), adds `ch` values between the output voxel's row of `outSide` and the input voxel's row
 * of `inSide`: into `outSide[(m − m0)·outStride + t·outTap + k]` from
 * `inSide[i·inStride + t·inTap + k]` when `toOutput`, else the other way. Padding taps add nothing.
 */
function addAlongTaps(
  g: ConvGeometry,
  m0: number,
  rows: number,
  ch: number,
  outSide: Float32Array,
  outStride: number,
  outTap: number,
  inSide: Float32Array,
  inStride: number,
  inTap: number,
  toOutput: boolean,
): void {
  const { inD, inH, inW, outD, outH, outW, fD, fH, fW } = g;
  for (let m = m0; m < m0 + rows; m++) {
    const ow = m % outW;
    const oh = Math.floor(m / outW) % outH;
    const od = Math.floor(m / (outW * outH)) % outD;
    const b = Math.floor(m / (outW * outH * outD));
    const outRow = (m - m0) * outStride;
    let t = 0;
    for (let kd = 0; kd < fD; kd++) {
      const id = od * g.sD - g.pD + kd * g.dD;
      if (id < 0 || id >= inD) {
        t += fH * fW;
        continue;
      }
      for (let kh = 0; kh < fH; kh++) {
        const ih = oh * g.sH - g.pH + kh * g.dH;
        if (ih < 0 || ih >= inH) {
          t += fW;
          continue;
        }
        for (let kw = 0; kw < fW; kw++, t++) {
          const iw = ow * g.sW - g.pW + kw * g.dW;
          if (iw < 0 || iw >= inW) continue;
          const o = outRow + t * outTap;
          const i = (((b * inD + id) * inH + ih) * inW + iw) * inStride + t * inTap;
          if (toOutput) for (let k = 0; k < ch; k++) outSide[o + k] += inSide[i + k];
          else for (let k = 0; k < ch; k++) inSide[i + k] += outSide[o + k];
        }
      }
    }
  }
}

/**
 * dx with few input channels: Z = dy · W' (one row per output voxel, one column per tap and input
 * channel, W'[o, tap·inC + c] = w[tap, c, o]), then each output voxel's Z row is added to the input
 * voxels its taps read.
 */
function conv3dInputGradByTaps(
  dy: Float32Array,
  w: Float32Array,
  g: ConvGeometry,
  wasm: WasmGemm,
): Float32Array {
  const { inC, outC } = g;
  const NZ = taps(g) * inC;
  const wT = filterByTaps(w, g, 'output');
  const dx = new Float32Array(inVoxels(g) * inC);
  const fill = (m0: number, rows: number, a: Float32Array) =>
    a.set(dy.subarray(m0 * outC, (m0 + rows) * outC));
  rowsTimes(wasm, outVoxels(g), outC, NZ, fill, wT, (m0, rows, z) =>
    addAlongTaps(g, m0, rows, inC, z, NZ, inC, dx, inC, 0, false),
  );
  return dx;
}

/**
 * dW with few output channels: per slab of input voxels, dyColᵀ · x, where dyCol (the input
 * gradient's column matrix, dy2colRows: one column per tap and output channel) is much narrower
 * than x's column matrix.
 */
function conv3dFilterGradByTaps(
  x: Float32Array,
  dy: Float32Array,
  g: ConvGeometry,
  wasm: WasmGemm,
): Float32Array {
  const { inC, outC, fW } = g;
  const T = taps(g);
  const KZ = T * outC;
  const M = inVoxels(g);
  const acc = new Float32Array(KZ * inC);
  const slab = wasmSlab(wasm, Math.max(KZ, inC));
  for (let m0 = 0; m0 < M; m0 += slab) {
    const rows = Math.min(slab, M - m0);
    wasm.product(
      KZ,
      rows,
      inC,
      (colT) => dy2colT(dy, g, m0, rows, colT),
      (b) => b.set(x.subarray(m0 * inC, (m0 + rows) * inC)),
      (c) => {
        for (let i = 0; i < c.length; i++) acc[i] += c[i];
      },
    );
  }
  const dw = new Float32Array(T * inC * outC);
  for (let t = 0; t < T; t++) {
    const zt = flipTap(t, fW) * outC;
    for (let c = 0; c < inC; c++) {
      for (let o = 0; o < outC; o++) dw[(t * inC + c) * outC + o] = acc[(zt + o) * inC + c];
    }
  }
  return dw;
}

/**
 * Index (into x) of each pooling window's maximum, −1 where the window holds no number. Ties go to
 * the last element in scan order, as in tfjs's `maxPool3dPositions`, so gradients agree with stock.
 * The channels are the innermost loop: each window element is one contiguous run of x.
 */
function maxPositions(x: Float32Array, g: ConvGeometry): Int32Array {
  const { inD, inH, inW, inC, outD, outH, outW } = g;
  const out = new Int32Array(g.batch * outD * outH * outW * inC);
  const best = new Float32Array(inC);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let od = 0; od < outD; od++) {
      const d0 = od * g.sD - g.pD;
      const dLo = Math.max(0, d0);
      const dHi = Math.min(inD, d0 + g.fD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = oh * g.sH - g.pH;
        const hLo = Math.max(0, h0);
        const hHi = Math.min(inH, h0 + g.fH);
        for (let ow = 0; ow < outW; ow++, o += inC) {
          const w0 = ow * g.sW - g.pW;
          const wLo = Math.max(0, w0);
          const wHi = Math.min(inW, w0 + g.fW);
          best.fill(Number.NEGATIVE_INFINITY);
          out.fill(-1, o, o + inC);
          for (let d = dLo; d < dHi; d++) {
            for (let h = hLo; h < hHi; h++) {
              for (let w = wLo; w < wHi; w++) {
                const i = (((b * inD + d) * inH + h) * inW + w) * inC;
                for (let c = 0; c < inC; c++) {
                  const v = x[i + c];
                  if (v >= best[c]) {
                    best[c] = v;
                    out[o + c] = i + c;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * The forward passes' window maxima, per input array, for their gradients: the gradient kernel
 * receives the same input tensor (the same values array) and pooling attributes and need not
 * search again. Entries go with the input's array (a training step keeps it for the gradient).
 */
const positions = new WeakMap<Float32Array, { key: string; at: Int32Array }>();

function poolKey(g: ConvGeometry): string {
  return JSON.stringify(g);
}

export function maxPool3dForward(x: Float32Array, g: ConvGeometry): Float32Array {
  const at = maxPositions(x, g);
  positions.set(x, { key: poolKey(g), at });
  const y = new Float32Array(at.length);
  for (let i = 0; i < at.length; i++) y[i] = at[i] < 0 ? Number.NEGATIVE_INFINITY : x[at[i]];
  return y;
}

export function maxPool3dGrad(dy: Float32Array, x: Float32Array, g: ConvGeometry): Float32Array {
  const held = positions.get(x);
  const at = held && held.key === poolKey(g) ? held.at : maxPositions(x, g);
  const dx = new Float32Array(x.length);
  for (let i = 0; i < at.length; i++) if (at[i] >= 0) dx[at[i]] += dy[i];
  return dx;
}

interface ConvAttrs {
  strides: Triple;
  pad: 'valid' | 'same';
  dilations?: Triple;
}
interface PoolAttrs {
  filterSize: Triple;
  strides: Triple;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The kernels as tfjs kernel functions, keyed by kernel name. */
export const cpuKernels: Record<string, (args: never) => tf.TensorInfo> = {
  Conv3D({ inputs, backend, attrs }: KernelArgs<'x' | 'filter'>) {
    const be = backend as CpuBackendLike;
    const { strides, pad, dilations } = attrs as ConvAttrs;
    const g = convGeometry(inputs.x.shape, inputs.filter.shape, strides, pad, dilations ?? 1);
    const y = conv3dForward(floats(be, inputs.x), floats(be, inputs.filter), g);
    return be.makeTensorInfo([g.batch, g.outD, g.outH, g.outW, g.outC], 'float32', y);
  },
  Conv3DBackpropInputV2({ inputs, backend, attrs }: KernelArgs<'dy' | 'filter'>) {
    const be = backend as CpuBackendLike;
    const { strides, pad, inputShape } = attrs as ConvAttrs & { inputShape: number[] };
    const g = convGeometry(inputShape, inputs.filter.shape, strides, pad);
    const dx = conv3dInputGrad(floats(be, inputs.dy), floats(be, inputs.filter), g);
    return be.makeTensorInfo([...inputShape], 'float32', dx);
  },
  Conv3DBackpropFilterV2({ inputs, backend, attrs }: KernelArgs<'x' | 'dy'>) {
    const be = backend as CpuBackendLike;
    const { strides, pad, filterShape } = attrs as ConvAttrs & { filterShape: number[] };
    const g = convGeometry(inputs.x.shape, filterShape, strides, pad);
    const dw = conv3dFilterGrad(floats(be, inputs.x), floats(be, inputs.dy), g);
    return be.makeTensorInfo([...filterShape], 'float32', dw);
  },
  MaxPool3D({ inputs, backend, attrs }: KernelArgs<'x'>) {
    const be = backend as CpuBackendLike;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as PoolAttrs;
    const g = poolGeometry(inputs.x.shape, filterSize, strides, pad, dimRoundingMode);
    const y = maxPool3dForward(floats(be, inputs.x), g);
    return be.makeTensorInfo([g.batch, g.outD, g.outH, g.outW, g.inC], 'float32', y);
  },
  MaxPool3DGrad({ inputs, backend, attrs }: KernelArgs<'dy' | 'input'>) {
    const be = backend as CpuBackendLike;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as PoolAttrs;
    const g = poolGeometry(inputs.input.shape, filterSize, strides, pad, dimRoundingMode);
    const dx = maxPool3dGrad(floats(be, inputs.dy), floats(be, inputs.input), g);
    return be.makeTensorInfo([...inputs.input.shape], 'float32', dx);
  },
};
