/**
 * Conv3D and its input and filter gradients for tfjs's `webgpu` backend, as implicit-GEMM WGSL
 * compute shaders run through the backend's own program mechanism (`runWebGPUProgram`), so
 * buffers, uniforms and pipeline caching stay tfjs's. Each workgroup computes a TM × TN tile of
 * the output matrix, staging TK-deep slices of both operands in workgroup memory; the column
 * matrix of the convolution is never materialised: each element is gathered from the volume as
 * the tile loads it. The stock shaders are direct loops, one thread per output element, reading
 * every input from global memory.
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
  // A power of two, so each thread loads the same depth offset of every row it stages (THREADS is
  // a multiple of TK) and decodes its rows once per product, not once per element.
  const TK = Math.min(16, 2 ** Math.floor(Math.log2(SHARED_FLOATS / (TM + 1 + TN))));
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

/**
 * Integer quotient and remainder of non-negative values: unsigned division by a compile-time
 * constant compiles to a multiply and a shift, signed division to a long sequence.
 */
const UNSIGNED = `
fn udiv(a: i32, b: i32) -> i32 { return i32(u32(a) / u32(b)); }
fn umod(a: i32, b: i32) -> i32 { return i32(u32(a) % u32(b)); }`;

/**
 * The gathers split each element's index into a voxel part and a filter-row part, each decoded
 * once (the voxel part per staged row, the filter part per depth step) instead of per element.
 *
 * x seen from output voxel v: (batch, first input depth, height, width it covers).
 */
const DECODE_X_VOXEL = `
fn xVoxel(v: i32) -> vec4<i32> {
  let ow = umod(v, G_OW); let v1 = udiv(v, G_OW);
  let oh = umod(v1, G_OH); let v2 = udiv(v1, G_OH);
  let od = umod(v2, G_OD); let b = udiv(v2, G_OD);
  return vec4<i32>(b, od * G_SD - G_PD, oh * G_SH - G_PH, ow * G_SW - G_PW);
}`;

/** Filter row r = (tap, channel): the tap's offsets along depth, height, width, and the channel. */
function decodeRow(name: string, channels: string): string {
  return `
fn ${name}(r: i32) -> vec4<i32> {
  let c = umod(r, ${channels}); let tap = udiv(r, ${channels});
  let kw = umod(tap, G_FW); let t1 = udiv(tap, G_FW);
  let kh = umod(t1, G_FH); let kd = udiv(t1, G_FH);
  return vec4<i32>(kd * G_DD, kh * G_DH, kw * G_DW, c);
}`;
}

/** x at voxel code `v` (xVoxel) seen through filter-row code `r` (xRow); 0 in the padding. */
const GATHER_X =
  UNSIGNED +
  DECODE_X_VOXEL +
  decodeRow('xRow', 'G_IC') +
  `
fn gatherX(v: vec4<i32>, r: vec4<i32>) -> f32 {
  let id = v.y + r.x; let ih = v.z + r.y; let iw = v.w + r.z;
  if (id < 0 || id >= G_ID || ih < 0 || ih >= G_IH || iw < 0 || iw >= G_IW) { return 0.0; }
  return x[(((v.x * G_ID + id) * G_IH + ih) * G_IW + iw) * G_IC + r.w];
}`;

/**
 * dy at the output voxel that input voxel `v` reaches through filter row (tap, out) `r`: the
 * voxel code is (batch, padded depth, height, width), the row code the tap's offsets and out.
 */
const GATHER_DY =
  UNSIGNED +
  `
fn dyVoxel(v: i32) -> vec4<i32> {
  let iw = umod(v, G_IW); let v1 = udiv(v, G_IW);
  let ih = umod(v1, G_IH); let v2 = udiv(v1, G_IH);
  let id = umod(v2, G_ID); let b = udiv(v2, G_ID);
  return vec4<i32>(b, id + G_PD, ih + G_PH, iw + G_PW);
}` +
  decodeRow('dyRow', 'G_OC') +
  `
fn gatherDy(v: vec4<i32>, r: vec4<i32>) -> f32 {
  let nd = v.y - r.x; let nh = v.z - r.y; let nw = v.w - r.z;
  if (nd < 0 || nh < 0 || nw < 0) { return 0.0; }
  if (nd % G_SD != 0 || nh % G_SH != 0 || nw % G_SW != 0) { return 0.0; }
  let od = nd / G_SD; let oh = nh / G_SH; let ow = nw / G_SW;
  if (od >= G_OD || oh >= G_OH || ow >= G_OW) { return 0.0; }
  return dy[(((v.x * G_OD + od) * G_OH + oh) * G_OW + ow) * G_OC + r.w];
}`;

