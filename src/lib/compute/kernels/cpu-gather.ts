/**
 * The gathers of the CPU convolutions' wasm lowerings (cpu-conv3d.ts), written for speed: one row
 * per voxel, the voxel's coordinates advanced like an odometer (no division per voxel), and, for
 * each (depth, height) tap pair, the taps along the width copied as one contiguous run of the
 * source wherever the width has stride and dilation 1 (the paper's every convolution): for
 * 3 × 3 × 3 filters 9 copies of 3·C floats per voxel instead of 27 of C, long runs through
 * `TypedArray.set` (memcpy), short ones through a plain loop. In a Node profile of a batch-4
 * training step the element-by-element gathers they replace ran at ~8 ns per float on the loaded
 * 2-core machine, 2–3× a plain copy, and took a third of the step.
 */
import type { ConvGeometry } from './geometry';

/** Below this many floats a loop beats `set(subarray())`, whose view costs an allocation. */
const SET_MIN = 64;

function copy(dst: Float32Array, d: number, src: Float32Array, s: number, n: number): void {
  if (n >= SET_MIN) dst.set(src.subarray(s, s + n), d);
  else for (let j = 0; j < n; j++) dst[d + j] = src[s + j];
}

function zero(dst: Float32Array, d: number, n: number): void {
  if (n >= SET_MIN) dst.fill(0, d, d + n);
  else for (let j = 0; j < n; j++) dst[d + j] = 0;
}

/** A voxel index split into (batch, depth, height, width) for a D × H × W volume. */
class Odometer {
  b: number;
  d: number;
  h: number;
  w: number;
  constructor(
    m: number,
    readonly D: number,
    readonly H: number,
    readonly W: number,
  ) {
    this.w = m % W;
    this.h = Math.floor(m / W) % H;
    this.d = Math.floor(m / (W * H)) % D;
    this.b = Math.floor(m / (W * H * D));
  }
  next(): void {
    if (++this.w < this.W) return;
    this.w = 0;
    if (++this.h < this.H) return;
    this.h = 0;
    if (++this.d < this.D) return;
    this.d = 0;
    this.b++;
  }
}

/**
 * For output voxels m0 … m0+rows−1, the input values each filter tap sees, one row per voxel:
 * `col[(m − m0)·K + tap·inC + c]` with K = taps·inC, zero where the tap falls into padding.
 */
export function vol2colRows(
  x: Float32Array,
  g: ConvGeometry,
  m0: number,
  rows: number,
  col: Float32Array,
): void {
  const { inD, inH, inW, inC, fD, fH, fW, sD, sH, sW, dD, dH, dW, pD, pH, pW } = g;
  const run = fW * inC;
  const v = new Odometer(m0, g.outD, g.outH, g.outW);
  let dst = 0;
  for (let r = 0; r < rows; r++, v.next()) {
    const d0 = v.d * sD - pD;
    const h0 = v.h * sH - pH;
    const w0 = v.w * sW - pW;
    // the taps along the width that fall inside the input, when they are contiguous there
    const lo = Math.max(0, -w0);
    const hi = Math.min(fW, inW - w0);
    for (let kd = 0; kd < fD; kd++) {
      const id = d0 + kd * dD;
      if (id < 0 || id >= inD) {
        zero(col, dst, fH * run);
        dst += fH * run;
        continue;
      }
      for (let kh = 0; kh < fH; kh++, dst += run) {
        const ih = h0 + kh * dH;
        if (ih < 0 || ih >= inH) {
          zero(col, dst, run);
          continue;
        }
        const line = ((v.b * inD + id) * inH + ih) * inW;
        if (dW === 1) {
          if (hi <= lo) {
            zero(col, dst, run);
            continue;
          }
          zero(col, dst, lo * inC);
          copy(col, dst + lo * inC, x, (line + w0 + lo) * inC, (hi - lo) * inC);
          zero(col, dst + hi * inC, (fW - hi) * inC);
        } else {
          for (let kw = 0; kw < fW; kw++) {
            const iw = w0 + kw * dW;
            if (iw < 0 || iw >= inW) zero(col, dst + kw * inC, inC);
            else copy(col, dst + kw * inC, x, (line + iw) * inC, inC);
          }
        }
      }
    }
  }
}

/**
 * The width taps in reverse, as `dy2colRows` orders them: tap (kd, kh, kw) ↦ (kd, kh, fW−1−kw).
 * An involution, so it maps back too.
 */
