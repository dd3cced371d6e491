/**
 * librosa's filter banks (0.10): the Slaney-style mel filterbank with area normalisation, the
 * chroma filterbank of `filters.chroma`, and the orthonormal DCT-II basis of `mfcc`. Each is a
 * row-major rows × columns float64 matrix, cached per parameter set.
 */

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(f: number): number {
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOG_STEP : f / F_SP;
}

export function melToHz(m: number): number {
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/** numpy.linspace(start, stop, num) including its exact endpoint. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** Centre frequency of each rfft bin. */
export function fftFrequencies(sr: number, nFft: number): Float64Array {
  const out = new Float64Array(nFft / 2 + 1);
  const val = 1 / (nFft * (1 / sr));
  for (let k = 0; k < out.length; k++) out[k] = k * val;
  return out;
}

/** Octaves above A0/16… as librosa.hz_to_octs (A440 shifted by `tuning` fractions of a bin). */
export function hzToOcts(f: number, tuning = 0, binsPerOctave = 12): number {
  const a440 = 440 * 2 ** (tuning / binsPerOctave);
  return Math.log2(f / (a440 / 16));
}

const cache = new Map<string, Matrix>();
function cached(key: string, make: () => Matrix): Matrix {
  let m = cache.get(key);
  if (!m) {
    m = make();
    cache.set(key, m);
  }
  return m;
}

/** librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2, htk=False, norm='slaney'). */
export function melFilterbank(sr: number, nFft: number, nMels = 128): Matrix {
  return cached(`mel:${sr}:${nFft}:${nMels}`, () => {
    const bins = nFft / 2 + 1;
    const fftFreqs = fftFrequencies(sr, nFft);
    const mels = linspace(hzToMel(0), hzToMel(sr / 2), nMels + 2);
    const melF = mels.map(melToHz);
    const data = new Float64Array(nMels * bins);
    for (let i = 0; i < nMels; i++) {
      const d0 = melF[i + 1] - melF[i];
      const d1 = melF[i + 2] - melF[i + 1];
      const enorm = 2 / (melF[i + 2] - melF[i]);
      for (let k = 0; k < bins; k++) {
        const lower = -(melF[i] - fftFreqs[k]) / d0;
        const upper = (melF[i + 2] - fftFreqs[k]) / d1;
        data[i * bins + k] = Math.max(0, Math.min(lower, upper)) * enorm;
      }
    }
    return { rows: nMels, cols: bins, data };
  });
}

/**
 * librosa.filters.chroma(sr, n_fft, n_chroma=12, tuning, ctroct=5, octwidth=2, norm=2,
 * base_c=True): Gaussian bumps per FFT bin around each pitch class, weighted by octave.
 */
export function chromaFilterbank(sr: number, nFft: number, tuning = 0, nChroma = 12): Matrix {
  return cached(`chroma:${sr}:${nFft}:${tuning}:${nChroma}`, () => {
    const frq = new Float64Array(nFft);
    for (let k = 1; k < nFft; k++) frq[k] = nChroma * hzToOcts((k * sr) / nFft, tuning, nChroma);
    frq[0] = frq[1] - 1.5 * nChroma;
    const width = new Float64Array(nFft);
    for (let k = 0; k < nFft - 1; k++) width[k] = Math.max(frq[k + 1] - frq[k], 1);
    width[nFft - 1] = 1;
    const half = Math.round(nChroma / 2);
    const wts = new Float64Array(nChroma * nFft);
    for (let k = 0; k < nFft; k++) {
      let norm = 0;
      for (let c = 0; c < nChroma; c++) {
        const x = frq[k] - c + half + 10 * nChroma;
        const d = x - nChroma * Math.floor(x / nChroma) - half;
        const v = Math.exp(-0.5 * ((2 * d) / width[k]) ** 2);
        wts[c * nFft + k] = v;
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      const oct = Math.exp(-0.5 * ((frq[k] / nChroma - 5) / 2) ** 2);
      for (let c = 0; c < nChroma; c++) {
        wts[c * nFft + k] =
          (norm < 1.1754944e-38 ? wts[c * nFft + k] : wts[c * nFft + k] / norm) * oct;
      }
    }
    const bins = nFft / 2 + 1;
    const shift = 3 * Math.floor(nChroma / 12);
    const data = new Float64Array(nChroma * bins);
    for (let c = 0; c < nChroma; c++) {
      const src = (c + shift) % nChroma;
      for (let k = 0; k < bins; k++) data[c * bins + k] = wts[src * nFft + k];
    }
    return { rows: nChroma, cols: bins, data };
  });
}

/** The first `nOut` rows of the orthonormal DCT-II of length n (scipy.fftpack.dct norm='ortho'). */
export function dctBasis(nOut: number, n: number): Matrix {
  return cached(`dct:${nOut}:${n}`, () => {
    const data = new Float64Array(nOut * n);
    for (let k = 0; k < nOut; k++) {
      const s = Math.sqrt((k === 0 ? 1 : 2) / n);
      for (let j = 0; j < n; j++)
        data[k * n + j] = s * Math.cos((Math.PI * k * (2 * j + 1)) / (2 * n));
    }
    return { rows: nOut, cols: n, data };
  });
}
