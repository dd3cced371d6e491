// The Matroska/WebM demuxer of the WebCodecs path (src/lib/ingest/mkv-index.ts) on the committed
// fixtures, whose figures follow from scripts/make-fixtures.sh (and agree with ffprobe's packet
// list), on small files built here for what FFmpeg's muxer never writes (BlockGroups with
// ReferenceBlock, lacing, unknown sizes), and on truncated, damaged and random input.
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMatroska, readMatroskaIndex } from '../../src/lib/ingest/mkv-index';

const media = (name: string) => resolve('static/media', name);
const hex = (b?: Uint8Array) => Buffer.from(b ?? []).toString('hex');
const sortedPts = (pts: number[]) => [...pts].sort((a, b) => a - b);

/** What the demuxer may say about a file it cannot take (the worker then falls back). */
const REASONS = new RegExp(
  'truncated|cut short|cluster time|lace|not a Matroska|no video stream|header is damaged|' +
    'no WebCodecs path|configuration record|unknown duration|has no frames|no Segment|document type',
);

describe('readMatroskaIndex on the fixtures', () => {
  it('indexes the H.264/AAC MKV: 65 s at 24 fps, keyframes, AAC at 44.1 kHz', async () => {
    const file = await openAsBlob(media('mkv-h264-aac.mkv'));
    expect(isMatroska(new Uint8Array(await file.slice(0, 4).arrayBuffer()))).toBe(true);
    const index = await readMatroskaIndex(file);
    // High profile (0x64), level 1.2 (0x0c), as ffprobe reads the stream.
    expect(index.codec).toBe('avc1.64000c');
    expect(index.description?.[0]).toBe(1);
    expect([index.width, index.height]).toEqual([320, 180]);
    expect(index.durationS).toBeCloseTo(65.023, 6);
    // 65 s × 24 fps; FFmpeg's muxer starts the video at 23 ms (B-frame delay, ms ticks).
    expect(index.samples).toHaveLength(1560);
    sortedPts(index.samples.map((s) => s.ptsS)).forEach((p, k) =>
      expect(Math.abs(p - (0.023 + k / 24))).toBeLessThan(0.0005),
    );
    // GOP 48 (2 s) restarted by x264's scene cuts where the colour steps (ffprobe's list).
    const keys = index.samples.filter((s) => s.sync).map((s) => s.ptsS - 0.023);
    expect(index.samples[0].sync).toBe(true);
    expect(keys.map((p) => +p.toFixed(6))).toEqual([
      0, 2, 4, 6, 8, 10, 12, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 32, 34, 36, 38, 40, 42, 44, 45,
      47, 49, 51, 53, 55, 57, 59, 61, 63, 64,
    ]);
    // Samples lie inside the file, in file order, without overlapping.
    const all = [...index.samples, ...index.audio!.samples].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < all.length; i++) {
      expect(all[i].offset).toBeGreaterThanOrEqual(all[i - 1].offset + all[i - 1].size);
    }
    expect(all.at(-1)!.offset + all.at(-1)!.size).toBeLessThanOrEqual(file.size);
    // The first video sample is the IDR picture: length-prefixed NAL units, the first an SEI/IDR.
    const bytes = await readFile(media('mkv-h264-aac.mkv'));
    const first = index.samples[0];
    const lengthSize = (index.description![4] & 3) + 1;
    expect(lengthSize).toBe(4);
    expect(bytes.readUInt32BE(first.offset) + 4).toBeLessThanOrEqual(first.size);

    const audio = index.audio!;
    expect(audio.codec).toBe('mp4a.40.2');
    expect(hex(audio.description).slice(0, 4)).toBe('1210'); // AAC-LC, 44.1 kHz, stereo
    expect([audio.sampleRate, audio.channels]).toEqual([44100, 2]);
    // 1024 samples a frame: ⌈65·44100/1024⌉ + the encoder's priming frame = 2801.
    expect(audio.samples).toHaveLength(2801);
    audio.samples.forEach((s, k) =>
      expect(Math.abs(s.ptsS - (k * 1024) / 44100)).toBeLessThan(0.001),
    );
    // One pass over the file, in windows: nothing read twice.
    expect(index.bytesRead).toBe(file.size);
  });

  it('indexes the VP9/Opus WebM: an empty CodecPrivate, Opus with its CodecDelay', async () => {
    const index = await readMatroskaIndex(await openAsBlob(media('vp9-opus.webm')));
    // Profile 0 from the first frame's header, 8 bits, level 1.1 for 320×180.
    expect(index.codec).toBe('vp09.00.11.08');
    expect(index.description).toBeUndefined();
    expect(index.durationS).toBeCloseTo(34.008, 6);
    // 34 s × 25 fps, a keyframe every 50 frames; on ffmpeg's clock (start −7 ms: the Opus
    // CodecDelay of 6.5 ms, in ms ticks) the video starts at 14 ms.
    expect(index.samples).toHaveLength(850);
    expect(index.samples.filter((s) => s.sync)).toHaveLength(17);
    index.samples.forEach((s, k) => {
      expect(Math.abs(s.ptsS - (0.014 + k / 25))).toBeLessThan(0.0005);
      expect(s.sync).toBe(k % 50 === 0);
    });
    const audio = index.audio!;
    expect(audio.codec).toBe('opus');
    expect([audio.sampleRate, audio.channels]).toEqual([48000, 2]);
    // OpusHead, version 1, 2 channels, pre-skip rewritten to 0, 48 kHz input.
    expect(hex(audio.description)).toBe('4f707573486561640102000080bb0000000000');
    // 20-ms packets; the last one is in a BlockGroup (its DiscardPadding trims the tail).
    expect(audio.samples).toHaveLength(1701);
    // Each 0.5 ms later than its block: FFmpeg's decoder drops the 312 pre-skip samples and moves
    // the time on by 7 ms (the pre-skip in ms ticks), AudioDecoder drops nothing.
    expect(audio.samples[0].ptsS).toBeCloseTo(0.0005, 9);
    audio.samples.slice(1).forEach((s, i) => {
      expect(Math.abs(s.ptsS - (0.0215 + i * 0.02))).toBeLessThan(0.0006);
    });
  });

  it('refuses truncated, damaged and foreign input with a reason, never hanging', async () => {
    const bytes = await readFile(media('vp9-opus.webm'));
    const blob = (b: Uint8Array) => new Blob([Uint8Array.from(b)]);
    await expect(readMatroskaIndex(blob(bytes.subarray(0, bytes.length >> 1)))).rejects.toThrow(
      'the file is truncated',
    );
    await expect(readMatroskaIndex(await openAsBlob(media('truncated.mkv')))).rejects.toThrow(
      'the file is truncated',
    );
    await expect(readMatroskaIndex(blob(bytes.subarray(0, 30)))).rejects.toThrow(REASONS);
    await expect(readMatroskaIndex(blob(new Uint8Array(0)))).rejects.toThrow(REASONS);
    const mp4 = await readFile(media('h264-aac.mp4'));
    expect(isMatroska(mp4)).toBe(false);
    await expect(readMatroskaIndex(blob(mp4))).rejects.toThrow(/not a Matroska/);
    // The magic followed by random bytes, and the WebM with bytes overwritten at random places.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const noise = Uint8Array.from({ length: 4096 }, () => (random() * 256) | 0);
    noise.set([0x1a, 0x45, 0xdf, 0xa3]);
    await expect(readMatroskaIndex(blob(noise))).rejects.toThrow(REASONS);
    for (let trial = 0; trial < 40; trial++) {
      const damaged = Uint8Array.from(bytes);
      for (let i = 0; i < 8; i++) {
        damaged[(random() * (trial < 20 ? 2000 : damaged.length)) | 0] = (random() * 256) | 0;
      }
      try {
        const index = await readMatroskaIndex(blob(damaged));
        for (const s of index.samples)
          expect(s.offset + s.size).toBeLessThanOrEqual(damaged.length);
      } catch (e) {
        expect((e as Error).message).toMatch(REASONS);
      }
    }
  });
});