export function flipTap(t: number, fW: number): number {
  const kw = t % fW;
  return t - kw + (fW - 1 - kw);
}

/**
 * The input gradient's column matrix, one row per input voxel m0 … m0+rows−1: for each tap, the
 * output gradient at the output voxel the tap maps the input voxel to (zero where none does, e.g.
 * between strides), at `col[(m − m0)·K + flipTap(tap)·outC + c]`, K = taps·outC. The width taps
 * are reversed so that, at stride and dilation 1, they read one contiguous run of `dy`.
 */
export function dy2colRows(
  dy: Float32Array,
  g: ConvGeometry,
  m0: number,
  rows: number,
  col: Float32Array,
): void {
  const { outD, outH, outW, outC, fD, fH, fW, sD, sH, sW, dD, dH, dW, pD, pH, pW } = g;
  const run = fW * outC;
  const v = new Odometer(m0, g.inD, g.inH, g.inW);
  const contiguous = sW === 1 && dW === 1;
  let dst = 0;
  for (let r = 0; r < rows; r++, v.next()) {
    // output width of the last width tap, the first in the reversed order
    const w0 = v.w + pW - (fW - 1) * dW;
    const lo = Math.max(0, -w0);
    const hi = Math.min(fW, outW - w0);
    for (let kd = 0; kd < fD; kd++) {
      const nd = v.d + pD - kd * dD;
      const od = (nd / sD) | 0;
      if (nd < 0 || od * sD !== nd || od >= outD) {
        zero(col, dst, fH * run);
        dst += fH * run;
        continue;
      }
      for (let kh = 0; kh < fH; kh++, dst += run) {
        const nh = v.h + pH - kh * dH;
        const oh = (nh / sH) | 0;
        if (nh < 0 || oh * sH !== nh || oh >= outH) {
          zero(col, dst, run);
          continue;
        }
        const line = ((v.b * outD + od) * outH + oh) * outW;
        if (contiguous) {
          if (hi <= lo) {
            zero(col, dst, run);
            continue;
          }
          zero(col, dst, lo * outC);
          copy(col, dst + lo * outC, dy, (line + w0 + lo) * outC, (hi - lo) * outC);
          zero(col, dst + hi * outC, (fW - hi) * outC);
        } else {
          for (let j = 0; j < fW; j++) {
            const nw = v.w + pW - (fW - 1 - j) * dW;
            const ow = (nw / sW) | 0;
            if (nw < 0 || ow * sW !== nw || ow >= outW) zero(col, dst + j * outC, outC);
            else copy(col, dst + j * outC, dy, (line + ow) * outC, outC);
          }
        }
      }
    }
  }
}

/**
 * For input voxels m0 … m0+rows−1 (row r of `z` holds voxel m0 + r: one block of `ch` values per
 * tap, in tap order), adds each tap's block to the output voxel whose receptive field reads the
 * input voxel through that tap: `y[m_out·ch + k] += z[r·taps·ch + tap·ch + k]`. Taps that map to
 * no output voxel (between strides, past the edges) add nothing.
 */
export function scatterToOutput(
  z: Float32Array,
  g: ConvGeometry,
  m0: number,
  rows: number,
  ch: number,
  y: Float32Array,
): void {
  const { outD, outH, outW, fD, fH, fW, sD, sH, sW, dD, dH, dW, pD, pH, pW } = g;
  const NZ = fD * fH * fW * ch;
  const v = new Odometer(m0, g.inD, g.inH, g.inW);
  for (let r = 0; r < rows; r++, v.next()) {
    let t = r * NZ;
    for (let kd = 0; kd < fD; kd++) {
      const nd = v.d + pD - kd * dD;
      const od = (nd / sD) | 0;
      if (nd < 0 || od * sD !== nd || od >= outD) {
        t += fH * fW * ch;
        continue;
      }
      for (let kh = 0; kh < fH; kh++) {
        const nh = v.h + pH - kh * dH;
        const oh = (nh / sH) | 0;
        if (nh < 0 || oh * sH !== nh || oh >= outH) {
          t += fW * ch;
          continue;
        }
        const line = ((v.b * outD + od) * outH + oh) * outW;
        for (let kw = 0; kw < fW; kw++, t += ch) {
          const nw = v.w + pW - kw * dW;
          const ow = (nw / sW) | 0;
          if (nw < 0 || ow * sW !== nw || ow >= outW) continue;
          const o = (line + ow) * ch;
          for (let k = 0; k < ch; k++) y[o + k] += z[t + k];
        }
      }
    }
  }
}

