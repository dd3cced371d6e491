/**
 * Scales one decoded YUV picture to the stored RGB frame the way ffmpeg's default `scale` filter
 * does (libswscale, flags=bicubic), so the WebCodecs path stores what the ffmpeg.wasm path stores:
 * - a separable bicubic (B = 0, C = 0.6) whose support widens with the downscale factor (each
 *   output pixel averages its whole footprint), pixel centres aligned, edges clamped;
 * - luma scaled to W×H; chroma (4:2:0, centre-sited) scaled to ⌈W/2⌉×H, since swscale writes packed
 *   RGB with horizontally subsampled chroma, each chroma sample serving two output pixels;
 * - YUV → RGB with the picture's matrix (BT.601 unless tagged BT.709) and range (limited unless
 *   tagged full).
 * Crop-to-fill scales to the aspect-preserving size that covers W×H (ffmpeg's
 * `force_original_aspect_ratio=increase`) and keeps the centre, like `crop=W:H`.
 * The arithmetic: the vertical pass first, in float64 by a WebAssembly SIMD kernel
 * (`scale-kernel.ts`, 16 source pixels per step, reading the picture where `copyTo` wrote it in
 * the kernel's memory), then the short horizontal pass (~3 % of the multiply-adds) in float64
 * here. Filter weights and clamped row tables are computed once per geometry. Both passes compute
 * the same separable sum as the previous float64 horizontal-then-vertical JS scaler
 * (`tests/scale-reference.ts`, ~6× slower), in another order: a byte could differ only where a
 * sum lies within ~1e-12 of a rounding boundary.
 */
import { scaleKernel, type ScaleKernel } from './scale-kernel';

export interface YuvPicture {
  width: number;
  height: number;
  /** Planes and their strides; chroma is 4:2:0 (⌈w/2⌉ × ⌈h/2⌉). */
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  yStride: number;
  uStride: number;
  vStride: number;
  /** Interleaved chroma (NV12): `u` holds UVUV…, `v` is ignored and uStep is 2. */
  uvStep: 1 | 2;
  matrix: 'bt601' | 'bt709';
  fullRange: boolean;
}

export interface ScaleTarget {
  width: number;
  height: number;
  fit: 'stretch' | 'crop';
}

export interface AxisFilter {
  taps: number;
  /** First source index per output index (before clamping). */
  start: Int32Array;
  weights: Float64Array;
}

function bicubic(x: number): number {
  const B = 0;
  const C = 0.6;
  const a = Math.abs(x);
  if (a < 1)
    return ((12 - 9 * B - 6 * C) * a ** 3 + (-18 + 12 * B + 6 * C) * a ** 2 + 6 - 2 * B) / 6;
  if (a < 2)
    return (
      ((-B - 6 * C) * a ** 3 +
        (6 * B + 30 * C) * a ** 2 +
        (-12 * B - 48 * C) * a +
        8 * B +
        24 * C) /
      6
    );
  return 0;
}

/** Weights mapping `src` samples onto `dst` samples with centres aligned. */
export function axisFilter(src: number, dst: number): AxisFilter {
  const ratio = src / dst;
  const stretch = Math.max(ratio, 1);
  const taps = Math.ceil(4 * stretch) + 1;
  const start = new Int32Array(dst);
  const weights = new Float64Array(dst * taps);
  for (let o = 0; o < dst; o++) {
    const centre = (o + 0.5) * ratio - 0.5;
    const first = Math.floor(centre - 2 * stretch) + 1;
    start[o] = first;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const w = bicubic((first + t - centre) / stretch);
      weights[o * taps + t] = w;
      sum += w;
    }
    for (let t = 0; t < taps; t++) weights[o * taps + t] /= sum;
  }
  return { taps, start, weights };
}

/** The size ffmpeg scales to before cropping (`force_original_aspect_ratio=increase`). */
export function coverSize(srcW: number, srcH: number, w: number, h: number): [number, number] {
  return [Math.max(w, Math.round((h * srcW) / srcH)), Math.max(h, Math.round((w * srcH) / srcW))];
}

