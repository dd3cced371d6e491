/**
 * librosa.effects.harmonic (0.10): median-filter the STFT magnitude across time (harmonic) and
 * across frequency (percussive) with 31-wide windows and scipy's 'reflect' edges, keep the
 * Wiener-like soft mask of the harmonic part (power 2, split zeros) and invert the STFT.
 */
import { istft, type ComplexSpectrogram } from './spectrum';

/** scipy.ndimage 'reflect' (d c b a | a b c d | d c b a), repeated for windows wider than n. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/**
 * scipy.ndimage.median_filter(line, size, mode='reflect') of one line of `src` (n values at
 * `offset + i * stride`), written to `dst` at `dstOffset + i * dstStride`; size odd. The
 * reflect-padded line is gathered into `line`, then the window is kept sorted in `win` (2^m − 1
 * long, +∞ past `size`): each step finds where the leaving value sits and where the entering one
 * belongs by branch-free bisection, and shifts the values between by one.
 */
export function runningMedian(
  src: Float64Array,
  offset: number,
  stride: number,
  n: number,
  size: number,
  dst: Float64Array,
  dstOffset: number,
  dstStride: number,
  line: Float64Array,
  win: Float64Array,
): void {
  const half = size >> 1;
  for (let i = -half; i < n + half; i++) {
    line[i + half] = src[offset + (i >= 0 && i < n ? i : reflect(i, n)) * stride];
  }
  win.fill(Infinity);
  for (let j = 0; j < size; j++) win[j] = line[j];
  win.subarray(0, size).sort();
  dst[dstOffset] = win[half];
  const top = (win.length + 1) >> 1;
  const last = size - 1;
  for (let i = 1; i < n; i++) {
    const out = line[i - 1];
    const inn = line[i + last];
    if (out !== inn) {
      // p: the leaving value's index; q: how many values are below the entering one
      let p = 0;
      let q = 0;
      for (let step = top; step > 0; step >>= 1) {
        p += step * +(win[p + step - 1] < out);
        q += step * +(win[q + step - 1] < inn);
      }
      if (q > p) {
        q--;
        for (let j = p; j < q; j++) win[j] = win[j + 1];
      } else {
        for (let j = p; j > q; j--) win[j] = win[j - 1];
      }
      win[q] = inn;
    }
    dst[dstOffset + i * dstStride] = win[half];
  }
}

/** Work buffers of `runningMedian` for windows up to `size` and lines up to `n` long. */
export function medianBuffers(size: number, n: number): { line: Float64Array; win: Float64Array } {
  return {
    line: new Float64Array(n + size - 1),
    win: new Float64Array(2 ** Math.ceil(Math.log2(size + 1)) - 1),
  };
}

let harmScratch = new Float64Array(0);

/** Scales a centred Hann STFT (frame-major) of magnitude `mag` in place to its harmonic part. */
export function keepHarmonic(D: ComplexSpectrogram, mag: Float64Array, kernel = 31): void {
  const { frames, bins, re, im } = D;
  // the harmonic medians (across time) need every frame first; the percussive ones (across
  // frequency) are taken frame by frame as the mask is applied. The buffer is kept for the next
  // clip: a worker extracts many.
  if (harmScratch.length < mag.length) harmScratch = new Float64Array(mag.length);
  const harm = harmScratch;
  const perc = new Float64Array(bins);
  const { line, win } = medianBuffers(kernel, Math.max(frames, bins));
  for (let f = 0; f < bins; f++) {
    runningMedian(mag, f, bins, frames, kernel, harm, f, bins, line, win);
  }
  for (let t = 0; t < frames; t++) {
    const o = t * bins;
    runningMedian(mag, o, 1, bins, kernel, perc, 0, 1, line, win);
    maskFrame(harm, perc, re, im, o, bins);
  }
}

/**
 * Frame `o..o + bins` of re/im times the harmonic soft mask of medians `harm` (same place) and
 * `perc` (from 0). librosa's softmask (power 2) scales both by the larger first; that one's ratio
 * is exactly 1, so one division is enough. A function of its own: it is optimised within the
 * first clip rather than once the frame loop has been replaced on the stack.
 */
function maskFrame(
  harm: Float64Array,
  perc: Float64Array,
  re: Float64Array,
  im: Float64Array,
  o: number,
  bins: number,
): void {
  for (let k = 0; k < bins; k++) {
    const hv = harm[o + k];
    const pv = perc[k];
    let mask: number;
    if (hv >= pv) {
      if (hv < 1.1754944e-38) mask = 0.5;
      else {
        const pz = pv / hv;
        mask = 1 / (1 + pz * pz);
      }
    } else if (pv < 1.1754944e-38) mask = 0.5;
    else {
      const hz = hv / pv;
      const h = hz * hz;
      mask = h / (h + 1);
    }
    re[o + k] *= mask;
    im[o + k] *= mask;
  }
}

/**
 * librosa.effects.harmonic(y) given y's own STFT (2048/512 Hann, centred) and its magnitude.
 * D is consumed: it holds the harmonic part's spectrogram afterwards.
 */
export function harmonic(
  D: ComplexSpectrogram,
  mag: Float64Array,
  hop: number,
  length: number,
): Float64Array {
  keepHarmonic(D, mag);
  return istft(D, hop, length);
}
