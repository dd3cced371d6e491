/**
 * The STFT-based features of the paper's extractor, librosa 0.10 semantics: mel power
 * spectrogram, power_to_db, MFCC, chroma_stft (tuning estimated) and spectral contrast. All take
 * frame-major spectrograms and return frame-major frames × k matrices.
 */
import { chromaFilterbank, dctBasis, fftFrequencies, melFilterbank, type Matrix } from './filters';
import { estimateTuning, type Spectrogram } from './tuning';
import { wasmKernels } from './wasm';

const FLOAT32_TINY = 1.1754944e-38;

/**
 * out[t][r] = Σ_f m[r][f] · S[t][f] (or · S[t][f]² when `square`), over each row's non-zero span
 * only. Squares are taken four frames at a time into a small buffer: the same products as a
 * power spectrogram, without a second full-size array.
 */
export function applyFilterbank(m: Matrix, S: Spectrogram, square = false): Float64Array {
  const { rows, cols, data: w } = m;
  const { frames, bins } = S;
  const src = S.data;
  const staged = square ? new Float64Array(4 * bins) : src;
  const out = new Float64Array(frames * rows);
  const first = new Int32Array(rows);
  const last = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let a = 0;
    let b = cols - 1;
    while (a < cols && w[r * cols + a] === 0) a++;
    while (b > a && w[r * cols + b] === 0) b--;
    first[r] = a;
    last[r] = b;
  }
  let t = bankWasm(m, S, first, last, out, square);
  let x = src;
  // four frames side by side, each summed in the same order as alone
  for (; t + 4 <= frames; t += 4) {
    let o = t * bins;
    if (square) {
      for (let i = 0; i < 4 * bins; i++) staged[i] = src[o + i] * src[o + i];
      x = staged;
      o = 0;
    }
    for (let r = 0; r < rows; r++) {
      const d = r * cols - o;
      const end = o + last[r];
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let f = o + first[r]; f <= end; f++) {
        const v = w[d + f];
        a0 += v * x[f];
        a1 += v * x[f + bins];
        a2 += v * x[f + 2 * bins];
        a3 += v * x[f + 3 * bins];
      }
      out[t * rows + r] = a0;
      out[(t + 1) * rows + r] = a1;
      out[(t + 2) * rows + r] = a2;
      out[(t + 3) * rows + r] = a3;
    }
  }
  for (; t < frames; t++) {
    let o = t * bins;
    if (square) {
      for (let i = 0; i < bins; i++) staged[i] = src[o + i] * src[o + i];
      x = staged;
      o = 0;
    }
    for (let r = 0; r < rows; r++) {
      const d = r * cols - o;
      const end = o + last[r];
      let acc = 0;
      for (let f = o + first[r]; f <= end; f++) acc += w[d + f] * x[f];
      out[t * rows + r] = acc;
    }
  }
  return out;
}

/** The kernels' memory for `bankWasm`, kept from call to call. */
let bankRegion: { at: number; bytes: number } | null = null;

/**
 * The frames of `applyFilterbank` in whole blocks of four by the wasm kernel (the same sums in
 * the same order); returns how many frames it did (0 where there are no kernels).
 */
function bankWasm(
  m: Matrix,
  S: Spectrogram,
  first: Int32Array,
  last: Int32Array,
  out: Float64Array,
  square: boolean,
): number {
  const k = wasmKernels();
  const blocks = S.frames >> 2;
  if (!k || blocks === 0) return 0;
  const { rows, cols } = m;
  const n = 4 * blocks;
  const wBytes = 8 * rows * cols;
  const xBytes = 8 * n * S.bins;
  const oBytes = 8 * n * rows;
  const iBytes = 4 * rows + 16;
  const bytes = wBytes + xBytes + oBytes + 2 * iBytes + 64;
  if (!bankRegion || bankRegion.bytes < bytes) bankRegion = { at: k.alloc(bytes), bytes };
  const wAt = bankRegion.at;
  const xAt = wAt + Math.ceil(wBytes / 16) * 16;
  const oAt = xAt + Math.ceil(xBytes / 16) * 16;
  const fAt = oAt + Math.ceil(oBytes / 16) * 16;
  const lAt = fAt + Math.ceil(iBytes / 16) * 16;
  k.f64(wAt, rows * cols).set(m.data.subarray(0, rows * cols));
  k.f64(xAt, n * S.bins).set(S.data.subarray(0, n * S.bins));
  new Int32Array(k.memory.buffer, fAt, rows).set(first);
  new Int32Array(k.memory.buffer, lAt, rows).set(last);
  k.bank(wAt, fAt, lAt, rows, cols, xAt, S.bins, blocks, oAt, square ? 1 : 0);
  out.set(k.f64(oAt, n * rows));
  return n;
}

/** librosa.power_to_db(S, ref=1, amin=1e-10, top_db=80) over the whole array, in place. */
export function powerToDb(S: Float64Array, amin = 1e-10, topDb = 80): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < S.length; i++) {
    S[i] = 10 * Math.log10(Math.max(amin, S[i]));
    if (S[i] > max) max = S[i];
  }
  const floor = max - topDb;
  for (let i = 0; i < S.length; i++) if (S[i] < floor) S[i] = floor;
  return S;
}

