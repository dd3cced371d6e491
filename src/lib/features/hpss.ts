/**
 * librosa.effects.harmonic (0.10): median-filter the STFT magnitude across time (harmonic) and
 * across frequency (percussive) with 31-wide windows and scipy's 'reflect' edges, keep the
 * Wiener-like soft mask of the harmonic part (power 2, split zeros) and invert the STFT.
 */
import { istft, type ComplexSpectrogram } from './spectrum';
import { wasmKernels, wasmModule } from './wasm';

/** scipy.ndimage 'reflect' (d c b a | a b c d | d c b a), repeated for windows wider than n. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/**
 * Work buffers of `runningMedian`: the reflect-padded line, the sorted window (2^m − 1 long)
 * and the medians. They live in the wasm kernels' memory where there are kernels.
 */
export interface MedianBuffers {
  line: Float64Array;
  win: Float64Array;
  out: Float64Array;
  /** Byte offsets of line, win and out in the kernels' memory. */
  at: { line: number; win: number; out: number } | null;
}

/**
 * scipy.ndimage.median_filter(line, size, mode='reflect') of one line of `src` (n values at
 * `offset + i * stride`), written to `dst` at `dstOffset + i * dstStride` (or left in
 * `buffers.out` when dst is that array); size odd. The reflect-padded line is gathered into
 * `line`, then the window is kept sorted in `win` (2^m − 1 long, +∞ past `size`): each step
 * finds where the leaving value sits and where the entering one belongs by branch-free
 * bisection, and shifts the values between by one — in the wasm kernel where there is one.
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
  buffers: MedianBuffers,
): void {
  const { line, win, out, at } = buffers;
  const half = size >> 1;
  if (n > half) {
    for (let i = -half; i < 0; i++) line[i + half] = src[offset + reflect(i, n) * stride];
    if (stride === 1) line.set(src.subarray(offset, offset + n), half);
    else for (let i = 0; i < n; i++) line[i + half] = src[offset + i * stride];
    for (let i = n; i < n + half; i++) line[i + half] = src[offset + reflect(i, n) * stride];
  } else {
    for (let i = -half; i < n + half; i++) {
      line[i + half] = src[offset + (i >= 0 && i < n ? i : reflect(i, n)) * stride];
    }
  }
  win.fill(Infinity);
  for (let j = 0; j < size; j++) win[j] = line[j];
  win.subarray(0, size).sort();
  const top = (win.length + 1) >> 1;
  const k = at ? wasmKernels() : null;
  // a 31-value window (with its +∞ 32nd slot) is updated by counting ranks
  const kernel = k && win.length === 31 ? k.median31 : k?.median;
  if (kernel && at && k && dst.buffer === k.memory.buffer) {
    // straight into dst, which lives in the kernels' memory too
    dst[dstOffset] = win[half];
    kernel(at.line, n, size, dst.byteOffset + 8 * dstOffset, at.win, top, 8 * dstStride);
    return;
  }
  out[0] = win[half];
  if (kernel && at) kernel(at.line, n, size, at.out, at.win, top, 8);
  else medianSteps(line, n, size, out, win, top);
  if (dst === out && dstOffset === 0 && dstStride === 1) return;
  for (let i = 0; i < n; i++) dst[dstOffset + i * dstStride] = out[i];
}

/** Steps 1 … n − 1 of `runningMedian` (the wasm kernel's TypeScript twin). */
function medianSteps(
  line: Float64Array,
  n: number,
  size: number,
  out: Float64Array,
  win: Float64Array,
  top: number,
): void {
  const half = size >> 1;
  const last = size - 1;
  for (let i = 1; i < n; i++) {
    const vo = line[i - 1];
    const vi = line[i + last];
    if (vo !== vi) {
      // p: the leaving value's index; q: how many values are below the entering one
      let p = 0;
      let q = 0;
      for (let step = top; step > 0; step >>= 1) {
        p += step * +(win[p + step - 1] < vo);
        q += step * +(win[q + step - 1] < vi);
      }
      if (q > p) {
        q--;
        for (let j = p; j < q; j++) win[j] = win[j + 1];
      } else {
        for (let j = p; j > q; j--) win[j] = win[j - 1];
      }
      win[q] = vi;
    }
    out[i] = win[half];
  }
}

/** The kernels' memory for median buffers, kept (and grown) from call to call. */
let medianMemory: { bytes: number; base: number } | null = null;

/** Work buffers of `runningMedian` for windows up to `size` and lines up to `n` long. */
export function medianBuffers(size: number, n: number): MedianBuffers {
  const lineLength = n + size - 1;
  const winLength = 2 ** Math.ceil(Math.log2(size + 1)) - 1;
  const wasm = wasmModule();
  if (!wasm) {
    return {
      line: new Float64Array(lineLength),
      win: new Float64Array(winLength),
      out: new Float64Array(n),
      at: null,
    };
  }
  const lineBytes = 8 * lineLength + 16;
  const winBytes = 8 * winLength + 16;
  const bytes = lineBytes + winBytes + 8 * n;
  if (!medianMemory || medianMemory.bytes < bytes) {
    medianMemory = { bytes, base: wasm.alloc(bytes) };
  }
  const at = {
    line: medianMemory.base,
    win: medianMemory.base + Math.ceil(lineBytes / 16) * 16,
    out: medianMemory.base + Math.ceil(lineBytes / 16) * 16 + Math.ceil(winBytes / 16) * 16,
  };
  // the slot after the window is +∞ (median31 reads 32 values)
  wasm.f64(at.win + 8 * winLength, 1)[0] = Infinity;
  return {
    line: wasm.f64(at.line, lineLength),
    win: wasm.f64(at.win, winLength),
    out: wasm.f64(at.out, n),
    at,
  };
}

let harmScratch = new Float64Array(0);
let harmRegion: { at: number; bytes: number } | null = null;

/** Scales a centred Hann STFT (frame-major) of magnitude `mag` in place to its harmonic part. */
export function keepHarmonic(D: ComplexSpectrogram, mag: Float64Array, kernel = 31): void {
  const { frames, bins, re, im } = D;
  // the harmonic medians (across time) need every frame first; the percussive ones (across
  // frequency) are taken frame by frame as the mask is applied. The buffer is kept for the next
  // clip: a worker extracts many.
  // (in the kernels' memory where there are kernels: their medians are written straight there)
  const wasm = wasmModule();
  if (wasm) {
    if (!harmRegion || harmRegion.bytes < 8 * mag.length) {
      harmRegion = { at: wasm.alloc(8 * mag.length), bytes: 8 * mag.length };
    }
  } else if (harmScratch.length < mag.length) harmScratch = new Float64Array(mag.length);
  const buffers = medianBuffers(kernel, Math.max(frames, bins));
  // the view is taken once every allocation is done (growing the memory detaches views)
  const harm = wasm && harmRegion ? wasm.f64(harmRegion.at, mag.length) : harmScratch;
  for (let f = 0; f < bins; f++) {
    runningMedian(mag, f, bins, frames, kernel, harm, f, bins, buffers);
  }
  // the percussive medians stay in buffers.out
  const perc = buffers.out;
  for (let t = 0; t < frames; t++) {
    const o = t * bins;
    runningMedian(mag, o, 1, bins, kernel, perc, 0, 1, buffers);
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