/** swscale's YUV → RGB inverse coefficients (crv, cbu, cgu, cgv in 1/65536). */
const INVERSE = { bt601: [104597, 132201, 25675, 53279], bt709: [117489, 138438, 13975, 34925] };

/**
 * swscale's integer YUV → RGB lookup (its 24-bit packed path): a luma table indexed by Y plus a
 * chroma offset quantised to whole table steps. Reproducing it rather than the exact formula
 * matters: it sits 1–2 levels below the ideal conversion and would otherwise be the whole error.
 */
export class YuvToRgb {
  readonly #table = new Uint8Array(2048);
  readonly #rV = new Int32Array(256);
  readonly #gU = new Int32Array(256);
  readonly #gV = new Int32Array(256);
  readonly #bU = new Int32Array(256);

  constructor(matrix: 'bt601' | 'bt709', fullRange: boolean) {
    const HEADROOM = 512;
    let [crv, cbu, cgu, cgv] = INVERSE[matrix];
    [cgu, cgv] = [-cgu, -cgv];
    let cy = 65536;
    let oy = 0;
    if (!fullRange) {
      cy = Math.floor((cy * 255) / 219);
      oy = 16 * 65536;
    } else {
      [crv, cbu, cgu, cgv] = [crv, cbu, cgu, cgv].map((c) => Math.trunc((c * 224) / 255));
    }
    [crv, cbu, cgu, cgv] = [crv, cbu, cgu, cgv].map((c) => Math.trunc((c * 65536 + 0x8000) / cy));
    const yoffs = (fullRange ? 384 : 326) + HEADROOM;
    let yb = -(384 * 65536) - HEADROOM * cy - oy;
    for (let i = 0; i < this.#table.length; i++, yb += cy) {
      this.#table[i] = Math.min(255, Math.max(0, Math.floor((yb + 0x8000) / 65536)));
    }
    const shift = (c: number, i: number) => Math.floor((i * c) / 65536);
    for (let i = 0; i < 256; i++) {
      this.#rV[i] = yoffs - Math.floor(crv / 512) + shift(crv, i);
      this.#bU[i] = yoffs - Math.floor(cbu / 512) + shift(cbu, i);
      this.#gU[i] = yoffs - Math.floor(cgu / 512) + shift(cgu, i);
      this.#gV[i] = -Math.floor(cgv / 512) + shift(cgv, i);
    }
  }

  write(out: Uint8Array, at: number, y: number, u: number, v: number): void {
    out[at] = this.#table[this.#rV[v] + y];
    out[at + 1] = this.#table[this.#gU[u] + this.#gV[v] + y];
    out[at + 2] = this.#table[this.#bU[u] + y];
  }
}

const byte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/**
 * The stored frame from the scaled planes (Y sw×sh, U and V ⌈sw/2⌉×sh, as floats): each chroma
 * sample serves two pixels; crop keeps the centre W×H.
 */
export function planesToRgb(
  [Y, U, V]: [Float64Array, Float64Array, Float64Array],
  sw: number,
  sh: number,
  target: ScaleTarget,
  convert: YuvToRgb,
): Uint8Array {
  const { width: W, height: H } = target;
  const cwOut = Math.ceil(sw / 2);
  const x0 = Math.floor((sw - W) / 2);
  const y0 = Math.floor((sh - H) / 2);
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = x + x0;
      const c = (y + y0) * cwOut + (sx >> 1);
      convert.write(out, (y * W + x) * 3, byte(Y[(y + y0) * sw + sx]), byte(U[c]), byte(V[c]));
    }
  }
  return out;
}

