/**
 * Conv3D and its input and filter gradients for tfjs's `webgpu` backend, as implicit-GEMM WGSL
 * compute shaders run through the backend's own program mechanism (`runWebGPUProgram`), so
 * buffers, uniforms and pipeline caching stay tfjs's. Each workgroup computes a TM × TN tile of
 * the output matrix, staging TK-deep slices of both operands in workgroup memory; the column
 * matrix of the convolution is never materialised: each element is gathered from the volume as
 * the tile loads it. The stock shaders are direct loops, one thread per output element, reading
 * every input from global memory (0.03–0.24 GFLOP/s on SwiftShader).
 *
 * The three products (rows × columns, depth):
 *   forward      y[voxel, out]          = Σ over (tap, in)        x-gather · W
 *   input grad   dx[voxel, in]          = Σ over (tap, out)       dy-gather · Wᵀ
 *   filter grad  dW[(tap, in), out]     = Σ over (batch, voxel)   x-gatherᵀ · dy
 * Where a product has few output tiles (the filter gradient: few rows, very long depth) its depth
 * is split across workgroups (split-K) and the partial sums are added by a second small shader.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { convGeometry, taps, type ConvGeometry, type KernelArgs, type Triple } from './geometry';
import { ColumnSumProgram } from './webgpu-reduce';

/** The part of tfjs's WebGPUBackend these kernels touch. */
export interface WebGPUBackendLike {
  runWebGPUProgram(
    program: WebGPUProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
  ): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

const THREADS = 256;
/** Floats of workgroup memory per workgroup: WebGPU guarantees 16 KiB. */
const SHARED_FLOATS = 4096;

interface Tiling {
  TM: number;
  TN: number;
  TK: number;
  RM: number;
  RN: number;
}

/** Tile shape for a product with N columns: wide tiles for wide N, tall ones for narrow N. */
function tiling(N: number): Tiling {
  const TN = Math.min(64, Math.max(4, 2 ** Math.ceil(Math.log2(N))));
  const RN = 4;
  const threadsM = THREADS / (TN / RN);
  const RM = TN >= 32 ? 4 : 2;
  const TM = threadsM * RM;
  const TK = Math.min(16, Math.floor(SHARED_FLOATS / (TM + TN)));
  return { TM, TN, TK, RM, RN };
}

interface Product {
  M: number;
  N: number;
  K: number;
  /** Depth per split (a multiple of TK); K when not split. */
  KS: number;
  splits: number;
  t: Tiling;
}

function product(M: number, N: number, K: number): Product {
  const t = tiling(N);
  const tiles = Math.ceil(M / t.TM) * Math.ceil(N / t.TN);
  // Few output tiles (filter gradients; deep layers) would leave most of a GPU idle: split the
  // depth until there are enough workgroups, keeping each one's inner loop long.
  let splits = Math.max(1, Math.min(Math.ceil(512 / tiles), Math.floor(K / 512)));
  const KS = Math.ceil(K / splits / t.TK) * t.TK;
  splits = Math.ceil(K / KS);
  return { M, N, K, KS, splits, t };
}

function geometryConstants(g: ConvGeometry): string {
  const c = {
    B: g.batch,
    ID: g.inD,
    IH: g.inH,
    IW: g.inW,
    IC: g.inC,
    OD: g.outD,
    OH: g.outH,
    OW: g.outW,
    OC: g.outC,
    FD: g.fD,
    FH: g.fH,
    FW: g.fW,
    SD: g.sD,
    SH: g.sH,
    SW: g.sW,
    DD: g.dD,
    DH: g.dH,
    DW: g.dW,
    PD: g.pD,
    PH: g.pH,
    PW: g.pW,
  };
  return Object.entries(c)
    .map(([k, v]) => `const G_${k}: i32 = ${v};`)
    .join('\n');
}

/** Reads x at output voxel `v` (flat over batch and output volume) seen through filter row `r`. */
const GATHER_X = `
fn gatherX(v: i32, r: i32) -> f32 {
  let ow = v % G_OW; let v1 = v / G_OW;
  let oh = v1 % G_OH; let v2 = v1 / G_OH;
  let od = v2 % G_OD; let b = v2 / G_OD;
  let ci = r % G_IC; let tap = r / G_IC;
  let kw = tap % G_FW; let t1 = tap / G_FW;
  let kh = t1 % G_FH; let kd = t1 / G_FH;
  let id = od * G_SD - G_PD + kd * G_DD;
  let ih = oh * G_SH - G_PH + kh * G_DH;
  let iw = ow * G_SW - G_PW + kw * G_DW;
  if (id < 0 || id >= G_ID || ih < 0 || ih >= G_IH || iw < 0 || iw >= G_IW) { return 0.0; }
  return x[(((b * G_ID + id) * G_IH + ih) * G_IW + iw) * G_IC + ci];
}`;

/** Reads dy at the output voxel that input voxel `v` reaches through filter row (tap, out) `r`. */
const GATHER_DY = `
fn gatherDy(v: i32, r: i32) -> f32 {
  let iw = v % G_IW; let v1 = v / G_IW;
  let ih = v1 % G_IH; let v2 = v1 / G_IH;
  let id = v2 % G_ID; let b = v2 / G_ID;
  let co = r % G_OC; let tap = r / G_OC;
  let kw = tap % G_FW; let t1 = tap / G_FW;
  let kh = t1 % G_FH; let kd = t1 / G_FH;
  let nd = id + G_PD - kd * G_DD;
  let nh = ih + G_PH - kh * G_DH;
  let nw = iw + G_PW - kw * G_DW;
  if (nd < 0 || nh < 0 || nw < 0) { return 0.0; }
  if (nd % G_SD != 0 || nh % G_SH != 0 || nw % G_SW != 0) { return 0.0; }
  let od = nd / G_SD; let oh = nh / G_SH; let ow = nw / G_SW;
  if (od >= G_OD || oh >= G_OH || ow >= G_OW) { return 0.0; }
  return dy[(((b * G_OD + od) * G_OH + oh) * G_OW + ow) * G_OC + co];
}`;

/**
 * A tiled product C = A · B where `loadA(m, k)` and `loadB(k, n)` are WGSL expressions (valid for
 * in-range m, k, n), written to result[(split · M + m) · N + n].
 */
class ImplicitGemmProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];

  constructor(
    name: string,
    inputs: [string, string],
    outputShape: number[],
    private readonly p: Product,
    private readonly helpers: string,
    private readonly loadA: string,
    private readonly loadB: string,
  ) {
    this.variableNames = inputs;
    this.outputShape = outputShape;
    const tiles = Math.ceil(p.M / p.t.TM) * Math.ceil(p.N / p.t.TN) * p.splits;
    this.dispatch = [tiles, 1, 1];
    this.shaderKey = `cinebreath_${name}_${p.KS}_${helpers.replace(/\D+/g, '_')}`;
  }

  getUserCode(): string {
    const { M, N, K, KS, splits } = this.p;
    const { TM, TN, TK, RM, RN } = this.p.t;
    const threadsN = TN / RN;
    const threadsM = TM / RM;
    const tilesN = Math.ceil(N / TN);
    const tilesM = Math.ceil(M / TM);
    return `
const C_M: i32 = ${M};
const C_N: i32 = ${N};
const C_K: i32 = ${K};
const C_KS: i32 = ${KS};
const C_TILES: i32 = ${tilesM * tilesN * splits};
var<workgroup> tileA: array<f32, ${TK * TM}>;
var<workgroup> tileB: array<f32, ${TK * TN}>;
${this.helpers}
fn loadA(m: i32, k: i32) -> f32 { return ${this.loadA}; }
fn loadB(k: i32, n: i32) -> f32 { return ${this.loadB}; }

fn main(index: i32) {
  let wg = i32(workgroupId.x + numWorkgroups.x * (workgroupId.y + numWorkgroups.y * workgroupId.z));
  // Reading a uniform keeps its binding in the pipeline layout tfjs binds against.
  let live = wg < C_TILES && uniforms.outShape.x > 0;
  let tileN = wg % ${tilesN};
  let tileM = (wg / ${tilesN}) % ${tilesM};
  let split = wg / ${tilesN * tilesM};
  let m0 = tileM * ${TM};
  let n0 = tileN * ${TN};
  let kBegin = split * C_KS;
  let kEnd = min(C_K, kBegin + C_KS);
  let lid = i32(localIndex);
  let tm = lid / ${threadsN};
  let tn = lid % ${threadsN};
  var acc: array<array<f32, ${RN}>, ${RM}>;
  for (var r = 0; r < ${RM}; r++) { for (var c = 0; c < ${RN}; c++) { acc[r][c] = 0.0; } }

  for (var k0 = 0; k0 < C_KS; k0 += ${TK}) {
    for (var i = lid; i < ${TK * TM}; i += ${THREADS}) {
      let kk = i % ${TK};
      let mm = i / ${TK};
      let m = m0 + mm;
      let k = kBegin + k0 + kk;
      var v = 0.0;
      if (m < C_M && k < kEnd) { v = loadA(m, k); }
      tileA[kk * ${TM} + mm] = v;
    }
    for (var i = lid; i < ${TK * TN}; i += ${THREADS}) {
      let nn = i % ${TN};
      let kk = i / ${TN};
      let n = n0 + nn;
      let k = kBegin + k0 + kk;
      var v = 0.0;
      if (n < C_N && k < kEnd) { v = loadB(k, n); }
      tileB[kk * ${TN} + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${TK}; kk++) {
      var a: array<f32, ${RM}>;
      var b: array<f32, ${RN}>;
      for (var r = 0; r < ${RM}; r++) { a[r] = tileA[kk * ${TM} + tm + r * ${threadsM}]; }
      for (var c = 0; c < ${RN}; c++) { b[c] = tileB[kk * ${TN} + tn + c * ${threadsN}]; }
      for (var r = 0; r < ${RM}; r++) {
        for (var c = 0; c < ${RN}; c++) { acc[r][c] = fma(a[r], b[c], acc[r][c]); }
      }
    }
    workgroupBarrier();
  }

  if (live) {
    for (var r = 0; r < ${RM}; r++) {
      let m = m0 + tm + r * ${threadsM};
      for (var c = 0; c < ${RN}; c++) {
        let n = n0 + tn + c * ${threadsN};
        if (m < C_M && n < C_N) { result[(split * C_M + m) * C_N + n] = acc[r][c]; }
      }
    }
  }
}`;
  }
}

