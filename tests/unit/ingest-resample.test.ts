// The WebCodecs path's resampler against native ffmpeg's `aresample=22050` (libswresample's
// defaults): the same mono samples (native ffmpeg's own decode and downmix) resampled by both.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MonoResampler } from '../../src/lib/ingest/resample';
import { nativeAudio } from '../native-ffmpeg';

const media = (name: string) => resolve('static/media', name);
const MONO = 'pan=mono|c0=0.5*c0+0.5*c1';

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Resamples in uneven pieces, as decoded audio arrives, and takes 1-s outputs. */
function resample(input: Float32Array, inRate: number, outLength: number): Float32Array {
  const r = new MonoResampler(inRate, 22050);
  const out = new Float32Array(outLength);
  let at = 0;
  let made = 0;
  const drain = () => {
    for (let part; made < outLength && (part = r.take(Math.min(22050, outLength - made)));) {
      out.set(part, made);
      made += part.length;
    }
  };
  for (let size = 1024; at < input.length; size = size === 1024 ? 4096 : 1024) {
    r.push(input.subarray(at, at + size), at);
    at += size;
    drain();
  }
  r.end();
  drain();
  return out;
}

describe('MonoResampler', () => {
  for (const [file, rate] of [
    ['h264-aac.mp4', 44100],
    ['ntsc-23976.mp4', 48000],
  ] as const) {
    it(`matches ffmpeg's aresample from ${rate} Hz (${file})`, () => {
      const source = nativeAudio(media(file), MONO);
      const native = nativeAudio(media(file), `${MONO},aresample=22050`);
      const ours = resample(source, rate, native.length);
      const mad = meanAbsDiff(ours, native);
      console.log(
        `resampler vs ffmpeg, ${rate} → 22050 Hz: mean abs. difference ${mad.toExponential(2)}`,
      );
      expect(mad).toBeLessThan(1e-5);
    });
  }
});

describe('MonoResampler on a pure tone', () => {
  // The SIMD kernel walks a cycle of `up` output phases; rates whose cycle is longer than the
  // 1024 phases kept (44056 Hz: 11025), upsampling (8000 Hz), equal rates and a sparse cycle
  // (96000 Hz) each exercise another table. A wrong tap, phase or cycle step is a wrong sample.
  for (const rate of [44056, 8000, 22050, 96000]) {
    it(`turns a 1-kHz tone at ${rate} Hz into the same tone at 22050 Hz`, () => {
      const seconds = 3;
      const tone = (t: number) => Math.sin(2 * Math.PI * 1000 * t + 0.3);
      const input = Float32Array.from({ length: rate * seconds }, (_, i) => tone(i / rate));
      const out = resample(input, rate, 22050 * seconds);
      // Away from the first and last 10 ms (silence outside the input).
      let worst = 0;
      for (let m = 221; m < out.length - 221; m++) {
        worst = Math.max(worst, Math.abs(out[m] - tone(m / 22050)));
      }
      console.log(`resampler, 1-kHz tone from ${rate} Hz: worst error ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(rate === 22050 ? 1e-7 : 2e-3);
    });
  }
});
