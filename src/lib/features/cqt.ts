/**
 * The tonnetz path of librosa 0.10: constant-Q transform by recursive octave downsampling
 * (`vqt` with gamma 0: Hann wavelets, L1 norm, 1 % sparsified filter spectra, rectangular-window
 * STFT responses, length scaling), the 36-bins-per-octave chroma_cqt and the tonal centroids.
 *
 * One deliberate difference: librosa halves the rate between octaves with soxr's 'HQ' resampler;
 * here a linear-phase Kaiser-windowed sinc (flat to 80 % of the new Nyquist, > 100 dB stopband)
 * does it. Every CQT bin of an octave lies below 38 % of that octave's Nyquist, where both
 * filters pass the signal unchanged, so only negligible passband ripple differs.
 */
import { fftOf } from './fft';
import { stageSignal, unstageSignal } from './real-fft';
import { wasmKernels } from './wasm';
import { normalizeFramesInf } from './spectral';
import { FrameTransform, frameCount } from './spectrum';

const HANN_BANDWIDTH = 1.50018310546875;
const C1 = 440 * 2 ** ((24 - 69) / 12);

function kaiserLowpass(cutoff: number, transition: number, attenuation: number): Float64Array {
  const beta = 0.1102 * (attenuation - 8.7);
  const halfTaps = Math.ceil((attenuation - 8) / (2.285 * 2 * Math.PI * transition) / 2);
  const h = new Float64Array(2 * halfTaps + 1);
  const i0 = (x: number) => {
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 50; k++) {
      term *= (x / (2 * k)) ** 2;
      sum += term;
    }
    return sum;
  };
  const denom = i0(beta);
  for (let j = -halfTaps; j <= halfTaps; j++) {
    const x = 2 * cutoff * j;
    const sinc = j === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = j / halfTaps;
    h[j + halfTaps] = 2 * cutoff * sinc * (i0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / denom);
  }
  return h;
}

// In cycles per input sample: flat to 0.15, stopped (100 dB) from 0.25, the new Nyquist.
const HALF_BAND = kaiserLowpass(0.2, 0.1, 100);

/**
 * Halve the sample rate (librosa.resample(y, 2, 1, scale=True): ×√2, ceil(n/2) samples). Inside
 * the signal four outputs are summed side by side, each in the same order as alone — by the
 * wasm kernel where there is one, else in TypeScript.
 */
export function downsample2(y: Float64Array): Float64Array {
  const h = HALF_BAND;
  const half = (h.length - 1) / 2;
  const n = y.length;
  const out = new Float64Array(Math.ceil(n / 2));
  // outputs m with 2m − half ≥ 0 and 2m + half < n need no zeros from outside y
  const mA = Math.ceil(half / 2);
  const mB = Math.floor((n - 1 - half) / 2) + 1;
  const blocks = Math.max(0, Math.floor((mB - mA) / 4));
  if (blocks > 0 && half % 2 === 1 && downsampleWasm(y, out, mA, mA + 4 * blocks)) {
    downsampleRange(y, out, 0, mA);
    downsampleRange(y, out, mA + 4 * blocks, out.length);
    return out;
  }
  downsampleRange(y, out, 0, out.length);
  return out;
}

/** The kernels' memory for downsample2: even and odd samples, outputs and taps. */
let downRegion: { at: number; bytes: number } | null = null;

/** Outputs mA … mB − 1 (a multiple of 4, inside y) by the kernel; false where there is none. */
function downsampleWasm(y: Float64Array, out: Float64Array, mA: number, mB: number): boolean {
  const k = wasmKernels();
  if (!k) return false;
  const n = y.length;
  const ne = Math.ceil(n / 2);
  const slot = 8 * ne + 16;
  const bytes = 3 * slot + 8 * HALF_BAND.length;
  if (!downRegion || downRegion.bytes < bytes) downRegion = { at: k.alloc(bytes), bytes };
  const ye = downRegion.at;
  const yo = ye + slot;
  const o = yo + slot;
  const taps = o + slot;
  const even = k.f64(ye, ne);
  const odd = k.f64(yo, n >> 1);
  for (let i = 0; i < n >> 1; i++) {
    even[i] = y[2 * i];
    odd[i] = y[2 * i + 1];
  }
  if (n % 2 === 1) even[ne - 1] = y[n - 1];
  k.f64(taps, HALF_BAND.length).set(HALF_BAND);
  k.down(ye, yo, taps, o, mA, mB, (HALF_BAND.length - 1) / 2);
  out.set(k.f64(o + 8 * mA, mB - mA), mA);
  return true;
}