/**
 * How the product reads its left operand: `decodeM` and `decodeK` name WGSL functions turning a
 * row index and a depth index into codes, and `load` is an expression of those codes (`mc`, `kc`)
 * valid for in-range indices.
 */
interface OperandA {
  decodeM: string;
  decodeK: string;
  load: string;
}

/**
 * A program of THREADS-wide workgroups dispatched as one flat row of `workgroups`; its shader
 * finds its own index as WORKGROUP_INDEX's `wg`.
 */
abstract class FlatProgram implements WebGPUProgram {
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  abstract shaderKey: string;

  constructor(
    public variableNames: string[],
    public outputShape: number[],
    workgroups: number,
  ) {
    this.dispatch = [workgroups, 1, 1];
  }

  abstract getUserCode(): string;
}

/** Index of the calling thread's workgroup in a dispatch tfjs may have folded into 2D or 3D. */
export const WORKGROUP_INDEX =
  'let wg = i32(workgroupId.x + numWorkgroups.x * (workgroupId.y + numWorkgroups.y * workgroupId.z));';

/**
 * A tiled product C = A · B, with A read through `a` and B through the WGSL expression `loadB`
 * (of k and n, valid in range), written to result[(split · M + m) · N + n].
 */
class ImplicitGemmProgram extends FlatProgram {
  shaderKey: string;

  constructor(
    name: string,
    inputs: [string, string],
    outputShape: number[],
    private readonly p: Product,
    private readonly helpers: string,
    private readonly a: OperandA,
    private readonly loadB: string,
  ) {
    super(inputs, outputShape, Math.ceil(p.M / p.t.TM) * Math.ceil(p.N / p.t.TN) * p.splits);
    this.shaderKey = `cinebreath_${name}_${p.KS}_${helpers.replace(/\D+/g, '_')}`;
  }

