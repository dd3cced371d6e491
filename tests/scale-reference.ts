// The WebCodecs path's previous scaler (`src/lib/ingest/scale.ts` up to c20efa9): swscale's
// bicubic as a float64 horizontal pass over every source row, then the vertical pass, all in plain
// JS. The new scaler must compute the same sums, to float32's precision
// (tests/unit/ingest-scale.test.ts), and the bench (`npm run bench scale`) times both on the same
// pictures.
import {
  axisFilter,
  coverSize,
  planesToRgb,
  YuvToRgb,
  type AxisFilter,
  type ScaleTarget,
  type YuvPicture,
} from '../src/lib/ingest/scale';

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

/** The previous `FrameScaler`: filters built once, every plane scaled in float64 on each call. */
export class ReferenceScaler {
  readonly #fx: [AxisFilter, AxisFilter];
  readonly #fy: [AxisFilter, AxisFilter];
  readonly #scaled: [number, number];

  constructor(
    srcW: number,
    srcH: number,
    readonly target: ScaleTarget,
  ) {
    this.#scaled =
      target.fit === 'crop'
        ? coverSize(srcW, srcH, target.width, target.height)
        : [target.width, target.height];
    const [sw, sh] = this.#scaled;
    const cw = Math.ceil(srcW / 2);
    const ch = Math.ceil(srcH / 2);
    this.#fx = [axisFilter(srcW, sw), axisFilter(cw, Math.ceil(sw / 2))];
    this.#fy = [axisFilter(srcH, sh), axisFilter(ch, sh)];
  }

  scale(p: YuvPicture): Uint8Array {
    const [sw, sh] = this.#scaled;
    const cwOut = Math.ceil(sw / 2);
    const cw = Math.ceil(p.width / 2);
    const ch = Math.ceil(p.height / 2);
    const [fxY, fxC] = this.#fx;
    const [fyY, fyC] = this.#fy;
    const Y = scalePlane(p.y, 0, 1, p.yStride, p.width, p.height, fxY, fyY, sw, sh);
    const U = scalePlane(p.u, 0, p.uvStep, p.uStride, cw, ch, fxC, fyC, cwOut, sh);
    const V =
      p.uvStep === 2
        ? scalePlane(p.u, 1, 2, p.uStride, cw, ch, fxC, fyC, cwOut, sh)
        : scalePlane(p.v, 0, 1, p.vStride, cw, ch, fxC, fyC, cwOut, sh);
    return planesToRgb([Y, U, V], sw, sh, this.target, new YuvToRgb(p.matrix, p.fullRange));
  }
}

/**
 * A noise picture (every tap matters), NV12 or I420, in `into` if given; rows padded (odd strides)
 * unless `tight` (as `copyTo` lays out a 1080p picture).
 */
export function noisePicture(
  w: number,
  h: number,
  nv12: boolean,
  seed: number,
  into?: (bytes: number) => Uint8Array,
  tight = false,
): YuvPicture {
  const yStride = w + (tight ? 0 : 13);
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  const cStride = (nv12 ? 2 * cw : cw) + (tight ? 0 : 7);
  const bytes = yStride * h + cStride * ch * (nv12 ? 1 : 2);
  const buf = into ? into(bytes) : new Uint8Array(bytes);
  let s = seed;
  for (let i = 0; i < bytes; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    buf[i] = s >>> 24;
  }
  const u = buf.subarray(yStride * h);
  return {
    width: w,
    height: h,
    y: buf,
    u,
    v: nv12 ? u : u.subarray(cStride * ch),
    yStride,
    uStride: cStride,
    vStride: cStride,
    uvStep: nv12 ? 2 : 1,
    matrix: seed % 2 ? 'bt709' : 'bt601',
    fullRange: seed % 3 === 0,
  };
}