/** Outputs from … to − 1 of downsample2 in TypeScript. */
function downsampleRange(y: Float64Array, out: Float64Array, from: number, to: number): void {
  const h = HALF_BAND;
  const half = (h.length - 1) / 2;
  const n = y.length;
  const at = (i: number) => (i >= 0 && i < n ? y[i] : 0);
  let m = from;
  for (; m < to; m++) {
    const c = 2 * m;
    if (c - half >= 0 && c + 6 + half < n && m + 3 < to) {
      let a0 = h[half] * y[c];
      let a1 = h[half] * y[c + 2];
      let a2 = h[half] * y[c + 4];
      let a3 = h[half] * y[c + 6];
      for (let j = 1; j <= half; j++) {
        const w = h[half + j];
        a0 += w * (y[c - j] + y[c + j]);
        a1 += w * (y[c + 2 - j] + y[c + 2 + j]);
        a2 += w * (y[c + 4 - j] + y[c + 4 + j]);
        a3 += w * (y[c + 6 - j] + y[c + 6 + j]);
      }
      out[m] = a0 * Math.SQRT2;
      out[m + 1] = a1 * Math.SQRT2;
      out[m + 2] = a2 * Math.SQRT2;
      out[m + 3] = a3 * Math.SQRT2;
      m += 3;
    } else {
      let acc = h[half] * at(c);
      for (let j = 1; j <= half; j++) acc += h[half + j] * (at(c - j) + at(c + j));
      out[m] = acc * Math.SQRT2;
    }
  }
}

/** A sparsified filter spectrum as its span of bins from `first`, dropped bins zero. */
interface SpanRow {
  first: number;
  re: Float64Array;
  im: Float64Array;
}

interface FilterSpectra {
  nFft: number;
  rows: SpanRow[];
  /** The lowest and highest bin any row uses. */
  lo: number;
  hi: number;
}

const spectraCache = new Map<string, FilterSpectra>();

/** Filter spectra are reused across clips: one set per (rate, tuning), tunings step by 0.01. */
function cachedFilterSpectra(
  sr: number,
  freqs: Float64Array,
  Q: number,
  sparsity: number,
): FilterSpectra {
  const key = `${sr}:${freqs[0]}:${freqs.length}:${Q}:${sparsity}`;
  let v = spectraCache.get(key);
  if (!v) {
    if (spectraCache.size > 64) spectraCache.clear();
    v = filterSpectra(sr, freqs, Q, sparsity);
    spectraCache.set(key, v);
  }
  return v;
}

/** __vqt_filter_fft: FFT of each L1-normalised Hann wavelet, sparsified to 99 % of its mass. */
function filterSpectra(
  sr: number,
  freqs: Float64Array,
  Q: number,
  sparsity: number,
): FilterSpectra {
  const lengths = Array.from(freqs, (f) => (Q * sr) / f);
  const nFft = 2 ** Math.ceil(Math.log2(Math.max(...lengths)));
  const fft = fftOf(nFft);
  const rows: SpanRow[] = [];
  const bins = nFft / 2 + 1;
  for (let b = 0; b < freqs.length; b++) {
    const ilen = lengths[b];
    const start = Math.floor(-ilen / 2);
    const len = Math.floor(ilen / 2) - start;
    const re = new Float64Array(nFft);
    const im = new Float64Array(nFft);
    const lpad = Math.floor((nFft - len) / 2);
    let l1 = 0;
    for (let j = 0; j < len; j++) l1 += 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / len);
    const scale = ilen / nFft / l1;
    for (let j = 0; j < len; j++) {
      const w = (0.5 - 0.5 * Math.cos((2 * Math.PI * j) / len)) * scale;
      const phase = ((start + j) * 2 * Math.PI * freqs[b]) / sr;
      re[lpad + j] = Math.cos(phase) * w;
      im[lpad + j] = Math.sin(phase) * w;
    }
    fft.transform(re, im);
    const mags = new Float64Array(bins);
    let total = 0;
    for (let k = 0; k < bins; k++) {
      mags[k] = Math.hypot(re[k], im[k]);
      total += mags[k];
    }
    const sorted = Float64Array.from(mags).sort();
    let cum = 0;
    let ti = 0;
    while (ti < bins) {
      cum += sorted[ti] / total;
      if (!(cum < sparsity)) break;
      ti++;
    }
    const cut = sorted[Math.min(ti, bins - 1)];
    let first = 0;
    while (mags[first] < cut) first++;
    let last = bins - 1;
    while (mags[last] < cut) last--;
    const row = {
      first,
      re: new Float64Array(last - first + 1),
      im: new Float64Array(last - first + 1),
    };
    for (let k = first; k <= last; k++) {
      if (mags[k] < cut) continue;
      row.re[k - first] = re[k];
      row.im[k - first] = im[k];
    }
    rows.push(row);
  }
  const lo = Math.min(...rows.map((r) => r.first));
  const hi = Math.max(...rows.map((r) => r.first + r.re.length - 1));
  return { nFft, rows, lo, hi };
}

