/**
 * The real-input FFT every STFT frame goes through (`RealFFT`: one complex FFT of half the size),
 * with its WebAssembly path: frames gathered, transformed and finished by the kernels in
 * wat/fft.wat and wat/real-fft.wat, on a signal staged once in the kernels' memory
 * (`stageSignal`).
 */
import { fftOf, type FFT } from './fft';
import { wasmKernels, wasmModule, type WasmKernels } from './wasm';

/** A signal (and window) copied into the kernels' memory for `RealFFT.forward`'s frames. */
let staged: { y: Float64Array; window: Float64Array | null; yAt: number; winAt: number } | null =
  null;
let stageRegion: { at: number; bytes: number } | null = null;

/**
 * Copies y and the window into the kernels' memory: until `unstageSignal`, `RealFFT.forward`
 * frames of this very y (and window) that lie inside it are gathered there by the kernel. The
 * caller must not change y or the window meanwhile. Returns false where there are no kernels.
 */
export function stageSignal(y: Float64Array, window: Float64Array | null): boolean {
  const wasm = wasmKernels();
  if (!wasm) return false;
  const bytes = 8 * (y.length + (window?.length ?? 0)) + 16;
  if (!stageRegion || stageRegion.bytes < bytes) stageRegion = { at: wasm.alloc(bytes), bytes };
  const yAt = stageRegion.at;
  const winAt = yAt + 8 * y.length;
  wasm.f64(yAt, y.length).set(y);
  if (window) wasm.f64(winAt, window.length).set(window);
  staged = { y, window, yAt, winAt };
  return true;
}

export function unstageSignal(): void {
  staged = null;
}

/**
 * Real-input FFT of size n through one complex FFT of size n/2 (even samples real, odd samples
 * imaginary). Unlike packing two frames together, an all-zero frame stays exactly zero, which
 * librosa's per-frame normalisations rely on.
 */
export class RealFFT {
  readonly n: number;
  private readonly half: FFT;
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  private zr: Float64Array;
  private zi: Float64Array;
  /** The rectangular window: multiplying by 1 changes nothing. */
  private readonly ones: Float64Array;
  /** Byte offsets of zr, zi and the half transform's twiddles in the wasm kernels' memory. */
  private readonly at: {
    zr: number;
    zi: number;
    twr: number;
    twi: number;
    rev: number;
    wr: number;
    wi: number;
    ones: number;
    outRe: number;
    outIm: number;
  } | null = null;
  /** Views of outRe / outIm above. */
  private outRe: Float64Array = new Float64Array(0);
  private outIm: Float64Array = new Float64Array(0);

