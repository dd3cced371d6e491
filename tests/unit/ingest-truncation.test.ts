// An MP4 cut short before its index (moov at the end) must be named truncated, not "not a movie":
// `mp4EndsInsideABox` finds a top-level box running past the file's end, and nothing else.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mp4EndsInsideABox } from '../../src/lib/ingest/mp4-truncation';

const media = (name: string) => resolve('static/media', name);
const work = mkdtempSync(join(tmpdir(), 'truncation-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const box = (type: string, size: number, body = 0) => {
  const b = Buffer.alloc(8 + body);
  b.writeUInt32BE(size);
  b.write(type, 4, 'latin1');
  return b;
};

describe('mp4EndsInsideABox', () => {
  it('finds the cut in truncated MP4s, the index at the end or at the front', async () => {
    // The fixture's ffprobe says only "moov atom not found", as for a file that never had one.
    expect(() =>
      execFileSync('ffprobe', ['-v', 'error', media('truncated-moov-end.mp4')], { stdio: 'pipe' }),
    ).toThrow(/moov atom not found/);
    expect(await mp4EndsInsideABox(await openAsBlob(media('truncated-moov-end.mp4')))).toBe(true);
    expect(await mp4EndsInsideABox(await openAsBlob(media('truncated.mp4')))).toBe(true);
  });

  it('says nothing of whole files, whatever the place of their index', async () => {
    const moovAtEnd = join(work, 'moov-at-end.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      media('h264-aac.mp4'),
      '-c',
      'copy',
      moovAtEnd,
    ]);
    for (const path of [moovAtEnd, media('h264-aac.mp4'), media('long-300s.mp4')]) {
      expect(await mp4EndsInsideABox(await openAsBlob(path)), path).toBe(false);
    }
  });

  it('says nothing of other formats, noise and empty files', async () => {
    for (const name of ['mkv-h264-aac.mkv', 'truncated.mkv', 'random-bytes.mp4', 'empty.mp4']) {
      expect(await mp4EndsInsideABox(await openAsBlob(media(name))), name).toBe(false);
    }
  });

  it('reads 64-bit box sizes, and takes a box "to the end of the file" as whole', async () => {
    const large = box('mdat', 1, 8);
    large.writeBigUInt64BE(1n << 33n, 8);
    expect(await mp4EndsInsideABox(new Blob([box('ftyp', 16, 8), large]))).toBe(true);
    large.writeBigUInt64BE(BigInt(large.length), 8);
    expect(await mp4EndsInsideABox(new Blob([box('ftyp', 16, 8), large]))).toBe(false);
    expect(await mp4EndsInsideABox(new Blob([box('ftyp', 16, 8), box('mdat', 0, 64)]))).toBe(false);
  });
});
