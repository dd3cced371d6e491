/**
 * A radix-2 complex FFT in float64 with cached twiddles: the one transform every librosa
 * feature below is built on (STFT, inverse STFT, the CQT's filter spectra and responses).
 */

export class FFT {
  readonly n: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;

  constructor(n: number) {
    if (n < 2 || (n & (n - 1)) !== 0) throw new Error(`FFT size must be a power of two, got ${n}.`);
    this.n = n;
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = Math.sin((2 * Math.PI * i) / n);
    }
    this.rev = new Uint32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /** In place, X[k] = Σ x[j] e^{-2πi jk/n} (or e^{+…} when `inverse`, unscaled). */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const { n, rev, cos, sin } = this;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        const tr = re[i];
        re[i] = re[j];
        re[j] = tr;
        const ti = im[i];
        im[i] = im[j];
        im[j] = ti;
      }
    }
    const sign = inverse ? 1 : -1;
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step];
          const wi = sign * sin[k * step];
          const a = start + k;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

const cache = new Map<number, FFT>();

export function fftOf(n: number): FFT {
  let f = cache.get(n);
  if (!f) {
    f = new FFT(n);
    cache.set(n, f);
  }
  return f;
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
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.half = fftOf(n / 2);
    this.wr = new Float64Array(n / 2 + 1);
    this.wi = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) {
      this.wr[k] = Math.cos((2 * Math.PI * k) / n);
      this.wi[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    this.zr = new Float64Array(n / 2);
    this.zi = new Float64Array(n / 2);
  }

  /** X[0..n/2] of real x[0..n). */
  forward(x: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array, at = 0): void {
    const h = this.n / 2;
    const { zr, zi, wr, wi } = this;
    for (let j = 0; j < h; j++) {
      zr[j] = x[2 * j];
      zi[j] = x[2 * j + 1];
    }
    this.half.transform(zr, zi);
    for (let k = 0; k <= h; k++) {
      const a = k % h;
      const b = (h - k) % h;
      const er = 0.5 * (zr[a] + zr[b]);
      const ei = 0.5 * (zi[a] - zi[b]);
      const or = 0.5 * (zi[a] + zi[b]);
      const oi = -0.5 * (zr[a] - zr[b]);
      outRe[at + k] = er + wr[k] * or - wi[k] * oi;
      outIm[at + k] = ei + wr[k] * oi + wi[k] * or;
    }
  }

  /** numpy.fft.irfft of X[0..n/2] (imaginary parts of DC and Nyquist ignored), scaled by 1/n. */
  inverse(inRe: ArrayLike<number>, inIm: ArrayLike<number>, out: Float64Array, at = 0): void {
    const h = this.n / 2;
    const { zr, zi, wr, wi } = this;
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
      zr[k] = er - oi;
      zi[k] = ei + or;
    }
    this.half.transform(zr, zi, true);
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