  constructor(n: number) {
    this.n = n;
    this.half = fftOf(n / 2);
    this.wr = new Float64Array(n / 2 + 1);
    this.wi = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) {
      this.wr[k] = Math.cos((2 * Math.PI * k) / n);
      this.wi[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    this.ones = new Float64Array(n).fill(1);
    const h = n / 2;
    const wasm = wasmModule();
    if (wasm && h >= 4) {
      // the work buffers live in the kernels' memory, used by either path
      this.at = {
        zr: wasm.alloc(8 * h),
        zi: wasm.alloc(8 * h),
        twr: wasm.alloc(8 * h),
        twi: wasm.alloc(8 * h),
        rev: wasm.alloc(4 * h),
        wr: wasm.alloc(8 * (h + 1)),
        wi: wasm.alloc(8 * (h + 1)),
        ones: wasm.alloc(8 * n),
        outRe: wasm.alloc(8 * (h + 1)),
        outIm: wasm.alloc(8 * (h + 1)),
      };
      const at = this.at;
      wasm.f64(at.twr, h).set(this.half.twr);
      wasm.f64(at.twi, h).set(this.half.twi);
      new Uint32Array(wasm.memory.buffer, at.rev, h).set(this.half.rev);
      wasm.f64(at.wr, h + 1).set(this.wr);
      wasm.f64(at.wi, h + 1).set(this.wi);
      wasm.f64(at.ones, n).set(this.ones);
      this.zr = wasm.f64(at.zr, h);
      this.zi = wasm.f64(at.zi, h);
      this.outRe = wasm.f64(at.outRe, h + 1);
      this.outIm = wasm.f64(at.outIm, h + 1);
    } else {
      this.zr = new Float64Array(h);
      this.zi = new Float64Array(h);
    }
  }

  /** The half transform's passes on zr/zi: the wasm kernel where there is one. */
  private butterflies(inverse: boolean, firstDone: boolean): void {
    const k = this.at ? wasmKernels() : null;
    if (!k || !this.at) {
      this.half.butterflies(this.zr, this.zi, inverse, firstDone);
      return;
    }
    let q = 1;
    if (firstDone) q = this.half.oddStages ? 2 : 4;
    else if (this.half.oddStages) {
      this.half.radix2(this.zr, this.zi);
      q = 2;
    }
    k.fft(this.at.zr, this.at.zi, this.n / 2, this.at.twr, this.at.twi, q, inverse ? -1 : 1);
  }

  /** Views again after the kernels' memory grew (which detaches the old ones). */
  private views(): void {
    const wasm = wasmModule();
    if (this.at && wasm && this.zr.length === 0) {
      const h = this.n / 2;
      this.zr = wasm.f64(this.at.zr, h);
      this.zi = wasm.f64(this.at.zi, h);
      this.outRe = wasm.f64(this.at.outRe, h + 1);
      this.outIm = wasm.f64(this.at.outIm, h + 1);
    }
  }

  /**
   * X[from..to] (by default X[0..n/2]) of the n real samples y[start..start+n), zero outside y
   * and multiplied by `window` when given, written at `at + k`.
   */
  forward(
    y: Float64Array,
    start: number,
    window: Float64Array | null,
    outRe: Float64Array,
    outIm: Float64Array,
    at = 0,
    from = 0,
    to = this.n / 2,
  ): void {
    this.views();
    const inside = start >= 0 && start + this.n <= y.length;
    const k = this.at ? wasmKernels() : null;
    const st = staged;
    if (k && this.at && inside && st && st.y === y && st.window === window) {
      this.forwardWasm(k, this.at, st.yAt + 8 * start, window ? st.winAt : this.at.ones);
      this.finishWasm(k, this.at, outRe, outIm, at, from, to);
      return;
    }
    if (inside) {
      this.gatherFirstPass(y, start, window ?? this.ones);
      this.butterflies(false, true);
    } else {
      this.gatherPadded(y, start, window);
      this.butterflies(false, false);
    }
    this.finish(outRe, outIm, at, from, to);
  }

  /**
   * The windowed frame's even samples to the real, odd ones to the imaginary parts, in
   * bit-reversed order, with the half transform's first pass done on the way (the same sums as
   * `butterflies` would do): samples j, j + h/2 go to rev[j], rev[j] + 1 (radix-2), and for an
   * even number of stages j, j + h/2, j + h/4, j + 3h/4 to rev[j] … rev[j] + 3 (radix-4).
   */
  private gatherFirstPass(y: Float64Array, start: number, window: Float64Array): void {
    const { zr, zi } = this;
    const rev = this.half.rev;
    const h = this.n / 2;
    if (this.half.oddStages) {
      for (let j = 0; j < h / 2; j++) {
        const r = rev[j];
        const u = 2 * j;
        const v = u + h;
        const ar = y[start + u] * window[u];
        const ai = y[start + u + 1] * window[u + 1];
        const br = y[start + v] * window[v];
        const bi = y[start + v + 1] * window[v + 1];
        zr[r] = ar + br;
        zi[r] = ai + bi;
        zr[r + 1] = ar - br;
        zi[r + 1] = ai - bi;
      }
      return;
    }
    const hq = h / 2; // samples j + h/4 sit h/2 reals further on
    for (let j = 0; j < h / 4; j++) {
      const r = rev[j];
      const u0 = 2 * j;
      const u1 = u0 + h; // sample j + h/2
      const u2 = u0 + hq; // sample j + h/4
      const u3 = u1 + hq; // sample j + 3h/4
      const x0r = y[start + u0] * window[u0];
      const x0i = y[start + u0 + 1] * window[u0 + 1];
      const x1r = y[start + u1] * window[u1];
      const x1i = y[start + u1 + 1] * window[u1 + 1];
      const x2r = y[start + u2] * window[u2];
      const x2i = y[start + u2 + 1] * window[u2 + 1];
      const x3r = y[start + u3] * window[u3];
      const x3i = y[start + u3 + 1] * window[u3 + 1];
      const a1r = x0r + x1r;
      const a1i = x0i + x1i;
      const b1r = x0r - x1r;
      const b1i = x0i - x1i;
      const c1r = x2r + x3r;
      const c1i = x2i + x3i;
      const d1r = x2r - x3r;
      const d1i = x2i - x3i;
      zr[r] = a1r + c1r;
      zi[r] = a1i + c1i;
      zr[r + 2] = a1r - c1r;
      zi[r + 2] = a1i - c1i;
      zr[r + 1] = b1r + d1i;
      zi[r + 1] = b1i - d1r;
      zr[r + 3] = b1r - d1i;
      zi[r + 3] = b1i + d1r;
    }
  }

  /**
   * With the kernels: X[from..to] (1 ≤ from ≤ to < n/2) of the frame as `forward` computes it,
   * left in the kernels' memory at byte offsets re + 8k, im + 8k. Returns false (doing nothing)
   * without kernels or for other bin ranges.
   */
  forwardInPlace(
    y: Float64Array,
    start: number,
    window: Float64Array | null,
    from: number,
    to: number,
    re: number,
    im: number,
  ): boolean {
    const k = this.at ? wasmKernels() : null;
    const w = this.at;
    const h = this.n / 2;
    if (!k || !w || from < 1 || to > h - 1 || from > to) return false;
    this.views();
    const st = staged;
    if (start >= 0 && start + this.n <= y.length) {
      if (st && st.y === y && st.window === window) {
        this.forwardWasm(k, w, st.yAt + 8 * start, window ? st.winAt : w.ones);
      } else {
        this.gatherFirstPass(y, start, window ?? this.ones);
        this.butterflies(false, true);
      }
    } else {
      this.gatherPadded(y, start, window);
      this.butterflies(false, false);
    }
    k.finish(w.zr, w.zi, w.wr, w.wi, re, im, h, from, to);
    return true;
  }

  /** gatherFirstPass and the remaining passes in the kernels, y and window at byte offsets. */
  private forwardWasm(k: WasmKernels, at: NonNullable<RealFFT['at']>, y: number, window: number) {
    const h = this.n / 2;
    const odd = this.half.oddStages;
    k.gather(y, window, at.zr, at.zi, at.rev, h, odd ? 1 : 0);
    k.fft(at.zr, at.zi, h, at.twr, at.twi, odd ? 2 : 4, 1);
  }

  /** `finish` with the bins 1 … h − 1 done by the kernel and copied out. */
  private finishWasm(
    k: WasmKernels,
    wat: NonNullable<RealFFT['at']>,
    outRe: Float64Array,
    outIm: Float64Array,
    at: number,
    from: number,
    to: number,
  ): void {
    const h = this.n / 2;
    this.edgeBins(outRe, outIm, at, from, to);
    const lo = Math.max(from, 1);
    const end = Math.min(to, h - 1);
    if (lo > end) return;
    k.finish(wat.zr, wat.zi, wat.wr, wat.wi, wat.outRe, wat.outIm, h, lo, end);
    outRe.set(this.outRe.subarray(lo, end + 1), at + lo);
    outIm.set(this.outIm.subarray(lo, end + 1), at + lo);
  }

  /** The plain gather (no first pass) for a frame running past either end of y: zero there. */
  private gatherPadded(y: Float64Array, start: number, window: Float64Array | null): void {
    const { zr, zi } = this;
    const rev = this.half.rev;
    const h = this.n / 2;
    const len = y.length;
    for (let j = 0; j < h; j++) {
      const r = rev[j];
      const i = start + 2 * j;
      const a = i >= 0 && i < len ? y[i] : 0;
      const b = i + 1 >= 0 && i + 1 < len ? y[i + 1] : 0;
      zr[r] = window ? a * window[2 * j] : a;
      zi[r] = window ? b * window[2 * j + 1] : b;
    }
  }

  /** X[0] and X[h] where from..to includes them: real, from the half-size transform's first bin. */
  private edgeBins(outRe: Float64Array, outIm: Float64Array, at: number, from: number, to: number) {
    const h = this.n / 2;
    const { zr, zi } = this;
    if (from === 0) {
      outRe[at] = zr[0] + zi[0];
      outIm[at] = 0;
    }
    if (to === h) {
      outRe[at + h] = zr[0] - zi[0];
      outIm[at + h] = 0;
    }
  }

  /** X[from..to] from the half-size transform of the even/odd split. */
  private finish(outRe: Float64Array, outIm: Float64Array, at: number, from: number, to: number) {
    const h = this.n / 2;
    const { zr, zi, wr, wi } = this;
    this.edgeBins(outRe, outIm, at, from, to);
    const end = Math.min(to, h - 1);
    for (let k = Math.max(from, 1); k <= end; k++) {
      const b = h - k;
      const er = 0.5 * (zr[k] + zr[b]);
      const ei = 0.5 * (zi[k] - zi[b]);
      const or = 0.5 * (zi[k] + zi[b]);
      const oi = -0.5 * (zr[k] - zr[b]);
      outRe[at + k] = er + wr[k] * or - wi[k] * oi;
      outIm[at + k] = ei + wr[k] * oi + wi[k] * or;
    }
  }

  /**
   * With the kernels: acc[j] += irfft(X)[j] · window[j] for j < n (X = re/im[at..at + n/2], the
   * window and acc at byte offsets in the kernels' memory): `inverse` and the inverse STFT's
   * overlap-add in the same operations. Returns false (doing nothing) without kernels.
   */
  inverseAdd(
    inRe: Float64Array,
    inIm: Float64Array,
    at: number,
    window: number,
    acc: number,
  ): boolean {
    const k = this.at ? wasmKernels() : null;
    const w = this.at;
    if (!k || !w) return false;
    this.views();
    const h = this.n / 2;
    this.outRe.set(inRe.subarray(at, at + h + 1));
    this.outIm.set(inIm.subarray(at, at + h + 1));
    // k = 0 as in `inverse` (the imaginary parts of DC and Nyquist ignored)
    const ar = inRe[at];
    const br = inRe[at + h];
    const er = 0.5 * (ar + br);
    const ei = 0.5 * (0 + 0);
    const dr = 0.5 * (ar - br);
    const di = 0.5 * (0 - 0);
    const or = dr * this.wr[0] + di * this.wi[0];
    const oi = di * this.wr[0] - dr * this.wi[0];
    this.zr[this.half.rev[0]] = er - oi;
    this.zi[this.half.rev[0]] = ei + or;
    k.unfinish(w.outRe, w.outIm, w.wr, w.wi, w.zr, w.zi, w.rev, h);
    this.butterflies(true, false);
    k.ola(w.zr, w.zi, window, acc, h, 2 / this.n);
    return true;
  }

  /** numpy.fft.irfft of X[0..n/2] (imaginary parts of DC and Nyquist ignored), scaled by 1/n. */
  inverse(inRe: Float64Array, inIm: Float64Array, out: Float64Array, at = 0): void {
    this.views();
    const h = this.n / 2;
    const { zr, zi, wr, wi } = this;
    const rev = this.half.rev;
    for (let k = 0; k < h; k++) {
      const ar = inRe[at + k];
      const ai = k === 0 ? 0 : inIm[at + k];
      const br = inRe[at + h - k];
      const bi = k === 0 ? 0 : -inIm[at + h - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      // odd part: (X[k] - conj X[h-k]) · W^{-k} / 2
      const dr = 0.5 * (ar - br);
      const di = 0.5 * (ai - bi);
      const or = dr * wr[k] + di * wi[k];
      const oi = di * wr[k] - dr * wi[k];
      zr[rev[k]] = er - oi;
      zi[rev[k]] = ei + or;
    }
    this.butterflies(true, false);
    const s = 2 / this.n;
    for (let j = 0; j < h; j++) {
      out[2 * j] = zr[j] * s;
      out[2 * j + 1] = zi[j] * s;
    }
  }
}

const realCache = new Map<number, RealFFT>();

export function realFftOf(n: number): RealFFT {
  let f = realCache.get(n);
  if (!f) {
    f = new RealFFT(n);
    realCache.set(n, f);
  }
  return f;
}
