/**
 * Every picture format a browser's `VideoDecoder` hands out, read into what the scaler takes: 8-bit
 * planar YUV (or NV12) in the scaler's own memory. Decoders differ: Chromium emits I420/NV12 (and
 * I444, I422, 10/12-bit planes for such streams), Firefox emits BGRX for H.264. Each is brought to
 * the scaler the way that keeps the stored frame closest to native ffmpeg's, which scales the
 * stream's own YUV:
 * - 8-bit I420/I422/I444 (alpha plane ignored) and NV12: copied straight into the scaler's memory;
 *   4:2:2 and 4:4:4 chroma is scaled from its own size (ChromaSubsampling);
 * - 10/12-bit planes: rounded to 8 bits, keeping the subsampling;
 * - RGB(A/X), BGR(A/X): the decoder already converted the stream's YUV with the matrix and range
 *   its frame's `colorSpace` names (Firefox: BT.709 even for untagged SD streams, where ffmpeg
 *   assumes BT.601); it is converted back with those to 4:2:0 (chroma from each 2×2 block's mean),
 *   then swscale's own YUV → RGB lookup (YuvToRgb) with the stream's colour makes the stored bytes
 *   as it does for I420.
 */
import type { PictureColour } from './probe';
import { CHROMA_420, FrameScaler, type ChromaSubsampling, type ScaleTarget } from './scale';

/** What a picture format holds, as far as scaling it goes. */
export type FormatLayout =
  | { kind: 'planar'; chroma: ChromaSubsampling; bits: 8 | 10 | 12 }
  | { kind: 'nv12' }
  | { kind: 'rgb'; /** Byte offsets of R, G, B within a pixel. */ order: [number, number, number] };

const SUBSAMPLING: Record<string, ChromaSubsampling> = {
  '20': CHROMA_420,
  '22': { x: 1, y: 0 },
  '44': { x: 0, y: 0 },
};

/** The layout of a `VideoPixelFormat`, or null for one we cannot read. */
export function formatLayout(format: string | null): FormatLayout | null {
  if (format === 'NV12') return { kind: 'nv12' };
  if (format === 'RGBA' || format === 'RGBX') return { kind: 'rgb', order: [0, 1, 2] };
  if (format === 'BGRA' || format === 'BGRX') return { kind: 'rgb', order: [2, 1, 0] };
  const planar = /^I4(20|22|44)A?(?:P(10|12))?$/.exec(format ?? '');
  if (!planar) return null;
  return {
    kind: 'planar',
    chroma: SUBSAMPLING[planar[1]],
    bits: planar[2] ? (Number(planar[2]) as 10 | 12) : 8,
  };
}

/** Where a decoded picture's planes start and how far apart their rows are (`copyTo`'s result). */
export interface PlaneSpan {
  offset: number;
  stride: number;
}

/**
 * The conversion a decoder says it made (a frame's `colorSpace`), or `fallback` where it names
 * none we know.
 */
export function decoderColour(
  space: VideoColorSpaceInit | null | undefined,
  fallback: PictureColour,
): PictureColour {
  const matrix =
    space?.matrix === 'bt709'
      ? 'bt709'
      : space?.matrix === 'bt470bg' || space?.matrix === 'smpte170m'
        ? 'bt601'
        : null;
  if (!matrix) return fallback;
  return { matrix, fullRange: space?.fullRange ?? fallback.fullRange };
}

/** swscale's luma weights (Kr, Kb) per matrix. */
const LUMA_WEIGHTS = { bt601: [0.299, 0.114], bt709: [0.2126, 0.0722] } as const;

/**
 * Reads decoded pictures of one size into the scaler, whatever their format: `destination` says
 * where `copyTo` should write, `scale` turns what it wrote into the stored RGB frame.
 */
export class DecodedPictures {
  #scaler: FrameScaler | null = null;
  /** Pictures that need converting land here first; reused, so no garbage per picture. */
  #scratch = new ArrayBuffer(0);

  constructor(
    readonly width: number,
    readonly height: number,
    readonly target: ScaleTarget,
  ) {}

  /** A scaler for the format's chroma layout (one at a time: a stream keeps its format). */
  #scalerFor(chroma: ChromaSubsampling): FrameScaler {
    const s = this.#scaler;
    if (s && s.chroma.x === chroma.x && s.chroma.y === chroma.y) return s;
    return (this.#scaler = new FrameScaler(this.width, this.height, this.target, chroma));
  }

