/**
 * A complex FFT in float64 with cached twiddles (bit reversal, then radix-2 stages fused in pairs
 * so that each pass over the data does two of them): the one transform every librosa feature is
 * built on (STFT, inverse STFT, the CQT's filter spectra and responses). Real signals go through
 * `RealFFT` (real-fft.ts), which runs this at half size.
 */

export class FFT {
  readonly n: number;
  /** Twiddles W_m^k = e^{-2πik/m} (k < m/2) at m/2 + k. */
  readonly twr: Float64Array;
  readonly twi: Float64Array;
  /** Bit reversal of each index: where `butterflies` expects input sample j. */
  readonly rev: Uint32Array;
  /** log2(n) is odd: one plain radix-2 stage runs before the fused pairs. */
  readonly oddStages: boolean;

  constructor(n: number) {
    if (n < 2 || (n & (n - 1)) !== 0) throw new Error(`FFT size must be a power of two, got ${n}.`);
    this.n = n;
    // W_m^k = e^{-2πik/m} for k < m/2 at m/2 + k, for every m = 2, 4, …, n
    this.twr = new Float64Array(n);
    this.twi = new Float64Array(n);
    for (let h = 1; h < n; h <<= 1) {
      for (let k = 0; k < h; k++) {
        this.twr[h + k] = Math.cos((Math.PI * k) / h);
        this.twi[h + k] = -Math.sin((Math.PI * k) / h);
      }
    }
    this.rev = new Uint32Array(n);
    const bits = Math.log2(n);
    this.oddStages = bits % 2 === 1;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /** In place, X[k] = Σ x[j] e^{-2πi jk/n} (or e^{+…} when `inverse`, unscaled). */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const { n, rev } = this;
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
    this.butterflies(re, im, inverse);
  }

  /** The plain radix-2 first stage (log2(n) odd), in place. */
  radix2(re: Float64Array, im: Float64Array): void {
    for (let a = 0; a < this.n; a += 2) {
      const br = re[a + 1];
      const bi = im[a + 1];
      re[a + 1] = re[a] - br;
      im[a + 1] = im[a] - bi;
      re[a] += br;
      im[a] += bi;
    }
  }

  /**
   * `transform` of input already in bit-reversed order (sample j at rev[j]); `firstDone`: the
   * first pass (the radix-2 stage when log2(n) is odd, else the first twiddle-free radix-4 pass)
   * was done while gathering, as `RealFFT.forward` does.
   */
  butterflies(re: Float64Array, im: Float64Array, inverse = false, firstDone = false): void {
    const { n, twr, twi } = this;
    const s = inverse ? -1 : 1;
    let q = 1;
    if (firstDone) q = this.oddStages ? 2 : 4;
    else if (this.oddStages) {
      this.radix2(re, im);
      q = 2;
    }
    for (; q < n; q <<= 2) {
      const size = q << 2;
      // k = 0: both twiddles are 1 (the same sums as multiplying by them, fewer operations)
      for (let a = 0; a < n; a += size) {
        const b = a + q;
        const c = b + q;
        const d = c + q;
        const a1r = re[a] + re[b];
        const a1i = im[a] + im[b];
        const b1r = re[a] - re[b];
        const b1i = im[a] - im[b];
        const c1r = re[c] + re[d];
        const c1i = im[c] + im[d];
        const d1r = re[c] - re[d];
        const d1i = im[c] - im[d];
        const ydr = s * d1i;
        const ydi = -s * d1r;
        re[a] = a1r + c1r;
        im[a] = a1i + c1i;
        re[c] = a1r - c1r;
        im[c] = a1i - c1i;
        re[b] = b1r + ydr;
        im[b] = b1i + ydi;
        re[d] = b1r - ydr;
        im[d] = b1i - ydi;
      }
      for (let k = 1; k < q; k++) {
        const w1r = twr[q + k];
        const w1i = s * twi[q + k];
        const w2r = twr[2 * q + k];
        const w2i = s * twi[2 * q + k];
        for (let a = k; a < n; a += size) {
          const b = a + q;
          const c = b + q;
          const d = c + q;
          // first radix-2 stage: (a, b) and (c, d) with W_{2q}^k
          const xbr = re[b] * w1r - im[b] * w1i;
          const xbi = re[b] * w1i + im[b] * w1r;
          const xdr = re[d] * w1r - im[d] * w1i;
          const xdi = re[d] * w1i + im[d] * w1r;
          const a1r = re[a] + xbr;
          const a1i = im[a] + xbi;
          const b1r = re[a] - xbr;
          const b1i = im[a] - xbi;
          const c1r = re[c] + xdr;
          const c1i = im[c] + xdi;
          const d1r = re[c] - xdr;
          const d1i = im[c] - xdi;
          // second stage: (a, c) with W_{4q}^k, (b, d) with W_{4q}^{k+q} = ∓i W_{4q}^k
          const ycr = c1r * w2r - c1i * w2i;
          const yci = c1r * w2i + c1i * w2r;
          const t1r = d1r * w2r - d1i * w2i;
          const t1i = d1r * w2i + d1i * w2r;
          const ydr = s * t1i;
          const ydi = -s * t1r;
          re[a] = a1r + ycr;
          im[a] = a1i + yci;
          re[c] = a1r - ycr;
          im[c] = a1i - yci;
          re[b] = b1r + ydr;
          im[b] = b1i + ydi;
          re[d] = b1r - ydr;
          im[d] = b1i - ydi;
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