  getUserCode(): string {
    const { M, N, K, KS, splits } = this.p;
    const { TM, TN, TK, RM, RN } = this.p.t;
    const threadsN = TN / RN;
    const threadsM = TM / RM;
    const tilesN = Math.ceil(N / TN);
    const tilesM = Math.ceil(M / TM);
    // Each thread stages depth offset lid % TK of rows lid / TK + j · ROW_STEP; the row stride in
    // workgroup memory is padded by one so those stores do not all hit one bank.
    const rowsPerThread = (TK * TM) / THREADS;
    const rowStep = THREADS / TK;
    const strideA = TM + 1;
    return `
const C_M: i32 = ${M};
const C_N: i32 = ${N};
const C_K: i32 = ${K};
const C_KS: i32 = ${KS};
const C_TILES: i32 = ${tilesM * tilesN * splits};
var<workgroup> tileA: array<f32, ${TK * strideA}>;
var<workgroup> tileB: array<f32, ${TK * TN}>;
${this.helpers}
fn loadA(mc: vec4<i32>, kc: vec4<i32>) -> f32 { return ${this.a.load}; }
fn loadB(k: i32, n: i32) -> f32 { return ${this.loadB}; }

fn main(index: i32) {
  ${WORKGROUP_INDEX}
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
  let kk = lid % ${TK};
  let mm0 = lid / ${TK};
  var mcode: array<vec4<i32>, ${rowsPerThread}>;
  for (var j = 0; j < ${rowsPerThread}; j++) { mcode[j] = ${this.a.decodeM}(m0 + mm0 + j * ${rowStep}); }
  var acc: array<array<f32, ${RN}>, ${RM}>;
  for (var r = 0; r < ${RM}; r++) { for (var c = 0; c < ${RN}; c++) { acc[r][c] = 0.0; } }

  for (var k0 = 0; k0 < C_KS; k0 += ${TK}) {
    let k = kBegin + k0 + kk;
    let kc = ${this.a.decodeK}(k);
    for (var j = 0; j < ${rowsPerThread}; j++) {
      let mm = mm0 + j * ${rowStep};
      var v = 0.0;
      if (m0 + mm < C_M && k < kEnd) { v = loadA(mcode[j], kc); }
      tileA[kk * ${strideA} + mm] = v;
    }
    for (var i = lid; i < ${TK * TN}; i += ${THREADS}) {
      let nn = i % ${TN};
      let kb = i / ${TN};
      let n = n0 + nn;
      let kn = kBegin + k0 + kb;
      var v = 0.0;
      if (n < C_N && kn < kEnd) { v = loadB(kn, n); }
      tileB[kb * ${TN} + nn] = v;
    }
    workgroupBarrier();
    for (var kq = 0; kq < ${TK}; kq++) {
      var a: array<f32, ${RM}>;
      var b: array<f32, ${RN}>;
      for (var r = 0; r < ${RM}; r++) { a[r] = tileA[kq * ${strideA} + tm + r * ${threadsM}]; }
      for (var c = 0; c < ${RN}; c++) { b[c] = tileB[kq * ${TN} + tn + c * ${threadsN}]; }
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

/**
 * One thread per voxel computing all of its few output columns, for products whose filter fits
 * in workgroup memory (the paper's first and last convolutions: 3 channels in or out). There the
 * tiled product is a poor fit (K = 81, or N = 3 of a 4- or 64-wide tile, and one gathered element
 * per 3 multiply-adds), while a voxel's taps can be walked directly with the bounds decided per
 * tap, not per element. Forward: columns are output channels; input gradient: input channels.
 */
class DirectConvProgram extends FlatProgram {
  shaderKey: string;

  constructor(
    private readonly mode: 'forward' | 'inputGrad',
    private readonly g: ConvGeometry,
    outputShape: number[],
  ) {
    super(
      mode === 'forward' ? ['x', 'W'] : ['dy', 'W'],
      outputShape,
      Math.ceil(directRows(mode, g) / THREADS),
    );
    this.shaderKey = `cinebreath_direct_${mode}_${Object.values(g).join('_')}`;
  }

  getUserCode(): string {
    const { g, mode } = this;
    const forward = mode === 'forward';
    const columns = forward ? g.outC : g.inC;
    // Forward: input voxel (id, ih, iw) = code + tap offset; input gradient: the output voxel
    // whose tap reaches this input voxel, where the stride divides the distance.
    const locate = (axis: string, k: string, dil: string, size: string, input: string) =>
      forward
        ? `let ${axis} = vc.${input} + ${k} * ${dil};
        if (${axis} < 0 || ${axis} >= ${size}) { continue; }`
        : `let n${axis} = vc.${input} - ${k} * ${dil};
        if (n${axis} < 0 || n${axis} % G_S${axis.slice(1).toUpperCase()} != 0) { continue; }
        let ${axis} = n${axis} / G_S${axis.slice(1).toUpperCase()};
        if (${axis} >= ${size}) { continue; }`;
    const [d, h, w] = forward ? ['id', 'ih', 'iw'] : ['od', 'oh', 'ow'];
    const inner = forward
      ? `let base = (((vc.x * G_ID + id) * G_IH + ih) * G_IW + iw) * G_IC;
          for (var c = 0; c < G_IC; c++) {
            let xv = x[base + c];
            let wb = (tap * G_IC + c) * G_OC;
            for (var n = 0; n < ${columns}; n++) { acc[n] = fma(xv, w[wb + n], acc[n]); }
          }`
      : `let base = (((vc.x * G_OD + od) * G_OH + oh) * G_OW + ow) * G_OC;
          for (var c = 0; c < G_OC; c++) {
            let gv = dy[base + c];
            for (var n = 0; n < ${columns}; n++) {
              acc[n] = fma(gv, w[(tap * G_IC + n) * G_OC + c], acc[n]);
            }
          }`;
    const filterSize = taps(g) * g.inC * g.outC;
    return `
const C_M: i32 = ${directRows(mode, g)};
var<workgroup> w: array<f32, ${filterSize}>;
${geometryConstants(g)}
${forward ? GATHER_X : GATHER_DY}

fn main(index: i32) {
  let lid = i32(localIndex);
  for (var i = lid; i < ${filterSize}; i += ${THREADS}) { w[i] = W[i]; }
  workgroupBarrier();
  ${WORKGROUP_INDEX}
  let v = wg * ${THREADS} + lid;
  // Reading a uniform keeps its binding in the pipeline layout tfjs binds against.
  if (v >= C_M || uniforms.outShape.x <= 0) { return; }
  let vc = ${forward ? 'xVoxel' : 'dyVoxel'}(v);
  var acc: array<f32, ${columns}>;
  for (var n = 0; n < ${columns}; n++) { acc[n] = 0.0; }
  for (var kd = 0; kd < G_FD; kd++) {
    ${locate(d, 'kd', 'G_DD', forward ? 'G_ID' : 'G_OD', 'y')}
    for (var kh = 0; kh < G_FH; kh++) {
      ${locate(h, 'kh', 'G_DH', forward ? 'G_IH' : 'G_OH', 'z')}
      for (var kw = 0; kw < G_FW; kw++) {
        ${locate(w, 'kw', 'G_DW', forward ? 'G_IW' : 'G_OW', 'w')}
        let tap = (kd * G_FH + kh) * G_FW + kw;
        ${inner}
      }
    }
  }
  for (var n = 0; n < ${columns}; n++) { result[v * ${columns} + n] = acc[n]; }
}`;
  }
}

/** Output voxels of a direct program: the output volume forward, the input volume backward. */
function directRows(mode: 'forward' | 'inputGrad', g: ConvGeometry): number {
  return mode === 'forward' ? g.batch * g.outD * g.outH * g.outW : g.batch * g.inD * g.inH * g.inW;
}

/** Whether a direct program can compute this product: whole filter staged, few columns. */
function direct(g: ConvGeometry, columns: number): boolean {
  return taps(g) * g.inC * g.outC <= SHARED_FLOATS && columns <= 32;
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
  a: OperandA,
  loadB: string,
): ConvPrograms {
  const shape = p.splits > 1 ? [p.splits, ...outputShape] : outputShape;
  return {
    product: new ImplicitGemmProgram(name, inputs, shape, p, helpers, a, loadB),
    sum: p.splits > 1 ? splitSum(outputShape, p.splits) : null,
  };
}

export function conv3dForwardPrograms(g: ConvGeometry): ConvPrograms {
  const shape = [g.batch, g.outD, g.outH, g.outW, g.outC];
  if (direct(g, g.outC)) return { product: new DirectConvProgram('forward', g, shape), sum: null };
  const p = product(g.batch * g.outD * g.outH * g.outW, g.outC, taps(g) * g.inC);
  return programs(
    'conv3d',
    ['x', 'W'],
    shape,
    p,
    geometryConstants(g) + GATHER_X,
    { decodeM: 'xVoxel', decodeK: 'xRow', load: 'gatherX(mc, kc)' },
    'W[k * C_N + n]',
  );
}

export function conv3dInputGradPrograms(g: ConvGeometry): ConvPrograms {
  const shape = [g.batch, g.inD, g.inH, g.inW, g.inC];
  if (direct(g, g.inC)) return { product: new DirectConvProgram('inputGrad', g, shape), sum: null };
  const p = product(g.batch * g.inD * g.inH * g.inW, g.inC, taps(g) * g.outC);
  return programs(
    'conv3d_dx',
    ['dy', 'W'],
    shape,
    p,
    geometryConstants(g) + GATHER_DY,
    { decodeM: 'dyVoxel', decodeK: 'dyRow', load: 'gatherDy(mc, kc)' },
    // Row k = (tap, out), column n = in: W is stored [tap, in, out].
    'W[(udiv(k, G_OC) * G_IC + n) * G_OC + umod(k, G_OC)]',
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
    { decodeM: 'xRow', decodeK: 'xVoxel', load: 'gatherX(kc, mc)' },
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
