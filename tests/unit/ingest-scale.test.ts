// The WebCodecs path's scaler against native ffmpeg's `scale` (swscale bicubic): the same decoded
// YUV pictures (native ffmpeg's own, sampled by fps=1) scaled by both must agree closely.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameScaler, type ScaleTarget } from '../../src/lib/ingest/scale';
import { videoFilter } from '../../src/lib/ingest/plan';
import { runNativeFfmpeg } from '../native-ffmpeg';

const media = (name: string) => resolve('static/media', name);

function mad(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Scales native ffmpeg's fps=1 yuv420p pictures with FrameScaler; MAD vs native's scale. */
function compare(input: string[], w: number, h: number, target: ScaleTarget): number {
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
  const ours = new Uint8Array(native.length);
  for (let f = 0; f < frames; f++) {
    const at = f * pictureBytes;
    const y = new Uint8Array(yuv.buffer, yuv.byteOffset + at, w * h);
    const u = new Uint8Array(yuv.buffer, yuv.byteOffset + at + w * h, cw * ch);
    const v = new Uint8Array(yuv.buffer, yuv.byteOffset + at + w * h + cw * ch, cw * ch);
    ours.set(
      scaler.scale({
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
      }),
      f * frameBytes,
    );
  }
  return mad(ours, new Uint8Array(native));
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
      const m = compare(input, w, h, target);
      console.log(`FrameScaler MAD vs native ffmpeg, ${label}: ${m.toFixed(4)}`);
      expect(m).toBeLessThan(0.05);
    });
  }
});