  /** The buffer `copyTo` should fill with a picture of `format` and `bytes`. */
  destination(format: string | null, bytes: number): Uint8Array {
    const layout = formatLayout(format);
    if (!layout) throw new Error(`unsupported picture format ${format}`);
    if (layout.kind === 'nv12' || (layout.kind === 'planar' && layout.bits === 8))
      return this.#scalerFor(layout.kind === 'nv12' ? CHROMA_420 : layout.chroma).pictureBuffer(
        bytes,
      );
    if (this.#scratch.byteLength < bytes) this.#scratch = new ArrayBuffer(bytes);
    return new Uint8Array(this.#scratch, 0, bytes);
  }

  /**
   * The stored frame (W×H×3 RGB) from a picture `copyTo` wrote into `destination`'s buffer.
   * `colour` is the stream's (as ffmpeg reads its tags); `converted`, for RGB pictures, the
   * conversion the decoder made (decoderColour).
   */
  scale(
    format: string | null,
    data: Uint8Array,
    planes: readonly PlaneSpan[],
    colour: PictureColour,
    converted: PictureColour = colour,
  ): Uint8Array {
    const layout = formatLayout(format);
    if (!layout) throw new Error(`unsupported picture format ${format}`);
    const { width, height } = this;
    const at = (p: PlaneSpan) => data.subarray(p.offset);
    if (layout.kind === 'nv12' || (layout.kind === 'planar' && layout.bits === 8)) {
      const [y, u, v] = planes;
      const nv12 = layout.kind === 'nv12';
      return this.#scalerFor(nv12 ? CHROMA_420 : layout.chroma).scale({
        width,
        height,
        y: at(y),
        u: at(u),
        v: nv12 ? at(u) : at(v),
        yStride: y.stride,
        uStride: u.stride,
        vStride: nv12 ? u.stride : v.stride,
        uvStep: nv12 ? 2 : 1,
        ...colour,
      });
    }
    const scaler = this.#scalerFor(layout.kind === 'rgb' ? CHROMA_420 : layout.chroma);
    const cw = Math.ceil(width / 2 ** scaler.chroma.x);
    const ch = Math.ceil(height / 2 ** scaler.chroma.y);
    const out = scaler.pictureBuffer(width * height + 2 * cw * ch);
    const [y, u, v] = [
      out.subarray(0, width * height),
      out.subarray(width * height, width * height + cw * ch),
      out.subarray(width * height + cw * ch),
    ];
    if (layout.kind === 'rgb')
      rgbToI420(data, planes[0], layout.order, width, height, converted, y, u, v);
    else
      [y, u, v].forEach((dst, i) =>
        narrowPlane(data, planes[i], layout.bits, i ? cw : width, i ? ch : height, dst),
      );
    return scaler.scale({
      width,
      height,
      y,
      u,
      v,
      yStride: width,
      uStride: cw,
      vStride: cw,
      uvStep: 1,
      ...colour,
    });
  }
}

/** A 10- or 12-bit little-endian plane rounded to 8 bits, packed `w` bytes a row into `dst`. */
function narrowPlane(
  data: Uint8Array,
  plane: PlaneSpan,
  bits: number,
  w: number,
  h: number,
  dst: Uint8Array,
): void {
  const shift = bits - 8;
  const half = 1 << (shift - 1);
  const src = data.subarray(plane.offset);
  for (let r = 0; r < h; r++) {
    for (let c = 0, s = r * plane.stride; c < w; c++, s += 2) {
      dst[r * w + c] = Math.min(255, ((src[s] | (src[s + 1] << 8)) + half) >> shift);
    }
  }
}

/**
 * A decoder's YUV → RGB conversion as browsers make it (libyuv, in Firefox and Chromium):
 * R = yg·(Y − yo) + vr·v, G = yg·(Y − yo) − ug·u − vg·v, B = yg·(Y − yo) + ub·u, with u, v the
 * chroma less 128 and the chroma weights in 1/64, ub capped at 2 (libyuv's 8-bit limit; BT.709's
 * exact 2.112 put Firefox's blue 3.7 levels off, the capped one matched it exactly).
 */
function decoderWeights({ matrix, fullRange }: PictureColour) {
  const [kr, kb] = LUMA_WEIGHTS[matrix];
  const kg = 1 - kr - kb;
  const cs = fullRange ? 1 : 255 / 224;
  const q = (c: number) => Math.min(128, Math.round(c * 64)) / 64;
  return {
    yg: fullRange ? 1 : 255 / 219,
    yo: fullRange ? 0 : 16,
    vr: q(2 * (1 - kr) * cs),
    ub: q(2 * (1 - kb) * cs),
    ug: q(((2 * (1 - kb) * kb) / kg) * cs),
    vg: q(((2 * (1 - kr) * kr) / kg) * cs),
  };
}

/**
 * Packed RGB back to 8-bit 4:2:0 YUV by inverting the decoder's conversion (decoderWeights): luma
 * per pixel, chroma from each 2×2 block's mean RGB (the conversion is linear, and decoders share
 * one chroma sample across the block), each rounded to the nearest level.
 */
function rgbToI420(
  data: Uint8Array,
  plane: PlaneSpan,
  [ro, go, bo]: [number, number, number],
  w: number,
  h: number,
  colour: PictureColour,
  Y: Uint8Array,
  U: Uint8Array,
  V: Uint8Array,
): void {
  const { yg, yo, vr, ub, ug, vg } = decoderWeights(colour);
  // G = L − ug·(B − L)/ub − vg·(R − L)/vr, solved for the luma term L = yg·(Y − yo).
  const [wb, wr] = [ug / ub, vg / vr];
  const luma = (r: number, g: number, b: number) => (g + wb * b + wr * r) / (1 + wb + wr);
  const clamp = (x: number) => (x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x));
  const src = data.subarray(plane.offset);
  const stride = plane.stride;
  for (let r = 0; r < h; r++) {
    for (let c = 0, p = r * stride; c < w; c++, p += 4) {
      Y[r * w + c] = clamp(yo + luma(src[p + ro], src[p + go], src[p + bo]) / yg);
    }
  }
  const cw = Math.ceil(w / 2);
  for (let r = 0; r < h; r += 2) {
    const r2 = Math.min(r + 1, h - 1);
    for (let c = 0; c < w; c += 2) {
      const c2 = Math.min(c + 1, w - 1);
      const px = [
        r * stride + 4 * c,
        r * stride + 4 * c2,
        r2 * stride + 4 * c,
        r2 * stride + 4 * c2,
      ];
      let R = 0;
      let G = 0;
      let B = 0;
      for (const p of px) {
        R += src[p + ro];
        G += src[p + go];
        B += src[p + bo];
      }
      [R, G, B] = [R / 4, G / 4, B / 4];
      const L = luma(R, G, B);
      const i = (r >> 1) * cw + (c >> 1);
      U[i] = clamp(128 + (B - L) / ub);
      V[i] = clamp(128 + (R - L) / vr);
    }
  }
}
