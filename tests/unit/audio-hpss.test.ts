// The HPSS median filter against a direct sort of every reflect-padded window (scipy.ndimage's
// 'reflect' edges, windows wider than the line included), and the harmonic mask's reuse of its
// buffers from one clip to the next.
import { describe, expect, it } from 'vitest';
import { extractFeatures } from '../../src/lib/features/extract';
import { medianBuffers, runningMedian } from '../../src/lib/features/hpss';

/** scipy.ndimage.median_filter(x, size, mode='reflect') by sorting each window. */
function naiveMedian(x: number[], size: number): number[] {
  const n = x.length;
  const at = (i: number) => {
    // reflect: d c b a | a b c d | d c b a, repeated
    const period = 2 * n;
    const m = ((i % period) + period) % period;
    return x[m < n ? m : period - 1 - m];
  };
  const half = size >> 1;
  return x.map((_, i) => {
    const w: number[] = [];
    for (let j = i - half; j <= i + half; j++) w.push(at(j));
    w.sort((a, b) => a - b);
    return w[half];
  });
}

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('running median (HPSS)', () => {
  it('equals sorting each reflect-padded window, for short and long lines and ties', () => {
    const rand = seeded(7);
    for (const size of [1, 3, 5, 31]) {
      for (const n of [1, 2, 3, 10, 15, 16, 31, 32, 100, 300]) {
        for (const kind of ['noise', 'ties', 'ramp']) {
          const x = Array.from({ length: n }, (_, i) =>
            kind === 'noise' ? rand() : kind === 'ties' ? Math.floor(rand() * 3) : i % 7,
          );
          const out = new Float64Array(n);
          runningMedian(Float64Array.from(x), 0, 1, n, size, out, 0, 1, medianBuffers(size, n));
          expect(Array.from(out), `size ${size}, n ${n}, ${kind}`).toEqual(naiveMedian(x, size));
        }
      }
    }
  });

  it('reads and writes strided lines (the time direction of a frame-major spectrogram)', () => {
    const rand = seeded(3);
    const frames = 40;
    const bins = 5;
    const m = Float64Array.from({ length: frames * bins }, () => rand());
    const out = new Float64Array(frames * bins);
    const buffers = medianBuffers(31, frames);
    for (let f = 0; f < bins; f++) runningMedian(m, f, bins, frames, 31, out, f, bins, buffers);
    for (let f = 0; f < bins; f++) {
      const col = Array.from({ length: frames }, (_, t) => m[t * bins + f]);
      const got = Array.from({ length: frames }, (_, t) => out[t * bins + f]);
      expect(got).toEqual(naiveMedian(col, 31));
    }
  });

  it('gives the same features for a clip before and after a longer one (reused buffers)', () => {
    const clip = (n: number, f: number) =>
      Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i * f) + 0.1 * Math.sin(i * 0.37));
    const short = clip(22050, 0.05);
    const first = extractFeatures(short).features;
    extractFeatures(clip(3 * 22050, 0.11));
    expect(Array.from(extractFeatures(short).features)).toEqual(Array.from(first));
  });
});