/** One product, and the pass adding its split-K partial sums when it has more than one split. */
export interface ConvPrograms {
  product: WebGPUProgram;
  sum: WebGPUProgram | null;
}

/** result[i] = Σ over s of partial[s, i]: the second pass of a split-K product. */
function splitSum(outputShape: number[], splits: number): WebGPUProgram {
  const n = outputShape.reduce((a, b) => a * b, 1);
  return new ColumnSumProgram(splits, n, splits, 1, outputShape);
}

function programs(
  name: string,
  inputs: [string, string],
  outputShape: number[],
  p: Product,
  helpers: string,
  loadA: string,
  loadB: string,
): ConvPrograms {
  const shape = p.splits > 1 ? [p.splits, ...outputShape] : outputShape;
  return {
    product: new ImplicitGemmProgram(name, inputs, shape, p, helpers, loadA, loadB),
    sum: p.splits > 1 ? splitSum(outputShape, p.splits) : null,
  };
}

export function conv3dForwardPrograms(g: ConvGeometry): ConvPrograms {
  const p = product(g.batch * g.outD * g.outH * g.outW, g.outC, taps(g) * g.inC);
  return programs(
    'conv3d',
    ['x', 'W'],
    [g.batch, g.outD, g.outH, g.outW, g.outC],
    p,
    geometryConstants(g) + GATHER_X,
    'gatherX(m, k)',
    'W[k * C_N + n]',
  );
}

