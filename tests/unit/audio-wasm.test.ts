// The WebAssembly kernels (src/lib/features/wasm.ts) against their TypeScript
// twins: the same numbers bit for bit, for the FFT sizes and frame kinds the extractor uses and
// for the HPSS running median (noise, ties, short lines), and the same 193 features either way.
import { afterEach, describe, expect, it } from 'vitest';
import { cqtMagnitude, downsample2 } from '../../src/lib/features/cqt';
import { extractFeatures } from '../../src/lib/features/extract';
import { chromaFilterbank, dctBasis, melFilterbank } from '../../src/lib/features/filters';
import { applyFilterbank } from '../../src/lib/features/spectral';
import { hannPeriodic, istft, stft } from '../../src/lib/features/spectrum';
import { realFftOf, stageSignal, unstageSignal } from '../../src/lib/features/real-fft';
import { medianBuffers, runningMedian } from '../../src/lib/features/hpss';
import { disableWasmKernels, wasmKernels, wasmModuleBytes } from '../../src/lib/features/wasm';

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Runs f with the kernels and with the TypeScript loops. */
function bothWays<T>(f: () => T): [T, T] {
  disableWasmKernels(false);
  const wasm = f();
  disableWasmKernels(true);
  const ts = f();
  disableWasmKernels(false);
  return [wasm, ts];
}

afterEach(() => disableWasmKernels(false));

describe('wasm kernels', () => {
  it('compile into valid SIMD modules that node instantiates', () => {
    expect(wasmModuleBytes().every((bytes) => WebAssembly.validate(bytes))).toBe(true);
    expect(wasmKernels()).not.toBeNull();
  });

  it('transform real frames exactly as the TypeScript FFT does, both directions', () => {
    const rand = seeded(11);
    for (const n of [8, 16, 32, 64, 128, 1024, 2048, 4096]) {
      const y = Float64Array.from({ length: 3 * n }, rand);
      const window = Float64Array.from(
        { length: n },
        (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n),
      );
      const fft = realFftOf(n);
      for (const start of [-n / 2, 0, n / 2 + 3, 2 * n + 5]) {
        for (const w of [window, null]) {
          const [a, b] = bothWays(() => {
            // staged: frames inside y are gathered and finished by the kernels too
            stageSignal(y, w);
            const re = new Float64Array(n / 2 + 1);
            const im = new Float64Array(n / 2 + 1);
            fft.forward(y, start, w, re, im);
            // bin ranges as the CQT asks for them (an odd and an even count)
            const part = new Float64Array(2 * n);
            fft.forward(y, start, w, part, part, n / 2, 1, n / 4);
            fft.forward(y, start, w, part, part, n, 2, n / 2);
            unstageSignal();
            const back = new Float64Array(n);
            fft.inverse(re, im, back);
            return [...re, ...im, ...part, ...back];
          });
          expect(a, `n ${n}, start ${start}`).toEqual(b);
        }
      }
    }
  });

  it('keep running medians exactly as the TypeScript loop does', () => {
    const rand = seeded(5);
    for (const size of [1, 3, 5, 31]) {
      for (const n of [1, 2, 3, 17, 64, 1025]) {
        for (const kind of ['noise', 'ties']) {
          const x = Float64Array.from({ length: n }, () =>
            kind === 'noise' ? rand() : Math.floor(rand() * 4),
          );
          const [a, b] = bothWays(() => {
            const out = new Float64Array(n);
            runningMedian(x, 0, 1, n, size, out, 0, 1, medianBuffers(size, n));
            return Array.from(out);
          });
          expect(a, `size ${size}, n ${n}, ${kind}`).toEqual(b);
        }
      }
    }
  });

  it('halve the sample rate exactly as the TypeScript resampler does', () => {
    const rand = seeded(9);
    for (const n of [1, 40, 67, 80, 81, 83, 100, 1001, 4096, 20001]) {
      const y = Float64Array.from({ length: n }, rand);
      const [a, b] = bothWays(() => Array.from(downsample2(y)));
      expect(a, `n ${n}`).toEqual(b);
      expect(a.length).toBe(Math.ceil(n / 2));
    }
  });

  it('apply filterbanks (sparse and dense rows, squared or not) exactly as TypeScript does', () => {
    const rand = seeded(4);
    for (const [m, bins] of [
      [melFilterbank(22050, 2048, 128), 1025],
      [chromaFilterbank(22050, 2048, 0.1), 1025],
      [dctBasis(40, 128), 128],
    ] as const) {
      for (const frames of [1, 3, 4, 9, 14]) {
        const S = { frames, bins, data: Float64Array.from({ length: frames * bins }, rand) };
        for (const square of [false, true]) {
          const [a, b] = bothWays(() => Array.from(applyFilterbank(m, S, square)));
          expect(a, `${m.rows} rows, ${frames} frames`).toEqual(b);
        }
      }
    }
  });

  it('invert an STFT (overlap-add included) exactly as TypeScript does', () => {
    const rand = seeded(8);
    for (const [n, hop, length] of [
      [2048, 512, 9000],
      [1024, 256, 5000],
      [16, 4, 50],
    ]) {
      const y = Float64Array.from({ length }, rand);
      const D = stft(y, n, hop, hannPeriodic(n));
      const [a, b] = bothWays(() => Array.from(istft(D, hop, length)));
      expect(a, `n ${n}`).toEqual(b);
      // and it is an inverse
      expect(Math.max(...a.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-12);
    }
  });

  it('compute the constant-Q magnitudes exactly as TypeScript does (odd and even frame counts)', () => {
    const rand = seeded(12);
    for (const length of [11025, 10240]) {
      const y = Float64Array.from({ length }, (_, i) => Math.sin(i * 0.05) + 0.3 * rand());
      const [a, b] = bothWays(() => Array.from(cqtMagnitude(y, 22050, 512, -0.2).data));
      expect(a, `length ${length}`).toEqual(b);
    }
  });

  it('give the same 193 features as the TypeScript loops', () => {
    const clip = Float32Array.from(
      { length: 3 * 22050 },
      (_, i) => 0.3 * Math.sin(i * 0.06) + 0.2 * Math.sin(i * 0.013 * (1 + i / 1e5)),
    );
    const [a, b] = bothWays(() => Array.from(extractFeatures(clip).features));
    expect(a).toEqual(b);
  });
});
