// Describing a movie from its container index (`describeFromIndex`) must say exactly what
// ffprobe says (through the same `parseProbe` the ffmpeg.wasm probe uses) wherever it answers at
// all, and answer for the usual H.264 MP4/MKV films so that their ingest skips the ffmpeg.wasm
// probe. Colour tags are checked on small files made here with native ffmpeg: VUI only,
// container tags only, both agreeing; mono AAC, MP3 and fragmented MP4 still take the probe.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFromIndex, spsColour } from '../../src/lib/ingest/index-probe';
import { isMatroska, readMatroskaIndex } from '../../src/lib/ingest/mkv-index';
import { readVideoIndex } from '../../src/lib/ingest/mp4-index';
import { parseProbe, type MediaInfo } from '../../src/lib/ingest/probe';

const media = (name: string) => resolve('static/media', name);
const work = mkdtempSync(join(tmpdir(), 'index-probe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ffprobe(path: string): MediaInfo {
  const json = execFileSync('ffprobe', [
    ...['-v', 'error', '-of', 'json', '-show_format', '-show_streams', path],
  ]).toString();
  return parseProbe(json);
}

async function fromIndex(path: string): Promise<MediaInfo | null> {
  const blob = (await openAsBlob(path)) as File;
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  const index = await (isMatroska(head) ? readMatroskaIndex(blob) : readVideoIndex(blob));
  return describeFromIndex(index);
}

/** Checks the index's description against ffprobe's; returns whether it answered. */
async function check(path: string): Promise<boolean> {
  const ours = await fromIndex(path);
  if (!ours) return false;
  const probe = ffprobe(path);
  const { frameRate, ...rest } = ours;
  const { frameRate: probeRate, ...probeRest } = probe;
  expect(rest).toEqual(probeRest);
  expect(Math.abs(frameRate - probeRate) / probeRate).toBeLessThan(1e-3);
  return true;
}

/** A 32-s 64×36 H.264 clip (+ audio) made with native ffmpeg; `args` go before the output. */
function make(name: string, args: string[], audio = 'sine=f=440:r=48000:d=32'): string {
  const out = join(work, name);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=64x36:r=24:d=32'],
    ...(audio ? ['-f', 'lavfi', '-i', audio] : []),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...args, out],
  ]);
  return out;
}

describe('describing a movie from its index instead of ffprobe', () => {
  it('answers for the H.264 fixtures, exactly as ffprobe', async () => {
    for (const name of ['h264-aac.mp4', 'ntsc-23976.mp4', 'long-300s.mp4', 'mkv-h264-aac.mkv']) {
      expect(await check(media(name)), name).toBe(true);
    }
  });

  it('leaves other codecs to the probe', async () => {
    for (const name of ['vp9-opus.webm', 'vp9-in-mp4.mp4', 'av1-aac.mp4', 'svt-av1.mp4']) {
      expect(await fromIndex(media(name)), name).toBeNull();
    }
  });

  it('reads colour from the SPS and the container tags as ffprobe does', async () => {
    const bt709 = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'];
    const stereo = ['-c:a', 'aac', '-ac', '2'];
    /** Stream copy of `from` with container tags only (the SPS is left as it was). */
    const retag = (from: string, name: string, tags: string[]) => {
      const out = join(work, name);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', from, '-c', 'copy', ...tags, out]);
      return out;
    };
    const untagged = make('untagged.mp4', stereo);
    const vui709 = make('vui-709.mp4', [...stereo, ...bt709]);
    const cases: [string, string][] = [
      [make('vui-709-full.mp4', [...stereo, ...bt709, '-color_range', 'pc']), 'bt709/true'],
      [make('vui-709.mkv', [...stereo, ...bt709]), 'bt709/false'],
      [
        make('vui-601.mp4', [...stereo, '-colorspace', 'smpte170m', '-color_range', 'tv']),
        'bt601/false',
      ],
      [untagged, 'bt601/false'],
      [make('untagged.mkv', stereo), 'bt601/false'],
      [retag(untagged, 'colr-only.mp4', [...bt709, '-color_range', 'pc']), 'bt709/true'],
      [retag(untagged, 'colour-only.mkv', [...bt709, '-color_range', 'pc']), 'bt709/true'],
    ];
    for (const [path, colour] of cases) {
      const probe = ffprobe(path);
      expect(`${probe.colour.matrix}/${probe.colour.fullRange}`, path).toBe(colour);
      expect(await check(path), path).toBe(true);
    }
    // SPS and container disagreeing: which one ffprobe believes is left to ffprobe.
    for (const name of ['disagree.mp4', 'disagree.mkv']) {
      const path = retag(vui709, name, ['-colorspace', 'smpte170m', '-color_range', 'pc']);
      expect(await fromIndex(path), name).toBeNull();
    }
  });

  it('leaves mono AAC, other audio codecs and fragmented MP4 to the probe', async () => {
    const mono = make('mono.mp4', ['-c:a', 'aac', '-ac', '1']);
    expect(await fromIndex(mono)).toBeNull();
    const mp3 = make('mp3.mkv', ['-c:a', 'libmp3lame', '-ac', '2']);
    expect(await fromIndex(mp3)).toBeNull();
    const fragmented = make('fragmented.mp4', [
      '-c:a',
      'aac',
      '-movflags',
      'frag_keyframe+empty_moov',
    ]);
    expect(await fromIndex(fragmented)).toBeNull();
    const silent = make('silent.mp4', [], '');
    expect(await check(silent)).toBe(true);
  });

  it('reads VUI fields past scaling lists and a long SAR', () => {
    // A High-profile SPS written by hand: scaling matrix present (one list), extended SAR, full
    // range, matrix 1 (BT.709). Bits: see spsColour.
    const bits =
      '01100100' +
      '00000000' +
      '00101000' + // profile 100, constraints, level 40
      '1' + // sps id 0
      '010' +
      '1' +
      '1' +
      '0' + // chroma 1, bit depths 0, 0, no bypass
      '1' +
      '1' +
      '1'.repeat(16) +
      '0000000' + // scaling matrix: list 0 all-zero deltas, 7 absent
      '1' +
      '1' +
      '1' + // log2 frame num 0, poc type 0, log2 poc lsb 0
      '010' +
      '0' +
      '1' +
      '1' + // 1 ref frame, no gaps, width 1 mb, height 1 mb
      '1' +
      '1' +
      '0' + // frame_mbs_only, direct_8x8, no cropping
      '1' +
      '1' +
      '11111111' +
      '0'.repeat(15) +
      '1' +
      '0'.repeat(15) +
      '1' + // VUI, SAR 255 1:1
      '0' +
      '1' +
      '101' +
      '1' +
      '1' +
      '00000001' +
      '00000001' +
      '00000001' +
      '1';
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    const bytes = [0x67];
    for (let i = 0; i < padded.length; i += 8) bytes.push(parseInt(padded.slice(i, i + 8), 2));
    expect(spsColour(new Uint8Array(bytes))).toEqual({ matrix: 1, fullRange: true });
  });
});