/**
 * The row-major gathers transposed: `colT[k·rows + (m − m0)]`, one row of colT per (tap, channel).
 * The voxels are walked a width line at a time (the voxels along one line see, through one tap,
 * the source along one width line: `src[(line + p)·C + c]` at p = first + i·step), and for each
 * line every (tap, channel) row receives one run: the reads stay in the few source lines the
 * voxel line sees (L1), the writes are runs of a line's length. Writing a row-major gather out
 * transposed instead ran at a third of this speed, and walking the whole slab once per (tap,
 * channel) at half of it (each read a new cache line from L2).
 */
function gatherT(
  src: Float32Array,
  g: ConvGeometry,
  m0: number,
  rows: number,
  colT: Float32Array,
  output: boolean,
): void {
  // output: the filter gradient by taps (dy2colRows's layout, from dy); else vol2colRows's (from x)
  const [vD, vH, vW] = output ? [g.inD, g.inH, g.inW] : [g.outD, g.outH, g.outW];
  const [sD, sH, sW] = output ? [g.outD, g.outH, g.outW] : [g.inD, g.inH, g.inW];
  const C = output ? g.outC : g.inC;
  const { fD, fH, fW } = g;
  const v = new Odometer(m0, vD, vH, vW);
  let r = 0;
  while (r < rows) {
    const n = Math.min(vW - v.w, rows - r);
    let dst = r;
    for (let kd = 0; kd < fD; kd++) {
      for (let kh = 0; kh < fH; kh++) {
        for (let j = 0; j < fW; j++) {
          // dy2colRows lists the width taps reversed
          const kw = output ? fW - 1 - j : j;
          // the source line this voxel line reads through the tap (sd, sh), and positions on it
          let sd: number;
          let sh: number;
          let first: number;
          let step: number;
          let div: number;
          if (output) {
            const nd = v.d + g.pD - kd * g.dD;
            const nh = v.h + g.pH - kh * g.dH;
            sd = nd % g.sD === 0 ? nd / g.sD : -1;
            sh = nh % g.sH === 0 ? nh / g.sH : -1;
            first = v.w + g.pW - kw * g.dW;
            step = 1;
            div = g.sW;
          } else {
            sd = v.d * g.sD - g.pD + kd * g.dD;
            sh = v.h * g.sH - g.pH + kh * g.dH;
            first = v.w * g.sW - g.pW + kw * g.dW;
            step = g.sW;
            div = 1;
          }
          if (sd < 0 || sd >= sD || sh < 0 || sh >= sH) {
            for (let c = 0; c < C; c++, dst += rows) zero(colT, dst, n);
            continue;
          }
          const line = ((v.b * sD + sd) * sH + sh) * sW;
          if (div === 1) {
            // positions first + i·step inside [0, sW) for i in [lo, hi)
            const lo = first >= 0 ? 0 : Math.min(n, Math.ceil(-first / step));
            const hi = Math.max(lo, Math.min(n, Math.ceil((sW - first) / step)));
            const stride = step * C;
            const at0 = (line + first + lo * step) * C;
            for (let c = 0; c < C; c++, dst += rows) {
              zero(colT, dst, lo);
              let at = at0 + c;
              for (let i = lo; i < hi; i++, at += stride) colT[dst + i] = src[at];
              zero(colT, dst + hi, n - hi);
            }
          } else {
            for (let c = 0; c < C; c++, dst += rows) {
              for (let i = 0; i < n; i++) {
                const p = first + i;
                const q = (p / div) | 0;
                colT[dst + i] = p >= 0 && q * div === p && q < sW ? src[(line + q) * C + c] : 0;
              }
            }
          }
        }
      }
    }
    r += n;
    v.w += n - 1;
    v.next();
  }
}

/** vol2colRows's matrix transposed: `colT[(tap·inC + c)·rows + (m − m0)]`. */
export function vol2colT(
  x: Float32Array,
  g: ConvGeometry,
  m0: number,
  rows: number,
  colT: Float32Array,
): void {
  gatherT(x, g, m0, rows, colT, false);
}

/** dy2colRows's matrix transposed: `colT[(flipTap(tap)·outC + c)·rows + (m − m0)]`. */
export function dy2colT(
  dy: Float32Array,
  g: ConvGeometry,
  m0: number,
  rows: number,
  colT: Float32Array,
): void {
  gatherT(dy, g, m0, rows, colT, true);
}