/**
 * The responses of every filter to two adjacent frames (spectra side by side in re/im, the second
 * `span` further on), written at `at` and `at + rows.length`. A function of its own so that it is
 * optimised within the first clip, not only once the whole octave loop has been on-stack replaced.
 */
function filterPair(
  rows: SpanRow[],
  lo: number,
  span: number,
  re: Float64Array,
  im: Float64Array,
  gain: number,
  data: Float64Array,
  at: number,
  both = true,
): void {
  const count = rows.length;
  for (let b = 0; b < count; b++) {
    const { first, re: fr, im: fi } = rows[b];
    let ar = 0;
    let ai = 0;
    let br = 0;
    let bi = 0;
    for (let j = 0, k = first - lo; j < fr.length; j++, k++) {
      const wr = fr[j];
      const wi = fi[j];
      ar += wr * re[k] - wi * im[k];
      ai += wr * im[k] + wi * re[k];
      br += wr * re[k + span] - wi * im[k + span];
      bi += wr * im[k + span] + wi * re[k + span];
    }
    data[at + b] = Math.sqrt(ar * ar + ai * ai) * gain;
    if (both) data[at + count + b] = Math.sqrt(br * br + bi * bi) * gain;
  }
}

/** The kernels' memory for `octaveWasm`, kept from call to call. */
let octaveRegion: { at: number; bytes: number } | null = null;

/**
 * One octave's filter responses (the frame loop of `cqtMagnitude`) by the kernels: each frame's
 * bins lo..hi stay in the kernels' memory and `cqpair` applies the filters to two frames at
 * once, the same sums as `filterPair`. False (`data` untouched) where the kernels cannot do it.
 */
function octaveWasm(
  ft: FrameTransform,
  y: Float64Array,
  hop: number,
  frames: number,
  rows: SpanRow[],
  lo: number,
  hi: number,
  gain: number,
  data: Float64Array,
): boolean {
  const k = wasmKernels();
  const h = ft.nFft / 2;
  if (!k || lo < 1 || hi > h - 1 || frames === 0) return false;
  const count = rows.length;
  const taps = rows.reduce((n, r) => n + r.re.length, 0);
  const spec = 8 * (h + 1);
  const tableBytes = 16 * count;
  const bytes = 4 * spec + tableBytes + 16 * taps + 8 * frames * count + 64;
  if (!octaveRegion || octaveRegion.bytes < bytes) octaveRegion = { at: k.alloc(bytes), bytes };
  const base = octaveRegion.at;
  const [reA, imA, reB, imB] = [0, 1, 2, 3].map((i) => base + i * spec);
  const table = base + 4 * spec;
  const tapsAt = table + tableBytes;
  const outAt = tapsAt + 16 * taps;
  // filter table: first bin, tap count, real and imaginary taps' addresses
  const tv = new Int32Array(k.memory.buffer, table, 4 * count);
  let at = tapsAt;
  rows.forEach((r, b) => {
    const n = r.re.length;
    k.f64(at, n).set(r.re);
    k.f64(at + 8 * n, n).set(r.im);
    tv.set([r.first, n, at, at + 8 * n], 4 * b);
    at += 16 * n;
  });
  let t = 0;
  // A transform that declines (no kernel memory of its own) leaves `data` to the caller's loop.
  for (; t + 1 < frames; t += 2) {
    if (!ft.inPlace(y, t, hop, lo, hi, reA, imA)) return false;
    if (!ft.inPlace(y, t + 1, hop, lo, hi, reB, imB)) return false;
    k.cqpair(table, count, reA, imA, reB, imB, gain, outAt + 8 * t * count, 1);
  }
  if (t < frames) {
    if (!ft.inPlace(y, t, hop, lo, hi, reA, imA)) return false;
    k.cqpair(table, count, reA, imA, reA, imA, gain, outAt + 8 * t * count, 0);
  }
  data.set(k.f64(outAt, frames * count));
  return true;
}

