// The WebCodecs path's scaler against native ffmpeg's `scale` (swscale bicubic): the same decoded
// YUV pictures (native ffmpeg's own, sampled by fps=1) scaled by both must agree closely; and the
// float32 WebAssembly scaler against the previous float64 JS scaler (tests/scale-reference.ts) on
// noise.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameScaler, type ScaleTarget, type YuvPicture } from '../../src/lib/ingest/scale';
import { noisePicture, ReferenceScaler } from '../scale-reference';
import { videoFilter } from '../../src/lib/ingest/plan';
import { runNativeFfmpeg } from '../native-ffmpeg';

const media = (name: string) => resolve('static/media', name);

function mad(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/**
 * Scales native ffmpeg's fps=1 yuv420p pictures with FrameScaler and with the previous scaler;
 * the MAD of each vs native's scale.
 */
function compare(input: string[], w: number, h: number, target: ScaleTarget): [number, number] {
  const yuv = runNativeFfmpeg([
    ...input,
    '-vf',
    'fps=1',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'rawvideo',
    '-',
  ]);
  const native = runNativeFfmpeg([
    ...input,
    '-vf',
    videoFilter(target),
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-',
  ]);
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  const pictureBytes = w * h + 2 * cw * ch;
  const frameBytes = target.width * target.height * 3;
  const frames = yuv.length / pictureBytes;
  expect(native.length).toBe(frames * frameBytes);
  const scaler = new FrameScaler(w, h, target);
  const reference = new ReferenceScaler(w, h, target);
  const ours = new Uint8Array(native.length);
  const previous = new Uint8Array(native.length);
  for (let f = 0; f < frames; f++) {
    const at = f * pictureBytes;
    const y = new Uint8Array(yuv.buffer, yuv.byteOffset + at, w * h);
    const u = new Uint8Array(yuv.buffer, yuv.byteOffset + at + w * h, cw * ch);
    const v = new Uint8Array(yuv.buffer, yuv.byteOffset + at + w * h + cw * ch, cw * ch);
    const picture: YuvPicture = {
      width: w,
      height: h,
      y,
      u,
      v,
      yStride: w,
      uStride: cw,
      vStride: cw,
      uvStep: 1,
      matrix: 'bt601',
      fullRange: false,
    };
    ours.set(scaler.scale(picture), f * frameBytes);
    previous.set(reference.scale(picture), f * frameBytes);
  }
  return [mad(ours, new Uint8Array(native)), mad(previous, new Uint8Array(native))];
}

/** What float32's near-tie flips may add to the MAD vs native (they added at most 5.3e-5). */
const NEAR_TIE_MAD = 1e-4;

describe('FrameScaler vs native ffmpeg scale', () => {
  const cases: [string, string[], number, number, ScaleTarget][] = [
    [
      'h264-aac 64x36',
      ['-i', media('h264-aac.mp4')],
      320,
      180,
      { width: 64, height: 36, fit: 'stretch' },
    ],
    [
      'h264-aac 128x72',
      ['-i', media('h264-aac.mp4')],
      320,
      180,
      { width: 128, height: 72, fit: 'stretch' },
    ],
    [
      'scope-239 crop',
      ['-i', media('scope-239.mp4')],
      478,
      200,
      { width: 64, height: 36, fit: 'crop' },
    ],
    [
      'testsrc2 1080p',
      ['-f', 'lavfi', '-i', 'testsrc2=s=1920x1080:r=24:d=3,noise=alls=12:allf=t'],
      1920,
      1080,
      { width: 64, height: 36, fit: 'stretch' },
    ],
  ];
  for (const [label, input, w, h, target] of cases) {
    it(`matches on ${label}`, () => {
      const [m, before] = compare(input, w, h, target);
      console.log(
        `FrameScaler MAD vs native ffmpeg, ${label}: ${m.toFixed(5)} (previous scaler ${before.toFixed(5)})`,
      );
      expect(m).toBeLessThan(0.05);
      // No worse than the float64 scaler but for float32's ±1 flips of near-ties: on the
      // 320×180 clip a few chroma sums lie within 2e-6 of a half (83.4999984: float64 rounds
      // them down, as swscale does, float32 up). 16 of 449 280 bytes on 64×36 (MAD 0.010875 vs
      // 0.010822), 52 of 1 797 120 on 128×72 (0.009337 vs 0.009307); testsrc2 and scope-239
      // unchanged.
      expect(m).toBeLessThanOrEqual(before + NEAR_TIE_MAD);
    });
  }
});

/**
 * Bytes of `got` that differ from `expected`; none may differ by more than 1.
 */
function countDiffering(got: Uint8Array, expected: Uint8Array): number {
  expect(got.length).toBe(expected.length);
  let n = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - expected[i]);
    expect(d).toBeLessThanOrEqual(1);
    if (d) n++;
  }
  return n;
}

/**
 * The float32 sums differ from the float64 ones by ~1e-5 of a level, so a byte flips only where
 * the exact value lies that close to a rounding boundary: 4 of the 373 248 bytes these cases
 * compare (all in 100×60 NV12; 1e-4 of that case's bytes, 0 elsewhere). A tap read from the
 * wrong row or column changes a large share of them, most by more than 1 (tried: vertical taps
 * one row down, 31–97 % of the bytes per case; horizontal taps one pixel right, 65 % overall).
 */
const MAX_DIFFERING = 1e-3;

describe('FrameScaler (WebAssembly, float32) vs the previous float64 scaler', () => {
  const cases: [number, number, ScaleTarget, boolean][] = [
    [1920, 1080, { width: 64, height: 36, fit: 'stretch' }, true],
    [1920, 1080, { width: 128, height: 72, fit: 'stretch' }, false],
    [1920, 804, { width: 64, height: 36, fit: 'crop' }, true],
    [321, 181, { width: 64, height: 36, fit: 'stretch' }, false],
    [100, 60, { width: 64, height: 36, fit: 'stretch' }, true],
    [40, 22, { width: 64, height: 36, fit: 'crop' }, false],
  ];
  for (const [w, h, target, nv12] of cases) {
    const label = `${w}×${h} ${nv12 ? 'NV12' : 'I420'} → ${target.width}×${target.height} ${target.fit}`;
    it(`equals it on noise but for rare ±1, ${label}`, () => {
      const scaler = new FrameScaler(w, h, target);
      const reference = new ReferenceScaler(w, h, target);
      let differing = 0;
      let bytes = 0;
      for (let seed = 1; seed <= 3; seed++) {
        // Copied into the scaler's memory (a picture from elsewhere), then read in place there.
        const picture = noisePicture(w, h, nv12, seed);
        const expected = reference.scale(picture);
        const copied = scaler.scale(picture);
        const inPlace = scaler.scale(
          noisePicture(w, h, nv12, seed, (n) => scaler.pictureBuffer(n)),
        );
        differing += countDiffering(copied, expected) + countDiffering(inPlace, expected);
        bytes += 2 * expected.length;
      }
      expect(differing / bytes).toBeLessThan(MAX_DIFFERING);
    });
  }
});