/** The vertical pass's tables for one plane: clamped source rows (i32) and weights (f64). */
interface VerticalTables {
  rows: number;
  weights: number;
  taps: number;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;
const PAGE = 65536;
/** Bytes the kernel may read past a plane's last row (a 16-byte block from its last pixel). */
const OVERREAD = 16;

/** One source row of vertical-pass floats filtered horizontally into `dst` from `at`. */
function scaleLine(
  line: Float64Array,
  base: number,
  step: number,
  srcW: number,
  fx: AxisFilter,
  dst: Float64Array,
  at: number,
  dstW: number,
): void {
  const { taps, weights, start } = fx;
  for (let o = 0; o < dstW; o++) {
    let acc = 0;
    const s0 = start[o];
    const w0 = o * taps;
    if (s0 >= 0 && s0 + taps <= srcW) {
      const p0 = base + s0 * step;
      for (let t = 0; t < taps; t++) acc += weights[w0 + t] * line[p0 + t * step];
    } else {
      for (let t = 0; t < taps; t++) {
        const c = Math.min(Math.max(s0 + t, 0), srcW - 1);
        acc += weights[w0 + t] * line[base + c * step];
      }
    }
    dst[at + o] = acc;
  }
}

/** A scaler for one source geometry and target; `scale` returns W×H×3 RGB bytes. */
export class FrameScaler {
  readonly #fx: [AxisFilter, AxisFilter];
  readonly #scaledW: number;
  readonly #scaledH: number;
  readonly #chromaW: number;
  readonly #kernel: ScaleKernel;
  readonly #tables: [VerticalTables, VerticalTables];
  /** Vertical-pass outputs (f64 rows of the source's width) for Y, U (or interleaved UV), V. */
  readonly #mid: [number, number, number];
  readonly #picture: number;
  readonly #planes: [Float64Array, Float64Array, Float64Array];
  #convert: YuvToRgb | null = null;
  #convertKey = '';

