/**
 * Scales one decoded YUV picture to the stored RGB frame the way ffmpeg's default `scale` filter
 * does (libswscale, flags=bicubic), so the WebCodecs path stores what the ffmpeg.wasm path stores:
 * - a separable bicubic (B = 0, C = 0.6) whose support widens with the downscale factor (each
 *   output pixel averages its whole footprint), pixel centres aligned, edges clamped;
 * - luma scaled to W×H; chroma (4:2:0, 4:2:2 or 4:4:4, centre-sited) scaled to ⌈W/2⌉×H, since
 *   swscale writes packed RGB with horizontally subsampled chroma, each chroma sample serving two
 *   output pixels;
 * - YUV → RGB with the picture's matrix (BT.601 unless tagged BT.709) and range (limited unless
 *   tagged full).
 * Crop-to-fill scales to the aspect-preserving size that covers W×H (ffmpeg's
 * `force_original_aspect_ratio=increase`) and keeps the centre, like `crop=W:H`.
 * The arithmetic: the vertical pass first, then the horizontal one, both in float32 by a
 * WebAssembly SIMD kernel (`scale-kernel.ts`) reading the picture where `copyTo` wrote it in the
 * kernel's memory; filter weights and tap tables are computed once per geometry. The sums are
 * those of the previous float64 horizontal-then-vertical JS scaler (`tests/scale-reference.ts`),
 * in another order and to float32's ~1e-5 of a level: a byte differs (by 1) only where a sum lies
 * that close to a rounding boundary, ~1e-5 of the bytes on noise. 1080p → 64×36: ~2.3 ms per
 * picture (float64 kernel and JS horizontal pass: ~6.2 ms; `npm run bench scale`).
 */
import { reserveMemory } from '../util/wasm-kernel';
import { HPASS_STEP, scaleKernel, VPASS_BLOCK, type ScaleKernel } from './scale-kernel';

export interface YuvPicture {
  width: number;
  height: number;
  /** Planes and their strides; chroma is the scaler's subsampling (4:2:0: ⌈w/2⌉ × ⌈h/2⌉). */
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

/**
 * Chroma subsampling as log2 factors per axis: 4:2:0 is {x: 1, y: 1}, 4:2:2 {x: 1, y: 0}, 4:4:4
 * {x: 0, y: 0}. swscale filters the chroma planes from their own size, so each layout is scaled
 * from the samples it has, not from a 4:2:0 copy.
 */
export interface ChromaSubsampling {
  x: 0 | 1;
  y: 0 | 1;
}

export const CHROMA_420: ChromaSubsampling = { x: 1, y: 1 };

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
 * The conversion's coefficients as swscale prepares them for both of its paths (in 1/65536):
 * chroma weights (green ones negated; scaled by 224/255 for full range) and luma gain and offset
 * (255/219 and 16 for limited range).
 */
function swsCoefficients(matrix: 'bt601' | 'bt709', fullRange: boolean) {
  let [crv, cbu, cgu, cgv] = INVERSE[matrix];
  [cgu, cgv] = [-cgu, -cgv];
  if (fullRange) {
    [crv, cbu, cgu, cgv] = [crv, cbu, cgu, cgv].map((c) => Math.trunc((c * 224) / 255));
  }
  return fullRange
    ? { crv, cbu, cgu, cgv, cy: 65536, oy: 0 }
    : { crv, cbu, cgu, cgv, cy: Math.floor((65536 * 255) / 219), oy: 16 * 65536 };
}

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
    const sws = swsCoefficients(matrix, fullRange);
    const { cy, oy } = sws;
    const [crv, cbu, cgu, cgv] = [sws.crv, sws.cbu, sws.cgu, sws.cgv].map((c) =>
      Math.trunc((c * 65536 + 0x8000) / cy),
    );
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

/**
 * swscale's full-chroma output (SWS_FULL_CHR_H_INT, which it forces for 4:4:4 sources): no table,
 * fixed-point arithmetic on the scaled samples kept to 1/512 of a level, coefficients in 1/8192.
 */
export class FullChromaYuvToRgb {
  readonly #y: number;
  readonly #yOffset: number;
  readonly #vr: number;
  readonly #vg: number;
  readonly #ug: number;
  readonly #ub: number;