export function conv3dInputGradPrograms(g: ConvGeometry): ConvPrograms {
  const p = product(g.batch * g.inD * g.inH * g.inW, g.inC, taps(g) * g.outC);
  return programs(
    'conv3d_dx',
    ['dy', 'W'],
    [g.batch, g.inD, g.inH, g.inW, g.inC],
    p,
    geometryConstants(g) + GATHER_DY,
    'gatherDy(m, k)',
    // Row k = (tap, out), column n = in: W is stored [tap, in, out].
    'W[((k / G_OC) * G_IC + n) * G_OC + k % G_OC]',
  );
}

export function conv3dFilterGradPrograms(g: ConvGeometry): ConvPrograms {
  const p = product(taps(g) * g.inC, g.outC, g.batch * g.outD * g.outH * g.outW);
  return programs(
    'conv3d_dw',
    ['x', 'dy'],
    [g.fD, g.fH, g.fW, g.inC, g.outC],
    p,
    geometryConstants(g) + GATHER_X,
    'gatherX(k, m)',
    'dy[k * C_N + n]',
  );
}

function run(be: WebGPUBackendLike, p: ConvPrograms, inputs: tf.TensorInfo[]): tf.TensorInfo {
  const out = be.runWebGPUProgram(p.product, inputs, 'float32');
  if (!p.sum) return out;
  const total = be.runWebGPUProgram(p.sum, [out], 'float32');
  be.disposeData(out.dataId);
  return total;
}

interface ConvAttrs {
  strides: Triple;
  pad: 'valid' | 'same';
  dilations?: Triple;
}

export const webgpuKernels: Record<string, (args: never) => tf.TensorInfo> = {
  Conv3D({ inputs, backend, attrs }: KernelArgs<'x' | 'filter'>) {
    const { strides, pad, dilations } = attrs as ConvAttrs;
    const g = convGeometry(inputs.x.shape, inputs.filter.shape, strides, pad, dilations ?? 1);
    return run(backend as WebGPUBackendLike, conv3dForwardPrograms(g), [inputs.x, inputs.filter]);
  },
  Conv3DBackpropInputV2({ inputs, backend, attrs }: KernelArgs<'dy' | 'filter'>) {
    const { strides, pad, inputShape } = attrs as ConvAttrs & { inputShape: number[] };
    const g = convGeometry(inputShape, inputs.filter.shape, strides, pad);
    return run(backend as WebGPUBackendLike, conv3dInputGradPrograms(g), [
      inputs.dy,
      inputs.filter,
    ]);
  },
  Conv3DBackpropFilterV2({ inputs, backend, attrs }: KernelArgs<'x' | 'dy'>) {
    const { strides, pad, filterShape } = attrs as ConvAttrs & { filterShape: number[] };
    const g = convGeometry(inputs.x.shape, filterShape, strides, pad);
    return run(backend as WebGPUBackendLike, conv3dFilterGradPrograms(g), [inputs.x, inputs.dy]);
  },
};