  constructor(
    readonly srcW: number,
    readonly srcH: number,
    readonly target: ScaleTarget,
  ) {
    [this.#scaledW, this.#scaledH] =
      target.fit === 'crop'
        ? coverSize(srcW, srcH, target.width, target.height)
        : [target.width, target.height];
    const sh = this.#scaledH;
    this.#chromaW = Math.ceil(this.#scaledW / 2);
    const cw = Math.ceil(srcW / 2);
    const ch = Math.ceil(srcH / 2);
    this.#fx = [axisFilter(srcW, this.#scaledW), axisFilter(cw, this.#chromaW)];
    const fy = [axisFilter(srcH, sh), axisFilter(ch, sh)];
    this.#kernel = scaleKernel();
    let at = 0;
    const take = (bytes: number) => {
      const here = at;
      at = align16(at + bytes);
      return here;
    };
    this.#tables = [0, 1].map((i) => {
      const f = fy[i];
      return { rows: take(sh * f.taps * 4), weights: take(sh * f.taps * 8), taps: f.taps };
    }) as [VerticalTables, VerticalTables];
    this.#mid = [
      take(sh * align16(srcW) * 8),
      take(sh * align16(2 * cw) * 8),
      take(sh * align16(cw) * 8),
    ];
    this.#picture = at;
    this.#reserve(0);
    const buffer = this.#kernel.memory.buffer;
    [0, 1].forEach((i) => {
      const { taps, start, weights } = fy[i];
      const rows = new Int32Array(buffer, this.#tables[i].rows, sh * taps);
      const srcRows = i === 0 ? srcH : ch;
      for (let o = 0; o < sh; o++) {
        for (let t = 0; t < taps; t++)
          rows[o * taps + t] = Math.min(Math.max(start[o] + t, 0), srcRows - 1);
      }
      new Float64Array(buffer, this.#tables[i].weights, sh * taps).set(weights);
    });
    this.#planes = [
      new Float64Array(this.#scaledW * sh),
      new Float64Array(this.#chromaW * sh),
      new Float64Array(this.#chromaW * sh),
    ];
  }

  /** Grows the kernel's memory to hold a picture of `bytes` after the tables. */
  #reserve(bytes: number): void {
    const { memory } = this.#kernel;
    const need = this.#picture + bytes + OVERREAD;
    if (need > memory.buffer.byteLength)
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  }

  /**
   * Where to put a decoded picture of `bytes` (e.g. `VideoFrame.copyTo`'s destination) so that
   * `scale` reads it in place: a view into the kernel's memory, valid until the next call.
   */
  pictureBuffer(bytes: number): Uint8Array {
    this.#reserve(bytes);
    return new Uint8Array(this.#kernel.memory.buffer, this.#picture, bytes);
  }

  /** Byte addresses of the picture's planes in the kernel's memory (copied there if elsewhere). */
  #placePlanes(p: YuvPicture): [number, number, number] {
    const buffer = this.#kernel.memory.buffer;
    const planes = p.uvStep === 2 ? [p.y, p.u] : [p.y, p.u, p.v];
    if (planes.every((a) => a.buffer === buffer)) {
      return [p.y.byteOffset, p.u.byteOffset, p.uvStep === 2 ? p.u.byteOffset + 1 : p.v.byteOffset];
    }
    const ch = Math.ceil(p.height / 2);
    const chromaRow = Math.ceil(p.width / 2) * p.uvStep;
    const extents = [
      (p.height - 1) * p.yStride + p.width,
      (ch - 1) * p.uStride + chromaRow,
      p.uvStep === 2 ? 0 : (ch - 1) * p.vStride + chromaRow,
    ];
    const view = this.pictureBuffer(extents[0] + extents[1] + extents[2]);
    let at = 0;
    const addresses = [p.y, p.u, p.v].map((plane, i) => {
      view.set(plane.subarray(0, extents[i]), at);
      at += extents[i];
      return view.byteOffset + at - extents[i];
    });
    if (p.uvStep === 2) addresses[2] = addresses[1] + 1;
    return addresses as [number, number, number];
  }

  scale(p: YuvPicture): Uint8Array {
    const [sw, sh, cwOut] = [this.#scaledW, this.#scaledH, this.#chromaW];
    const cw = Math.ceil(p.width / 2);
    const [yAt, uAt, vAt] = this.#placePlanes(p);
    const kernel = this.#kernel;
    const vertical = (src: number, stride: number, bytes: number, t: VerticalTables, out: number) =>
      kernel.vpass(src, stride, t.rows, t.weights, t.taps, sh, align16(bytes) / 16, out);
    const [yMid, uMid, vMid] = this.#mid;
    const [luma, chroma] = this.#tables;
    vertical(yAt, p.yStride, p.width, luma, yMid);
    vertical(uAt, p.uStride, cw * p.uvStep, chroma, uMid);
    if (p.uvStep === 1) vertical(vAt, p.vStride, cw, chroma, vMid);
    const buffer = kernel.memory.buffer;
    const [Y, U, V] = this.#planes;
    const [fxY, fxC] = this.#fx;
    const yRow = align16(p.width);
    const yLines = new Float64Array(buffer, yMid, sh * yRow);
    const uRow = align16(cw * p.uvStep);
    const uLines = new Float64Array(buffer, uMid, sh * uRow);
    const vRow = p.uvStep === 2 ? uRow : align16(cw);
    const vLines = p.uvStep === 2 ? uLines : new Float64Array(buffer, vMid, sh * vRow);
    const vBase = p.uvStep === 2 ? 1 : 0;
    for (let r = 0; r < sh; r++) {
      scaleLine(yLines, r * yRow, 1, p.width, fxY, Y, r * sw, sw);
      scaleLine(uLines, r * uRow, p.uvStep, cw, fxC, U, r * cwOut, cwOut);
      scaleLine(vLines, r * vRow + vBase, p.uvStep, cw, fxC, V, r * cwOut, cwOut);
    }
    const key = `${p.matrix}/${p.fullRange}`;
    if (key !== this.#convertKey)
      [this.#convert, this.#convertKey] = [new YuvToRgb(p.matrix, p.fullRange), key];
    return planesToRgb([Y, U, V], sw, sh, this.target, this.#convert!);
  }
}