  constructor(matrix: 'bt601' | 'bt709', fullRange: boolean) {
    const { crv, cbu, cgu, cgv, cy, oy } = swsCoefficients(matrix, fullRange);
    const toInt16 = (c: number, bits: number) => Math.floor((c * 2 ** bits + 0x8000) / 65536);
    this.#y = toInt16(cy, 13);
    this.#yOffset = toInt16(oy, 9);
    [this.#vr, this.#vg, this.#ug, this.#ub] = [crv, cgv, cgu, cbu].map((c) => toInt16(c, 13));
  }

  /** `y`, `u`, `v` are the scaled samples in levels (floats). */
  write(out: Uint8Array, at: number, y: number, u: number, v: number): void {
    const Y = (Math.round(y * 512) - this.#yOffset) * this.#y + (1 << 21);
    const U = Math.round(u * 512) - (128 << 9);
    const V = Math.round(v * 512) - (128 << 9);
    const top = 2 ** 30 - 1;
    const level = (x: number) => Math.floor((x <= 0 ? 0 : x >= top ? top : x) / 2 ** 22);
    out[at] = level(Y + V * this.#vr);
    out[at + 1] = level(Y + V * this.#vg + U * this.#ug);
    out[at + 2] = level(Y + U * this.#ub);
  }
}

const byte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** A scaled plane: float32 from FrameScaler, float64 from the reference scaler in the tests. */
type ScaledPlane = Float32Array | Float64Array;

/**
 * The stored frame from the scaled planes (Y sw×sh, U and V ⌈sw/2⌉×sh, as floats): each chroma
 * sample serves two pixels; crop keeps the centre W×H.
 */
export function planesToRgb(
  [Y, U, V]: [ScaledPlane, ScaledPlane, ScaledPlane],
  sw: number,
  sh: number,
  target: ScaleTarget,
  convert: YuvToRgb | FullChromaYuvToRgb,
): Uint8Array {
  const { width: W, height: H } = target;
  const fullChroma = convert instanceof FullChromaYuvToRgb;
  const shift = fullChroma ? 0 : 1;
  const cwOut = Math.ceil(sw / 2 ** shift);
  const x0 = Math.floor((sw - W) / 2);
  const y0 = Math.floor((sh - H) / 2);
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = x + x0;
      const c = (y + y0) * cwOut + (sx >> shift);
      const at = (y * W + x) * 3;
      const luma = Y[(y + y0) * sw + sx];
      if (fullChroma) convert.write(out, at, luma, U[c], V[c]);
      else convert.write(out, at, byte(luma), byte(U[c]), byte(V[c]));
    }
  }
  return out;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;
/** Floats per vertical-pass output row for a source row of `bytes`. */
const midRow = (bytes: number) => Math.ceil(bytes / VPASS_BLOCK) * VPASS_BLOCK;

/** The vertical pass's table for one plane: (clamped source row, f32 weight) per tap. */
interface VerticalTable {
  at: number;
  taps: number;
}

/** The horizontal pass's tables for one plane: byte offset of each output's first tap, weights. */
interface HorizontalTable {
  starts: number;
  weights: number;
  taps: number;
}

/**
 * `fx` as contiguous dot products over floats `step` apart (interleaved chroma: step 2, zero
 * weights in between): the taps past an edge folded onto the edge pixel, each output's weights
 * zero-padded to a common multiple of HPASS_STEP taps.
 */
function horizontalWeights(
  fx: AxisFilter,
  srcW: number,
  step: number,
): { starts: Int32Array; weights: Float32Array; taps: number } {
  const dstW = fx.start.length;
  const taps = Math.ceil(((fx.taps - 1) * step + 1) / HPASS_STEP) * HPASS_STEP;
  const starts = new Int32Array(dstW);
  const weights = new Float32Array(dstW * taps);
  const clamp = (c: number) => Math.min(Math.max(c, 0), srcW - 1);
  for (let o = 0; o < dstW; o++) {
    const lo = clamp(fx.start[o]);
    starts[o] = lo * step * 4;
    const folded = new Float64Array(fx.taps);
    for (let t = 0; t < fx.taps; t++)
      folded[clamp(fx.start[o] + t) - lo] += fx.weights[o * fx.taps + t];
    for (let k = 0; k < fx.taps; k++) weights[o * taps + k * step] = folded[k];
  }
  return { starts, weights, taps };
}

/** A scaler for one source geometry and target; `scale` returns W×H×3 RGB bytes. */
export class FrameScaler {
  readonly #scaledW: number;
  readonly #scaledH: number;
  readonly #chromaW: number;
  /** Source chroma plane size. */
  readonly #cw: number;
  readonly #ch: number;
  readonly #kernel: ScaleKernel;
  readonly #vertical: [VerticalTable, VerticalTable];
  /** Horizontal tables: luma, chroma planar (I420), chroma interleaved (NV12). */
  readonly #horizontal: [HorizontalTable, HorizontalTable, HorizontalTable];
  /** Vertical-pass outputs (f32 rows) for Y, U (or interleaved UV), V. */
  readonly #mid: [number, number, number];
  /** Horizontal-pass outputs (f32 planes): Y sw×sh, U and V ⌈sw/2⌉×sh. */
  readonly #out: [number, number, number];
  readonly #picture: number;
  #convert: YuvToRgb | FullChromaYuvToRgb | null = null;
  #convertKey = '';

  constructor(
    readonly srcW: number,
    readonly srcH: number,
    readonly target: ScaleTarget,
    readonly chroma: ChromaSubsampling = CHROMA_420,
  ) {
    [this.#scaledW, this.#scaledH] =
      target.fit === 'crop'
        ? coverSize(srcW, srcH, target.width, target.height)
        : [target.width, target.height];
    const [sw, sh] = [this.#scaledW, this.#scaledH];
    // swscale keeps full-width chroma when the source has it (SWS_FULL_CHR_H_INT).
    this.#chromaW = chroma.x === 0 ? sw : Math.ceil(sw / 2);
    const cw = (this.#cw = Math.ceil(srcW / 2 ** chroma.x));
    const ch = (this.#ch = Math.ceil(srcH / 2 ** chroma.y));
    const fy = [axisFilter(srcH, sh), axisFilter(ch, sh)];
    const [fxY, fxC] = [axisFilter(srcW, sw), axisFilter(cw, this.#chromaW)];
    const hWeights = [
      horizontalWeights(fxY, srcW, 1),
      horizontalWeights(fxC, cw, 1),
      horizontalWeights(fxC, cw, 2),
    ];
    this.#kernel = scaleKernel();
    let at = 0;
    const take = (bytes: number) => {
      const here = at;
      at = align16(at + bytes);
      return here;
    };
    this.#vertical = fy.map((f) => ({ at: take(sh * f.taps * 8), taps: f.taps })) as [
      VerticalTable,
      VerticalTable,
    ];
    this.#horizontal = hWeights.map((h) => ({
      starts: take(h.starts.length * 4),
      weights: take(h.weights.length * 4),
      taps: h.taps,
    })) as [HorizontalTable, HorizontalTable, HorizontalTable];
    // The horizontal pass reads up to `taps` floats (and V one float later) from a row's last
    // pixel, past the row: zero weights, but the floats there must be finite, so each plane is
    // followed by bytes nothing writes (the memory starts zeroed).
    const tail = (Math.max(...hWeights.map((h) => h.taps)) + 1) * 4;
    this.#mid = [srcW, 2 * cw, cw].map((bytes) => take(sh * midRow(bytes) * 4 + tail)) as [
      number,
      number,
      number,
    ];
    this.#out = [sw, this.#chromaW, this.#chromaW].map((w) => take(w * sh * 4)) as [
      number,
      number,
      number,
    ];
    this.#picture = at;
    this.#reserve(0);
    const buffer = this.#kernel.memory.buffer;
    fy.forEach(({ taps, start, weights }, i) => {
      const rows = new Int32Array(buffer, this.#vertical[i].at, 2 * sh * taps);
      const w = new Float32Array(buffer, this.#vertical[i].at, 2 * sh * taps);
      const srcRows = i === 0 ? srcH : ch;
      for (let j = 0; j < sh * taps; j++) {
        const o = Math.floor(j / taps);
        rows[2 * j] = Math.min(Math.max(start[o] + j - o * taps, 0), srcRows - 1);
        w[2 * j + 1] = weights[j];
      }
    });
    hWeights.forEach((h, i) => {
      new Int32Array(buffer, this.#horizontal[i].starts, h.starts.length).set(h.starts);
      new Float32Array(buffer, this.#horizontal[i].weights, h.weights.length).set(h.weights);
    });
  }

  /**
   * Grows the kernel's memory to hold a picture of `bytes` after the tables, and the block the
   * vertical pass may read past its last row.
   */
  #reserve(bytes: number): void {
    reserveMemory(this.#kernel.memory, this.#picture + bytes + VPASS_BLOCK);
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
    const ch = this.#ch;
    const chromaRow = this.#cw * p.uvStep;
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
    const cw = this.#cw;
    const [yAt, uAt, vAt] = this.#placePlanes(p);
    const kernel = this.#kernel;
    const [yMid, uMid, vMid] = this.#mid;
    const [yOut, uOut, vOut] = this.#out;
    const [hY, hPlanar, hInterleaved] = this.#horizontal;
    /** Both passes over one plane of `bytes` per source row into `outW` floats per row. */
    const plane = (
      src: number,
      stride: number,
      bytes: number,
      v: VerticalTable,
      mid: number,
      h: HorizontalTable,
      first: number,
      outW: number,
      out: number,
    ) => {
      const row = midRow(bytes);
      if (first === 0) kernel.vpass(src, stride, v.at, v.taps, sh, row / VPASS_BLOCK, mid);
      kernel.hpass(mid + 4 * first, 4 * row, sh, h.starts, h.weights, h.taps, outW, out);
    };
    const [luma, chroma] = this.#vertical;
    plane(yAt, p.yStride, p.width, luma, yMid, hY, 0, sw, yOut);
    if (p.uvStep === 2) {
      plane(uAt, p.uStride, 2 * cw, chroma, uMid, hInterleaved, 0, cwOut, uOut);
      plane(uAt, p.uStride, 2 * cw, chroma, uMid, hInterleaved, 1, cwOut, vOut);
    } else {
      plane(uAt, p.uStride, cw, chroma, uMid, hPlanar, 0, cwOut, uOut);
      plane(vAt, p.vStride, cw, chroma, vMid, hPlanar, 0, cwOut, vOut);
    }
    const buffer = kernel.memory.buffer;
    const key = `${p.matrix}/${p.fullRange}`;
    if (key !== this.#convertKey)
      [this.#convert, this.#convertKey] = [
        this.chroma.x === 0
          ? new FullChromaYuvToRgb(p.matrix, p.fullRange)
          : new YuvToRgb(p.matrix, p.fullRange),
        key,
      ];
    return planesToRgb(
      [
        new Float32Array(buffer, yOut, sw * sh),
        new Float32Array(buffer, uOut, cwOut * sh),
        new Float32Array(buffer, vOut, cwOut * sh),
      ],
      sw,
      sh,
      this.target,
      this.#convert!,
    );
  }
}