export function powerSpectrogram(magnitude: Spectrogram): Spectrogram {
  const data = new Float64Array(magnitude.data.length);
  for (let i = 0; i < data.length; i++) data[i] = magnitude.data[i] * magnitude.data[i];
  return { frames: magnitude.frames, bins: magnitude.bins, data };
}

/** librosa.feature.melspectrogram (power 2, 128 Slaney bands) of a magnitude spectrogram. */
export function melFromMagnitude(magnitude: Spectrogram, sr: number, nMels = 128): Float64Array {
  return applyFilterbank(melFilterbank(sr, 2 * (magnitude.bins - 1), nMels), magnitude, true);
}

/** librosa.feature.melspectrogram (power 2, 128 Slaney bands): frames × nMels. */
export function melSpectrogram(power: Spectrogram, sr: number, nMels = 128): Float64Array {
  return applyFilterbank(melFilterbank(sr, 2 * (power.bins - 1), nMels), power);
}

/** librosa.feature.mfcc from a mel power spectrogram: frames × nMfcc. */
export function mfccFromMel(mel: Float64Array, nMels: number, nMfcc = 40): Float64Array {
  const db = powerToDb(Float64Array.from(mel));
  const frames = db.length / nMels;
  return applyFilterbank(dctBasis(nMfcc, nMels), { frames, bins: nMels, data: db });
}

/** Per-frame normalisation by the largest magnitude (norm=inf); silent frames stay zero. */
export function normalizeFramesInf(x: Float64Array, k: number): void {
  for (let o = 0; o < x.length; o += k) {
    let m = 0;
    for (let i = 0; i < k; i++) m = Math.max(m, Math.abs(x[o + i]));
    if (m < FLOAT32_TINY) continue;
    for (let i = 0; i < k; i++) x[o + i] /= m;
  }
}

/** librosa.feature.chroma_stft(S=|STFT|): returns the estimated tuning and frames × 12 chroma. */
export function chromaStft(
  magnitude: Spectrogram,
  sr: number,
): { tuning: number; chroma: Float64Array } {
  const tuning = estimateTuning(magnitude, sr, 12);
  const fb = chromaFilterbank(sr, 2 * (magnitude.bins - 1), tuning);
  const chroma = applyFilterbank(fb, magnitude);
  normalizeFramesInf(chroma, 12);
  return { tuning, chroma };
}

/**
 * librosa.feature.spectral_contrast(S=|STFT|, fmin=200, n_bands=6, quantile=0.02): per band the
 * dB difference between the mean of the top and of the bottom 2 % of bins; frames × 7.
 */
export function spectralContrast(
  magnitude: Spectrogram,
  sr: number,
  fmin = 200,
  nBands = 6,
  quantile = 0.02,
): Float64Array {
  const { frames, bins, data } = magnitude;
  const freq = fftFrequencies(sr, 2 * (bins - 1));
  const edges = [0];
  for (let i = 0; i <= nBands; i++) edges.push(fmin * 2 ** i);
  if (edges.slice(0, -1).some((e) => e >= 0.5 * sr)) {
    throw new Error('Spectral contrast bands exceed the Nyquist frequency.');
  }
  const peak = new Float64Array(frames * (nBands + 1));
  const valley = new Float64Array(frames * (nBands + 1));
  const small = new Float64Array(bins);
  const large = new Float64Array(bins);
  for (let k = 0; k <= nBands; k++) {
    const inBand: number[] = [];
    for (let f = 0; f < bins; f++)
      if (freq[f] >= edges[k] && freq[f] <= edges[k + 1]) inBand.push(f);
    let lo = inBand[0];
    let hi = inBand[inBand.length - 1];
    if (k > 0) lo -= 1;
    if (k === nBands) hi = bins - 1;
    const count = hi - lo + 1;
    // sub-bands below the top one drop their highest bin
    const used = k < nBands ? count - 1 : count;
    const idx = Math.max(1, roundHalfEven(quantile * count));
    for (let t = 0; t < frames; t++) {
      extremes(data, t * bins + lo, used, idx, small, large);
      let v = 0;
      let p = 0;
      for (let i = 0; i < idx; i++) {
        v += small[i];
        p += large[i];
      }
      valley[t * (nBands + 1) + k] = v / idx;
      peak[t * (nBands + 1) + k] = p / idx;
    }
  }
  powerToDb(peak);
  powerToDb(valley);
  for (let i = 0; i < peak.length; i++) peak[i] -= valley[i];
  return peak;
}

/**
 * The m smallest of x[at..at+n) in ascending order into `small` and the m largest in descending
 * order into `large` (what a full sort would put at either end), by insertion into short
 * sorted lists: O(n) for the few values a band's 2 % quantile needs.
 */
function extremes(
  x: Float64Array,
  at: number,
  n: number,
  m: number,
  small: Float64Array,
  large: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const v = x[at + i];
    const filled = Math.min(i, m);
    if (filled < m || v < small[m - 1]) {
      let p = filled < m ? filled : m - 1;
      while (p > 0 && small[p - 1] > v) {
        small[p] = small[p - 1];
        p--;
      }
      small[p] = v;
    }
    if (filled < m || v > large[m - 1]) {
      let p = filled < m ? filled : m - 1;
      while (p > 0 && large[p - 1] < v) {
        large[p] = large[p - 1];
        p--;
      }
      large[p] = v;
    }
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
