// The WebCodecs audio path hands AAC-LC to AudioDecoder as ADTS, several frames a chunk: the
// headers it writes must make the same stream. Native ffmpeg decodes the MP4 fixtures' AAC frames,
// each behind the header `adtsFraming` makes, as an ADTS file: the samples must equal those it
// decodes from the MP4 itself.
import { mkdtempSync, openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readVideoIndex, type AudioIndex } from '../../src/lib/ingest/mp4-index';
import { adtsFraming } from '../../src/lib/ingest/webcodecs-audio';
import { nativeAudio } from '../native-ffmpeg';

const media = (name: string) => resolve('static/media', name);
const work = mkdtempSync(join(tmpdir(), 'adts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('adtsFraming', () => {
  for (const name of ['h264-aac.mp4', 'ntsc-23976.mp4']) {
    it(`frames ${name}'s AAC as an ADTS stream ffmpeg decodes to the same samples`, async () => {
      const path = media(name);
      const { audio } = await readVideoIndex((await openAsBlob(path)) as File);
      const header = adtsFraming(audio!)!;
      expect(header).not.toBeNull();
      const file = readFileSync(path);
      const parts = audio!.samples.flatMap((s) => [
        Uint8Array.from(header(s.size)),
        file.subarray(s.offset, s.offset + s.size),
      ]);
      const adts = join(work, `${name}.aac`);
      writeFileSync(adts, Buffer.concat(parts));
      const fromAdts = nativeAudio(adts, 'anull');
      const fromMp4 = nativeAudio(path, 'anull');
      // The MP4's edit list trims AAC's priming samples; the ADTS file has no edit list.
      const priming = fromAdts.length - fromMp4.length;
      expect(priming).toBeGreaterThanOrEqual(0);
      expect(priming).toBeLessThan(2 * 1024 * audio!.channels);
      const decoded = fromAdts.subarray(priming);
      let differing = 0;
      for (let i = 0; i < fromMp4.length; i++) if (decoded[i] !== fromMp4[i]) differing++;
      expect(fromMp4.length).toBeGreaterThan(44100);
      expect(differing).toBe(0);
    });
  }

  it('leaves what ADTS cannot carry whole to raw frames: SBR, channels from a PCE, Opus', () => {
    const aac = (description: number[]): AudioIndex => ({
      codec: 'mp4a.40.2',
      description: Uint8Array.from(description),
      sampleRate: 48000,
      channels: 2,
      samples: [],
    });
    expect(adtsFraming(aac([0x11, 0x90]))).not.toBeNull(); // AAC-LC, 48 kHz, stereo
    expect(adtsFraming(aac([0x11, 0x90, 0x56, 0xe5, 0x00]))).not.toBeNull(); // "no SBR" said
    expect(adtsFraming(aac([0x11, 0x90, 0x56, 0xe5, 0x98, 0x00]))).toBeNull(); // SBR present
    expect(adtsFraming(aac([0x2b, 0x11, 0x88, 0x00]))).toBeNull(); // HE-AAC (SBR)
    expect(adtsFraming(aac([0x11, 0x80]))).toBeNull(); // channels in a PCE: ADTS has none
    expect(adtsFraming({ ...aac([0x11, 0x90]), codec: 'opus' })).toBeNull();
  });
});
