/**
 * librosa's tuning estimate (0.10): `piptrack` picks interpolated spectral peaks between 150 Hz
 * and 4 kHz in every frame, `estimate_tuning` keeps the louder half of them and `pitch_tuning`
 * returns the left edge of the fullest 0.01-bin histogram cell of their deviation from equal
 * temperament. chroma_stft and the CQT both tune their filters with it.
 */
import { hzToOcts, linspace } from './filters';

/** Magnitude spectrogram, frame-major (frames × bins). */
export interface Spectrogram {
  frames: number;
  bins: number;
  data: Float64Array;
}

interface Peaks {
  pitches: number[];
  mags: number[];
}

function piptrack(S: Spectrogram, sr: number, fmin = 150, fmax = 4000, threshold = 0.1): Peaks {
  const { frames, bins, data } = S;
  const nFft = 2 * (bins - 1);
  const hi = Math.min(fmax, sr / 2);
  const lo = Math.max(fmin, 0);
  const pitches: number[] = [];
  const mags: number[] = [];
  const th = new Float64Array(bins);
  // the bins k ≥ 1 whose frequency lies in [lo, hi)
  let kFirst = 1;
  while (kFirst < bins && (kFirst * sr) / nFft < lo) kFirst++;
  let kEnd = kFirst;
  while (kEnd < bins && (kEnd * sr) / nFft < hi) kEnd++;
  const thEnd = Math.min(bins, kEnd + 1);
  for (let t = 0; t < frames; t++) {
    const o = t * bins;
    let max = -Infinity;
    for (let k = 0; k < bins; k++) max = Math.max(max, data[o + k]);
    const ref = threshold * max;
    for (let k = kFirst - 1; k < thEnd; k++) th[k] = data[o + k] > ref ? data[o + k] : 0;
    for (let k = kFirst; k < kEnd; k++) {
      const isMax = k === bins - 1 ? th[k] > th[k - 1] : th[k] > th[k - 1] && th[k] >= th[k + 1];
      if (!isMax) continue;
      let shift = 0;
      let avg = 0;
      if (k < bins - 1) {
        const a = data[o + k + 1] + data[o + k - 1] - 2 * data[o + k];
        const b = (data[o + k + 1] - data[o + k - 1]) / 2;
        shift = Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
        avg = b;
      }
      pitches.push(((k + shift) * sr) / nFft);
      mags.push(data[o + k] + 0.5 * avg * shift);
    }
  }
  return { pitches, mags };
}

function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** librosa.pitch_tuning: 0 when there is nothing to estimate from. */
export function pitchTuning(frequencies: number[], resolution = 0.01, binsPerOctave = 12): number {
  const nBins = Math.ceil(1 / resolution);
  const edges = linspace(-0.5, 0.5, nBins + 1);
  const counts = new Uint32Array(nBins);
  let any = false;
  for (const f of frequencies) {
    if (!(f > 0)) continue;
    any = true;
    const x = binsPerOctave * hzToOcts(f);
    let r = x - Math.floor(x);
    if (r >= 0.5) r -= 1;
    let i = Math.min(nBins - 1, Math.floor((r + 0.5) * nBins));
    if (r < edges[i]) i--;
    else if (i < nBins - 1 && r >= edges[i + 1]) i++;
    counts[i]++;
  }
  if (!any) return 0;
  let best = 0;
  for (let i = 1; i < nBins; i++) if (counts[i] > counts[best]) best = i;
  return edges[best];
}

/** librosa.estimate_tuning(S=S, sr=sr, bins_per_octave=…) on a magnitude spectrogram. */
export function estimateTuning(S: Spectrogram, sr: number, binsPerOctave = 12): number {
  const { pitches, mags } = piptrack(S, sr);
  if (pitches.length === 0) return 0;
  const threshold = median(mags);
  const kept = pitches.filter((p, i) => mags[i] >= threshold);
  return pitchTuning(kept, 0.01, binsPerOctave);
}
