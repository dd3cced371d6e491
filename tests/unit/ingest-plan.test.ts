// The sampling rule and the ffmpeg arguments of the ingest plan, checked against native ffmpeg on
// the committed fixtures: the documented rule (slot k = last source frame with pts < k + 0.5 s)
// picks exactly the frames `-vf fps=1` picks.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  audioFilter,
  ffmpegArgs,
  frameCount,
  pickSourceFrames,
  sampleSourceFrame,
  sequencesFor,
  videoFilter,
  type DecodePlan,
} from '../../src/lib/ingest/plan';
import { DEFAULT_INGEST_SETTINGS } from '../../src/lib/ingest/ingest';
import { nativeFrames, runNativeFfmpeg } from '../native-ffmpeg';

const media = (name: string) => resolve('static/media', name);

describe('sampling rule', () => {
  it('picks the last source frame before k + 0.5 s, like native fps=1 (23.976 fps film)', () => {
    const file = media('ntsc-23976.mp4');
    const pts = execFileSync('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=pts_time',
      '-of',
      'csv=p=0',
      file,
    ])
      .toString()
      .trim()
      .split('\n')
      .map((line) => parseFloat(line))
      .filter((t) => Number.isFinite(t));
    const every = nativeFrames(file, 'scale=64:36', ['-vsync', 'passthrough']);
    const sampled = nativeFrames(file);
    const fb = 64 * 36 * 3;
    expect(every.length / fb).toBe(pts.length);
    const duration = pts.length * (1001 / 24000);
    expect(sampled.length / fb).toBe(frameCount(duration));
    for (let k = 0; k < sampled.length / fb; k++) {
      const i = sampleSourceFrame(pts, k);
      expect(pickSourceFrames(pts, k + 1, false)[k]).toBe(i);
      expect(
        Buffer.compare(
          sampled.subarray(k * fb, (k + 1) * fb),
          every.subarray(i * fb, (i + 1) * fb),
        ),
      ).toBe(0);
    }
  });

  it('after a seek, frames before the seek point are not eligible (as with ffmpeg -ss)', () => {
    const pts = [-0.3, -0.1, 0.2, 0.6, 1.4, 1.6];
    expect(pickSourceFrames(pts, 3, false)).toEqual([2, 4, 5]);
    expect(pickSourceFrames([-0.3, 0.7, 1.2], 2, true)).toEqual([1, 2]);
    expect(pickSourceFrames([-0.3, 0.7, 1.2], 2, false)).toEqual([0, 2]);
    expect(pickSourceFrames([], 2, true)).toEqual([-1, -1]);
  });

  it('counts round(duration) frames and drops an incomplete last sequence', () => {
    expect(frameCount(64.4)).toBe(64);
    expect(frameCount(64.5)).toBe(65);
    expect(sequencesFor(DEFAULT_INGEST_SETTINGS, 89.4)).toBe(2);
    expect(sequencesFor(DEFAULT_INGEST_SETTINGS, 89.6)).toBe(3);
    expect(sequencesFor({ ...DEFAULT_INGEST_SETTINGS, startS: 10 }, 89.6)).toBe(2);
    expect(sequencesFor({ ...DEFAULT_INGEST_SETTINGS, endS: 60 }, 600)).toBe(2);
    expect(sequencesFor(DEFAULT_INGEST_SETTINGS, 12)).toBe(0);
  });
});

describe('ffmpeg arguments', () => {
  const plan: DecodePlan = {
    width: 64,
    height: 36,
    fit: 'stretch',
    startS: 0,
    fromSequence: 0,
    sequencesTotal: 2,
    audioChannels: 2,
  };
  const out = { video: 'video.raw', audio: 'audio.raw' };

  it('decodes the whole kept span from the start, with the native filter graph', () => {
    const args = ffmpegArgs('in.mp4', plan, out);
    expect(args).not.toContain('-ss');
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=1,scale=64:36');
    expect(args[args.indexOf('-af') + 1]).toBe(
      'pan=mono|c0=0.5*c0+0.5*c1,aresample=22050:async=1:first_pts=0',
    );
  });

  it('seeks to the first missing sequence when resuming, after the start offset', () => {
    const args = ffmpegArgs('in.mp4', { ...plan, startS: 12, fromSequence: 1 }, out);
    expect(args[args.indexOf('-ss') + 1]).toBe('42');
    expect(args[args.indexOf('-t') + 1]).toBe('31');
  });

  it('leaves audio out for a silent film and crops to fill on request', () => {
    const args = ffmpegArgs('in.mp4', { ...plan, audioChannels: 0, fit: 'crop' }, out);
    expect(args).not.toContain(out.audio);
    expect(args[args.indexOf('-vf') + 1]).toBe(videoFilter({ width: 64, height: 36, fit: 'crop' }));
    expect(audioFilter(1)).toMatch(/^pan=mono\|c0=c0,/);
  });

  it('a resumed decode from a seek gives the same frames as the whole-file decode', () => {
    const file = media('h264-aac.mp4');
    const whole = nativeFrames(file);
    const args = ffmpegArgs(file, { ...plan, fromSequence: 1 }, { video: '-', audio: '/dev/null' });
    const resumed = runNativeFfmpeg(
      args.slice(args.indexOf('-ss')).filter((a) => a !== '-nostdin'),
    );
    const fb = 64 * 36 * 3;
    expect(resumed.subarray(0, 30 * fb).equals(whole.subarray(30 * fb, 60 * fb))).toBe(true);
  });
});