// A minimal EBML writer for the structures FFmpeg's muxer does not write.
const sizeVint = (n: number) => [0x08, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const idBytes = (id: number) => {
  const out: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v & 255);
  return out;
};
const el = (id: number, ...parts: (number[] | Uint8Array)[]): number[] => {
  const body = parts.flatMap((p) => Array.from(p));
  return [...idBytes(id), ...sizeVint(body.length), ...body];
};
const unknownSize = (id: number, ...parts: number[][]) => [...idBytes(id), 0xff, ...parts.flat()];
const u = (id: number, v: number) => el(id, [v >> 8, v & 255]);
const text = (id: number, s: string) =>
  el(
    id,
    [...s].map((c) => c.charCodeAt(0)),
  );
/** A block body: track 1-byte vint, relative time, flags, then `rest`. */
const block = (track: number, rel: number, flags: number, rest: number[]) => [
  0x80 | track,
  (rel >> 8) & 255,
  rel & 255,
  flags,
  ...rest,
];
const opusHead = [...'OpusHead']
  .map((c) => c.charCodeAt(0))
  .concat([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]);
/** Opus frames of `n` bytes whose TOC says 20 ms (CELT, config 31, one frame). */
const opusFrame = (n: number, fill: number) => [0xf8, ...Array<number>(n - 1).fill(fill)];

