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
 * Pure functions on plain arrays; filter weights are computed once per geometry.
 */

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

interface AxisFilter {
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
function axisFilter(src: number, dst: number): AxisFilter {
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

/** One source row filtered horizontally into `line` (dstW floats). */
function scaleRow(
  plane: Uint8Array,
  base: number,
  step: number,
  srcW: number,
  fx: AxisFilter,
  line: Float64Array,
): void {
  const { taps, weights, start } = fx;
  for (let o = 0; o < line.length; o++) {
    let acc = 0;
    const s0 = start[o];
    const w0 = o * taps;
    if (s0 >= 0 && s0 + taps <= srcW) {
      // Interior: no clamping, the hot loop (a 1080p row has ~120 taps per output pixel).
      const p0 = base + s0 * step;
      if (step === 1) for (let t = 0; t < taps; t++) acc += weights[w0 + t] * plane[p0 + t];
      else for (let t = 0; t < taps; t++) acc += weights[w0 + t] * plane[p0 + t * step];
    } else {
      for (let t = 0; t < taps; t++) {
        const c = Math.min(Math.max(s0 + t, 0), srcW - 1);
        acc += weights[w0 + t] * plane[base + c * step];
      }
    }
    line[o] = acc;
  }
}

/** Scales one plane (with a sample step, for interleaved chroma) to dstW×dstH floats. */
function scalePlane(
  plane: Uint8Array,
  offset: number,
  step: number,
  stride: number,
  srcW: number,
  srcH: number,
  fx: AxisFilter,
  fy: AxisFilter,
  dstW: number,
  dstH: number,
): Float64Array {
  // Horizontal pass over only the rows the vertical filter reads, each row once.
  const rows: (Float64Array | undefined)[] = new Array(srcH);
  const out = new Float64Array(dstW * dstH);
  for (let o = 0; o < dstH; o++) {
    const s0 = fy.start[o];
    for (let t = 0; t < fy.taps; t++) {
      const w = fy.weights[o * fy.taps + t];
      if (w === 0) continue;
      const r = Math.min(Math.max(s0 + t, 0), srcH - 1);
      let line = rows[r];
      if (!line) {
        line = rows[r] = new Float64Array(dstW);
        scaleRow(plane, r * stride + offset, step, srcW, fx, line);
      }
      for (let x = 0; x < dstW; x++) out[o * dstW + x] += w * line[x];
    }
  }
  return out;
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
class YuvToRgb {
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

/** A scaler for one source geometry and target; `scale` returns W×H×3 RGB bytes. */
export class FrameScaler {
  readonly #fy: [AxisFilter, AxisFilter];
  readonly #fx: [AxisFilter, AxisFilter];
  readonly #scaledW: number;
  readonly #scaledH: number;
  readonly #chromaW: number;
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
    this.#chromaW = Math.ceil(this.#scaledW / 2);
    const cw = Math.ceil(srcW / 2);
    const ch = Math.ceil(srcH / 2);
    this.#fx = [axisFilter(srcW, this.#scaledW), axisFilter(cw, this.#chromaW)];
    this.#fy = [axisFilter(srcH, this.#scaledH), axisFilter(ch, this.#scaledH)];
  }

  scale(p: YuvPicture): Uint8Array {
    const { width: W, height: H } = this.target;
    const [sw, sh, cwOut] = [this.#scaledW, this.#scaledH, this.#chromaW];
    const cw = Math.ceil(p.width / 2);
    const ch = Math.ceil(p.height / 2);
    const Y = scalePlane(p.y, 0, 1, p.yStride, p.width, p.height, this.#fx[0], this.#fy[0], sw, sh);
    const U = scalePlane(p.u, 0, p.uvStep, p.uStride, cw, ch, this.#fx[1], this.#fy[1], cwOut, sh);
    const V =
      p.uvStep === 2
        ? scalePlane(p.u, 1, 2, p.uStride, cw, ch, this.#fx[1], this.#fy[1], cwOut, sh)
        : scalePlane(p.v, 0, 1, p.vStride, cw, ch, this.#fx[1], this.#fy[1], cwOut, sh);
    const key = `${p.matrix}/${p.fullRange}`;
    if (key !== this.#convertKey)
      [this.#convert, this.#convertKey] = [new YuvToRgb(p.matrix, p.fullRange), key];
    const convert = this.#convert!;
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
}
