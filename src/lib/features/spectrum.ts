/**
 * librosa's short-time Fourier transform and its inverse (0.10 semantics): periodic Hann window,
 * centred frames with zero padding (`pad_mode='constant'`), window-sum-square normalised
 * overlap-add. Spectra are stored frame-major: bin f of frame t at `t * bins + f`.
 */
import { realFftOf, stageSignal, unstageSignal, type RealFFT } from './real-fft';
import type { Spectrogram } from './tuning';
import { wasmKernels } from './wasm';

/** The kernels' memory for the inverse STFT's overlap-add, kept from call to call. */
let olaRegion: { at: number; bytes: number } | null = null;

export interface ComplexSpectrogram {
  frames: number;
  bins: number;
  re: Float64Array;
  im: Float64Array;
}

/** scipy.signal.get_window('hann', n, fftbins=True). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Frames of a centred STFT of `length` samples. */
export function frameCount(length: number, hop: number): number {
  return 1 + Math.floor(length / hop);
}

/** One centred, zero-padded frame's spectrum at a time: frame t starts at t·hop − nFft/2. */
export class FrameTransform {
  readonly bins: number;
  private readonly fft: RealFFT;

  /** `window` null means a rectangular window (the CQT's frames). */
  constructor(
    readonly nFft: number,
    private readonly window: Float64Array | null,
  ) {
    this.bins = nFft / 2 + 1;
    this.fft = realFftOf(nFft);
  }

  /** Bins from..to (by default all) of frame t of y, bin k written to re/im at `at + k`. */
  frame(
    y: Float64Array,
    t: number,
    hop: number,
    re: Float64Array,
    im: Float64Array,
    at = 0,
    from = 0,
    to = this.bins - 1,
  ): void {
    this.fft.forward(y, t * hop - this.nFft / 2, this.window, re, im, at, from, to);
  }

  /** Bins from..to of frame t left in the kernels' memory; false where that is not possible. */
  inPlace(
    y: Float64Array,
    t: number,
    hop: number,
    from: number,
    to: number,
    re: number,
    im: number,
  ): boolean {
    return this.fft.forwardInPlace(y, t * hop - this.nFft / 2, this.window, from, to, re, im);
  }
}

/**
 * Centred STFT with zero padding. `window` null means a rectangular window. `into` supplies the
 * output arrays (at least frames × bins long; their leading part is used) to reuse memory.
 */
export function stft(
  y: Float64Array,
  nFft: number,
  hop: number,
  window: Float64Array | null,
  into?: { re: Float64Array; im: Float64Array },
): ComplexSpectrogram {
  const frames = frameCount(y.length, hop);
  const ft = new FrameTransform(nFft, window);
  const bins = ft.bins;
  const re = into ? into.re.subarray(0, frames * bins) : new Float64Array(frames * bins);
  const im = into ? into.im.subarray(0, frames * bins) : new Float64Array(frames * bins);
  stageSignal(y, window);
  try {
    for (let t = 0; t < frames; t++) ft.frame(y, t, hop, re, im, t * bins);
  } finally {
    unstageSignal();
  }
  return { frames, bins, re, im };
}

/** |stft(y)| without keeping the complex frames (into `into`'s leading part when given). */
export function stftMagnitude(
  y: Float64Array,
  nFft: number,
  hop: number,
  window: Float64Array | null,
  into?: Float64Array,
): Spectrogram {
  const frames = frameCount(y.length, hop);
  const ft = new FrameTransform(nFft, window);
  const bins = ft.bins;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  const data = into ? into.subarray(0, frames * bins) : new Float64Array(frames * bins);
  stageSignal(y, window);
  try {
    for (let t = 0; t < frames; t++) {
      ft.frame(y, t, hop, re, im);
      magnitudeInto(re, im, bins, data, t * bins);
    }
  } finally {
    unstageSignal();
  }
  return { frames, bins, data };
}

// Per-frame loops live in small functions of their own (here and in istft): the optimising
// compiler takes them up within the first clip instead of waiting to replace the frame loop.
function magnitudeInto(
  re: Float64Array,
  im: Float64Array,
  n: number,
  out: Float64Array,
  at: number,
): void {
  for (let k = 0; k < n; k++) out[at + k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
}

function overlapAdd(frame: Float64Array, window: Float64Array, acc: Float64Array, at: number) {
  for (let j = 0; j < frame.length; j++) acc[at + j] += frame[j] * window[j];
}

export function magnitude(s: ComplexSpectrogram): Float64Array {
  const m = new Float64Array(s.re.length);
  for (let i = 0; i < m.length; i++) m[i] = Math.sqrt(s.re[i] * s.re[i] + s.im[i] * s.im[i]);
  return m;
}

/** Window sum of squares of `frames` overlapping Hann frames, kept for the next clip. */
let wssCache: { key: string; wss: Float64Array } | null = null;

function hannSumSquare(nFft: number, hop: number, frames: number): Float64Array {
  const key = `${nFft}:${hop}:${frames}`;
  if (wssCache?.key !== key) {
    const window = hannPeriodic(nFft);
    const wss = new Float64Array(nFft + hop * (frames - 1));
    for (let t = 0; t < frames; t++) {
      const start = t * hop;
      for (let j = 0; j < nFft; j++) wss[start + j] += window[j] * window[j];
    }
    wssCache = { key, wss };
  }
  return wssCache.wss;
}

/**
 * librosa.istft(D, length=length) for a Hann-windowed centred STFT: overlap-add of windowed
 * inverse frames divided by the window's sum of squares where that sum is not negligible.
 */
export function istft(s: ComplexSpectrogram, hop: number, length: number): Float64Array {
  const nFft = (s.bins - 1) * 2;
  const window = hannPeriodic(nFft);
  const frames = Math.min(s.frames, Math.ceil((length + nFft) / hop));
  const total = nFft + hop * (frames - 1);
  const acc = new Float64Array(total);
  const wss = hannSumSquare(nFft, hop, frames);
  const fft = realFftOf(nFft);
  const k = nFft >= 8 ? wasmKernels() : null;
  if (k) {
    // the overlap-add in the kernels' memory (views taken after the allocation)
    const bytes = 8 * (total + nFft) + 16;
    if (!olaRegion || olaRegion.bytes < bytes) olaRegion = { at: k.alloc(bytes), bytes };
    const winAt = olaRegion.at + 8 * total;
    k.f64(winAt, nFft).set(window);
    const wacc = k.f64(olaRegion.at, total);
    wacc.fill(0);
    for (let t = 0; t < frames; t++) {
      fft.inverseAdd(s.re, s.im, t * s.bins, winAt, olaRegion.at + 8 * t * hop);
    }
    acc.set(k.f64(olaRegion.at, total));
  } else {
    const frame = new Float64Array(nFft);
    for (let t = 0; t < frames; t++) {
      fft.inverse(s.re, s.im, frame, t * s.bins);
      overlapAdd(frame, window, acc, t * hop);
    }
  }
  const y = new Float64Array(length);
  const off = nFft / 2;
  const tiny = 2.2250738585072014e-308;
  for (let i = 0; i < length && off + i < total; i++) {
    const w = wss[off + i];
    y[i] = w > tiny ? acc[off + i] / w : acc[off + i];
  }
  return y;
}