/** |CQT| of y: frames × nBins (frame-major), as librosa.cqt with the given tuning. */
export function cqtMagnitude(
  y: Float64Array,
  sr: number,
  hop: number,
  tuning: number,
  nBins = 252,
  binsPerOctave = 36,
): { frames: number; bins: number; data: Float64Array } {
  const nOctaves = Math.ceil(nBins / binsPerOctave);
  const fmin = C1 * 2 ** (tuning / binsPerOctave);
  const freqs = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) freqs[k] = fmin * 2 ** (k / binsPerOctave);
  const r = 2 ** (1 / binsPerOctave);
  const alpha = (r * r - 1) / (r * r + 1);
  const Q = 1 / alpha;
  const cutoff = freqs[nBins - 1] * (1 + (0.5 * HANN_BANDWIDTH) / Q);
  if (cutoff > sr / 2) throw new Error('CQT bins exceed the Nyquist frequency.');
  const responses: { first: number; frames: number; data: Float64Array; count: number }[] = [];
  let myY = y;
  let mySr = sr;
  let myHop = hop;
  for (let o = 0; o < nOctaves; o++) {
    const hiBin = nBins - binsPerOctave * o;
    const loBin = Math.max(0, hiBin - binsPerOctave);
    const oct = freqs.subarray(loBin, hiBin);
    const { nFft, rows, lo, hi } = cachedFilterSpectra(mySr, oct, Q, 0.01);
    const gain = Math.sqrt(sr / mySr);
    const frames = frameCount(myY.length, myHop);
    const ft = new FrameTransform(nFft, null);
    const count = hiBin - loBin;
    const data = new Float64Array(frames * count);
    // two frames side by side: each filter tap is read once for both, each sum in its own order
    const span = hi - lo + 1;
    const re = new Float64Array(2 * span);
    const im = new Float64Array(2 * span);
    stageSignal(myY, null);
    try {
      if (!octaveWasm(ft, myY, myHop, frames, rows, lo, hi, gain, data)) {
        for (let t = 0; t + 1 < frames; t += 2) {
          ft.frame(myY, t, myHop, re, im, -lo, lo, hi);
          ft.frame(myY, t + 1, myHop, re, im, span - lo, lo, hi);
          filterPair(rows, lo, span, re, im, gain, data, t * count);
        }
        if (frames % 2 === 1) {
          // the last frame alone (its pair's half is not written out)
          ft.frame(myY, frames - 1, myHop, re, im, -lo, lo, hi);
          filterPair(rows, lo, span, re, im, gain, data, (frames - 1) * count, false);
        }
      }
    } finally {
      unstageSignal();
    }
    responses.push({ first: loBin, frames, data, count });
    if (myHop % 2 === 0 && o < nOctaves - 1) {
      myHop /= 2;
      mySr /= 2;
      myY = downsample2(myY);
    }
  }
  const frames = Math.min(...responses.map((r) => r.frames));
  const out = new Float64Array(frames * nBins);
  for (const resp of responses) {
    for (let t = 0; t < frames; t++) {
      for (let b = 0; b < resp.count; b++) {
        const k = resp.first + b;
        out[t * nBins + k] = resp.data[t * resp.count + b] / Math.sqrt((Q * sr) / freqs[k]);
      }
    }
  }
  return { frames, bins: nBins, data: out };
}

/** librosa.feature.chroma_cqt(C=|CQT|, bins_per_octave=36, norm=inf): frames × 12. */
export function chromaFromCqt(
  C: { frames: number; bins: number; data: Float64Array },
  binsPerOctave = 36,
): Float64Array {
  const merge = binsPerOctave / 12;
  const chroma = new Float64Array(C.frames * 12);
  for (let t = 0; t < C.frames; t++) {
    for (let k = 0; k < C.bins; k++) {
      // bin k of an octave belongs to pitch class round(k / merge), wrapping at the octave
      const inOct = k % binsPerOctave;
      const c = Math.floor((inOct + Math.floor(merge / 2)) / merge) % 12;
      chroma[t * 12 + c] += C.data[t * C.bins + k];
    }
  }
  normalizeFramesInf(chroma, 12);
  return chroma;
}

/** librosa.feature.tonnetz from chroma (frames × 12): frames × 6 tonal centroids. */
export function tonnetzFromChroma(chroma: Float64Array): Float64Array {
  const scale = [7 / 6, 7 / 6, 3 / 2, 3 / 2, 2 / 3, 2 / 3];
  const R = [1, 1, 1, 1, 0.5, 0.5];
  const phi = new Float64Array(6 * 12);
  for (let p = 0; p < 6; p++) {
    for (let c = 0; c < 12; c++) {
      const v = scale[p] * c - (p % 2 === 0 ? 0.5 : 0);
      phi[p * 12 + c] = R[p] * Math.cos(Math.PI * v);
    }
  }
  const frames = chroma.length / 12;
  const out = new Float64Array(frames * 6);
  for (let t = 0; t < frames; t++) {
    let l1 = 0;
    for (let c = 0; c < 12; c++) l1 += Math.abs(chroma[t * 12 + c]);
    const inv = l1 < 1.1754944e-38 ? 1 : 1 / l1;
    for (let p = 0; p < 6; p++) {
      let acc = 0;
      for (let c = 0; c < 12; c++) acc += phi[p * 12 + c] * chroma[t * 12 + c] * inv;
      out[t * 6 + p] = acc;
    }
  }
  return out;
}