function syntheticFile(): Uint8Array<ArrayBuffer> {
  const header = el(0x1a45dfa3, text(0x4282, 'webm'));
  const tracks = el(
    0x1654ae6b,
    el(0xae, u(0xd7, 1), u(0x83, 1), text(0x86, 'V_VP9'), el(0xe0, u(0xb0, 640), u(0xba, 360))),
    el(
      0xae,
      u(0xd7, 2),
      u(0x83, 2),
      text(0x86, 'A_OPUS'),
      el(0x63a2, opusHead),
      el(0xe1, u(0x9f, 1)),
    ),
    // A second audio track (another language): the first audio track is the one indexed.
    el(0xae, u(0xd7, 3), u(0x83, 2), text(0x86, 'A_OPUS'), el(0x63a2, opusHead)),
  );
  // Timecode 1000 ms; a keyframe BlockGroup, a BlockGroup with ReferenceBlock (not a keyframe).
  const keyFrame = [0x82, 0x49, 0x83, 0x42, 0x00, 1, 2, 3]; // VP9 profile 0 keyframe start
  const cluster1 = el(
    0x1f43b675,
    u(0xe7, 1000),
    el(0xa0, el(0xa1, block(1, 0, 0, keyFrame))),
    // Xiph lacing: 3 frames of 3, 300 and 5 bytes (300 = 255 + 45).
    el(
      0xa3,
      block(2, 0, 0x82, [
        2,
        3,
        255,
        45,
        ...opusFrame(3, 1),
        ...opusFrame(300, 2),
        ...opusFrame(5, 3),
      ]),
    ),
    el(0xa3, block(3, 0, 0x80, opusFrame(7, 0))),
    el(0xa0, el(0xa1, block(1, 40, 0, [9, 9, 9])), el(0xfb, [0xd8])),
  );
  // An unknown-size cluster (as live WebM writers make), ended by the next cluster.
  const cluster2 = unknownSize(
    0x1f43b675,
    u(0xe7, 1080),
    // EBML lacing: 3 frames of 4, 6 (4 + 2) and 3 bytes.
    el(
      0xa3,
      block(2, -20, 0x86, [
        2,
        0x84,
        0xbf + 3 - 1,
        ...opusFrame(4, 4),
        ...opusFrame(6, 5),
        ...opusFrame(3, 6),
      ]),
    ),
    el(0xa3, block(1, 0, 0x00, [7, 7])),
  );
  const cluster3 = el(
    0x1f43b675,
    u(0xe7, 1120),
    // Fixed lacing: 2 frames of 4 bytes; then a SimpleBlock keyframe.
    el(0xa3, block(2, 0, 0x84, [1, ...opusFrame(4, 7), ...opusFrame(4, 8)])),
    el(0xa3, block(1, 0, 0x80, keyFrame)),
  );
  const segment = el(
    0x18538067,
    el(0x1549a966, el(0x2ad7b1, [0x0f, 0x42, 0x40])),
    tracks,
    cluster1,
    cluster2,
    cluster3,
  );
  return Uint8Array.from([...header, ...segment]);
}

describe('readMatroskaIndex on built files', () => {
  it('takes BlockGroups, ReferenceBlock, Xiph/EBML/fixed lacing and unknown-size clusters', async () => {
    const bytes = syntheticFile();
    const index = await readMatroskaIndex(new Blob([bytes]));
    expect(index.codec).toBe('vp09.00.21.08');
    expect([index.width, index.height]).toEqual([640, 360]);
    const at = (s: { offset: number; size: number }) =>
      Array.from(bytes.subarray(s.offset, s.offset + s.size));
    // Video: key (BlockGroup without ReferenceBlock), delta (with one), delta, key (SimpleBlock).
    expect(index.samples.map((s) => s.sync)).toEqual([true, false, false, true]);
    expect(index.samples.map((s) => +s.ptsS.toFixed(6))).toEqual([0, 0.04, 0.08, 0.12]);
    expect(at(index.samples[1])).toEqual([9, 9, 9]);
    expect(at(index.samples[2])).toEqual([7, 7]);
    const audio = index.audio!;
    expect(audio.codec).toBe('opus');
    expect(audio.channels).toBe(1);
    // Laced frames follow each other by their TOC's 20 ms; an EBML lace starts at 1060 ms; all
    // 0.5 ms late (the 312-sample pre-skip in ms ticks, as FFmpeg places the decoded samples).
    expect(audio.samples.map((s) => s.size)).toEqual([3, 300, 5, 4, 6, 3, 4, 4]);
    expect(audio.samples.map((s) => at(s)[1])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(audio.samples.map((s) => +(s.ptsS - 0.0005).toFixed(6))).toEqual([
      0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14,
    ]);
  });

  it('refuses laced audio whose frames have no known duration, and codecs it has no path for', async () => {
    const bytes = syntheticFile();
    // A code-3 TOC (frame count in the packet) in the first laced block: duration unknown.
    const lace = bytes.findIndex((b, i) => b === 0xf8 && bytes[i + 1] === 1);
    const codeThree = Uint8Array.from(bytes);
    codeThree[lace] = 0xfb;
    await expect(readMatroskaIndex(new Blob([codeThree]))).rejects.toThrow(/unknown duration/);
    const hevc = Buffer.from(bytes).toString('latin1').replace('V_VP9', 'V_MP9');
    await expect(readMatroskaIndex(new Blob([Buffer.from(hevc, 'latin1')]))).rejects.toThrow(
      'no WebCodecs path for the Matroska codec V_MP9',
    );
  });
});
