// The ingest's pure parts: cutting raw streams into sequences, ffprobe parsing and failure reasons
// on the real fixtures (native ffprobe), the file identity, and the credits detector.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SequenceAssembler } from '../../src/lib/ingest/assembler';
import { creditsStart, isCreditFrame } from '../../src/lib/ingest/credits';
import { fileIdentity, sameFile } from '../../src/lib/ingest/identity';
import { failureReason, parseProbe } from '../../src/lib/ingest/probe';
import type { DecodedSequence } from '../../src/lib/ingest/protocol';
import { AUDIO_CLIP_SAMPLES } from '../../src/lib/shapes';

const media = (name: string) => resolve('static/media', name);
const probe = (name: string) =>
  execFileSync('ffprobe', [
    '-v',
    'error',
    '-of',
    'json',
    '-show_format',
    '-show_streams',
    media(name),
  ]).toString();

describe('SequenceAssembler', () => {
  it('hands out whole sequences in order, whatever the chunking, once frames and audio are in', () => {
    const out: DecodedSequence[] = [];
    const a = new SequenceAssembler(2, 1, true, 3, 5, (s) => out.push(s));
    const frameBytes = 2 * 1 * 3;
    const video = Uint8Array.from({ length: frameBytes * 65 }, (_, i) => i % 251);
    for (let i = 0; i < video.length; i += 7) a.pushVideo(video.subarray(i, i + 7));
    expect(out).toHaveLength(0); // no audio yet
    const audio = new Uint8Array(AUDIO_CLIP_SAMPLES * 4 * 1.5).fill(1);
    a.pushAudio(audio);
    expect(out.map((s) => s.index)).toEqual([3]);
    a.end(); // the short audio tail completes the second sequence, padded with silence
    expect(out.map((s) => s.index)).toEqual([3, 4]);
    expect(a.finished).toBe(true);
    expect(new Uint8Array(out[1].frames)).toEqual(video.subarray(30 * frameBytes, 60 * frameBytes));
    const tail = new Uint8Array(out[1].audio!);
    expect(tail[0]).toBe(1);
    expect(tail[tail.length - 1]).toBe(0);
  });

  it('cuts audio alone with a 0×0 frame size (the WebCodecs path makes the frames)', () => {
    const out: DecodedSequence[] = [];
    const a = new SequenceAssembler(0, 0, true, 2, 4, (s) => out.push(s));
    a.pushAudio(new Uint8Array(AUDIO_CLIP_SAMPLES * 4 + 8).fill(2));
    expect(out.map((s) => [s.index, s.frames.byteLength])).toEqual([[2, 0]]);
    a.end();
    expect(out.map((s) => s.index)).toEqual([2, 3]);
    expect(new Uint8Array(out[1].audio!)[0]).toBe(2);
    expect(a.finished).toBe(true);
  });

  it('drops an incomplete last sequence', () => {
    const out: DecodedSequence[] = [];
    const a = new SequenceAssembler(1, 1, false, 0, 9, (s) => out.push(s));
    a.pushVideo(new Uint8Array(3 * 59));
    a.end();
    expect(out).toHaveLength(1);
    expect(out[0].audio).toBeNull();
  });
});

describe('probe', () => {
  it('reads duration, frame rate, size and audio channels', () => {
    const info = parseProbe(probe('ntsc-23976.mp4'));
    expect(info.durationS).toBeCloseTo(61, 0);
    expect(info.frameRate).toBeCloseTo(23.976, 2);
    expect([info.width, info.height, info.videoCodec, info.audioChannels]).toEqual([
      320,
      180,
      'h264',
      2,
    ]);
    expect(parseProbe(probe('vp9-opus.webm')).videoCodec).toBe('vp9');
    expect(parseProbe(probe('scope-239.mp4')).audioChannels).toBe(0);
  });

  it('names what is wrong with bad files', () => {
    expect(() => parseProbe(probe('audio-only.mp4'))).toThrow('it has no video stream');
    expect(() => parseProbe('{}')).toThrow('not a movie file');
    expect(
      failureReason([
        '[mov,mp4] moov atom not found',
        'x: Invalid data found when processing input',
      ]),
    ).toMatch(/moov atom not found/);
    expect(failureReason(['Decoder (codec hevc) not found for input stream #0:0'])).toBe(
      'its codec hevc is not supported',
    );
    // ffmpeg.wasm's log for an AV1 file (its AV1 decoder needs hardware), as seen in Chromium.
    expect(
      failureReason([
        "[av1 @ 0xdeeec0] Your platform doesn't suppport hardware accelerated AV1 decoding.",
        '[av1 @ 0xdeeec0] Failed to get pixel format.',
        'Error while decoding stream #0:0: Invalid data found when processing input',
      ]),
    ).toBe('ffmpeg.wasm cannot decode AV1 (it has no software AV1 decoder)');
  });
});

describe('file identity', () => {
  it('tells the same file from a different one of the same name and size', async () => {
    const bytes = readFileSync(media('h264-aac.mp4'));
    const a = await fileIdentity(new File([bytes], 'movie.mp4'));
    const b = await fileIdentity(new File([bytes], 'movie.mp4'));
    const changed = Buffer.from(bytes);
    changed[changed.length - 10] ^= 0xff;
    const c = await fileIdentity(new File([changed], 'movie.mp4'));
    expect(sameFile(a, b)).toBe(true);
    expect(sameFile(a, c)).toBe(false);
    expect(a.size).toBe(bytes.length);
  });
});

describe('credits detector', () => {
  const frame = (dark: boolean) => {
    const f = new Uint8Array(64 * 36 * 3).fill(dark ? 10 : 140);
    if (dark) f.fill(250, 0, 64 * 3 * 4); // a few lines of white text
    return f;
  };

  it('classifies dark frames with a little text as credits', () => {
    expect(isCreditFrame(frame(true))).toBe(true);
    expect(isCreditFrame(frame(false))).toBe(false);
  });

  it('finds the credit run that ends the movie, tolerating a short logo', () => {
    const flags = [
      ...Array(300).fill(false),
      ...Array(10).fill(true), // a dark scene mid-film
      ...Array(200).fill(false),
      ...Array(40).fill(true),
      false,
      false,
      ...Array(30).fill(true),
      false, // a last logo
    ];
    expect(creditsStart(flags)).toBe(510);
    expect(creditsStart(Array(100).fill(false))).toBeNull();
    expect(creditsStart([...Array(100).fill(false), ...Array(10).fill(true)])).toBeNull();
  });
});
