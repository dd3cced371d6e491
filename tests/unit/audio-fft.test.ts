// The FFTs every audio feature is built on, against a direct DFT: the complex transform (both
// directions, odd and even numbers of radix-2 stages) and the real one on windowed, zero-padded
// frames and partial bin ranges, as the STFT and the CQT call it.
import { describe, expect, it } from 'vitest';
import { fftOf } from '../../src/lib/features/fft';
import { realFftOf } from '../../src/lib/features/real-fft';

function dft(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      outRe[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      outIm[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

const noise = (n: number, seed: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.5);

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('FFT', () => {
  it('equals the direct DFT forwards and backwards for sizes 2 to 512', () => {
    for (let n = 2; n <= 512; n *= 2) {
      for (const inverse of [false, true]) {
        const re = noise(n, 1);
        const im = noise(n, 2);
        const [wantRe, wantIm] = dft(re, im, inverse ? 1 : -1);
        fftOf(n).transform(re, im, inverse);
        expect(maxDiff(re, wantRe), `n ${n}`).toBeLessThan(1e-12);
        expect(maxDiff(im, wantIm), `n ${n}`).toBeLessThan(1e-12);
      }
    }
  });

  it('transforms real frames (windowed, zero outside the signal, bin ranges) and inverts them', () => {
    // an odd and an even number of stages in the half-size transform, down to the smallest
    for (const n of [4, 8, 256, 512]) {
      const y = noise(n + 44, 3);
      const fft = realFftOf(n);
      // null: the rectangular window of the CQT's frames
      for (const [start, window] of [-100, 0, 20, n - 56].flatMap((s) => [
        [s, noise(n, 4)] as const,
        [s, null] as const,
      ])) {
        const frame = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          const i = start + j;
          frame[j] = i >= 0 && i < y.length ? y[i] * (window ? window[j] : 1) : 0;
        }
        const [wantRe, wantIm] = dft(frame, new Float64Array(n), -1);
        const re = new Float64Array(n / 2 + 1);
        const im = new Float64Array(n / 2 + 1);
        fft.forward(y, start, window, re, im);
        expect(maxDiff(re, wantRe.subarray(0, n / 2 + 1))).toBeLessThan(1e-12);
        expect(maxDiff(im, wantIm.subarray(0, n / 2 + 1))).toBeLessThan(1e-12);
        if (n >= 256) {
          const part = new Float64Array(n / 2 + 1);
          fft.forward(y, start, window, part, new Float64Array(n / 2 + 1), 0, 30, 70);
          expect(Array.from(part.subarray(30, 71))).toEqual(Array.from(re.subarray(30, 71)));
          expect(part[29]).toBe(0);
          expect(part[71]).toBe(0);
        }
        const back = new Float64Array(n);
        fft.inverse(re, im, back);
        expect(maxDiff(back, frame)).toBeLessThan(1e-14);
      }
    }
  });
});
