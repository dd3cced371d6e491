// The WebCodecs path's scaler against native ffmpeg's `scale` (swscale bicubic): the same decoded
// YUV pictures (native ffmpeg's own, sampled by fps=1) scaled by both must agree closely; and the
// WebAssembly scaler against the previous float64 JS scaler (tests/scale-reference.ts) on noise.
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
      expect(m).toBeLessThanOrEqual(before);
    });
  }
});

describe('FrameScaler (WebAssembly) vs the previous float64 scaler', () => {
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
    it(`equals it on noise, ${label}`, () => {
      const scaler = new FrameScaler(w, h, target);
      const reference = new ReferenceScaler(w, h, target);
      for (let seed = 1; seed <= 3; seed++) {
        // Copied into the scaler's memory (a picture from elsewhere), then read in place there.
        const picture = noisePicture(w, h, nv12, seed);
        const expected = reference.scale(picture);
        const copied = scaler.scale(picture);
        const inPlace = scaler.scale(
          noisePicture(w, h, nv12, seed, (n) => scaler.pictureBuffer(n)),
        );
        // The same float64 sums in another order: equal bytes (a sum within ~1e-12 of a
        // rounding boundary could flip one; these deterministic pictures have none). A tap read
        // from the wrong row or column changes dozens of bytes.
        expect(copied).toEqual(expected);
        expect(inPlace).toEqual(expected);
      }
    });
  }
});
