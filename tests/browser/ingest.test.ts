// Movie ingest in the real page: fixture files are dropped through the file input, decoded by the
// ffmpeg.wasm worker or the WebCodecs worker (MP4/MOV, MKV/WebM whose codec the browser decodes), stored per
// sequence, and compared with native ffmpeg's output of the same sampling rule
// (`-vf fps=1,scale=W:H`), which is FFmpeg 5.1 too.
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser } from './chromium';
import { useBrowser } from './use-browser';
import { nativeAudio, nativeFrames } from '../native-ffmpeg';
import { audioFilter, videoFilter } from '../../src/lib/ingest/plan';

const media = (name: string) => resolve('static/media', name);

const nativeFramesOf = (name: string, filter: string) => nativeFrames(media(name), filter);
const nativeAudioOf = (name: string, channels: number) =>
  nativeAudio(media(name), audioFilter(channels));

interface MovieFields {
  name: string;
  state: string;
  sequencesDone: number;
  sequencesTotal: number;
  settings: { width: number; height: number; channelOrder: string };
  error?: string;
  decoder?: string;
}
interface RawMovie extends MovieFields {
  frames: string[];
  audio: string[];
}
interface StoredMovie extends MovieFields {
  /** Per sequence, uint8 frames. */
  frames: Uint8Array[];
  /** Per sequence, float32 mono samples. */
  audio: Float32Array[];
}

/** Reads a movie with all its sequences and clips straight from IndexedDB. */
async function readMovie(page: Page, name: string): Promise<StoredMovie | null> {
  const raw = await page.evaluate(
    (name) =>
      new Promise<RawMovie | null>((resolve, reject) => {
        const req = indexedDB.open('cinebreath');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction(['movies', 'sequences', 'audioClips']);
          const all = tx.objectStore('movies').getAll();
          let movie: RawMovie | null = null;
          let seqs: IDBRequest | null = null;
          let clips: IDBRequest | null = null;
          all.onsuccess = () => {
            movie = (all.result as RawMovie[]).find((x) => x.name === name) ?? null;
            if (!movie) return;
            const id = (movie as unknown as { id: string }).id;
            const range = IDBKeyRange.bound([id, 0], [id, Infinity]);
            seqs = tx.objectStore('sequences').getAll(range);
            clips = tx.objectStore('audioClips').getAll(range);
          };
          tx.oncomplete = () => {
            if (!movie || !seqs || !clips) return resolve(null);
            // Bytes travel as latin1 strings: far cheaper than number arrays.
            const latin1 = (buf: ArrayBuffer) => {
              const bytes = new Uint8Array(buf);
              let text = '';
              for (let i = 0; i < bytes.length; i += 8192) {
                text += String.fromCharCode(...bytes.subarray(i, i + 8192));
              }
              return text;
            };
            const frames = (seqs.result as { frames: ArrayBuffer }[]).map((s) => latin1(s.frames));
            const audio = (clips.result as { samples: ArrayBuffer }[]).map((c) =>
              latin1(c.samples),
            );
            resolve({ ...movie, frames, audio });
          };
        };
      }),
    name,
  );
  if (!raw) return null;
  const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
  return {
    ...raw,
    frames: raw.frames.map(bytes),
    audio: raw.audio.map((t) => new Float32Array(bytes(t).buffer)),
  };
}

function concat(parts: (Uint8Array | Float32Array)[]): number[] {
  return parts.flatMap((p) => Array.from(p));
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Mean absolute pixel difference from native ffmpeg, logged for the README's figure. */
function madVsNative(label: string, stored: number[], native: Uint8Array): number {
  expect(native.length).toBeGreaterThanOrEqual(stored.length);
  const mad = meanAbsDiff(stored, native.subarray(0, stored.length));
  console.log(`MAD vs native ffmpeg, ${label}: ${mad.toFixed(4)} over ${stored.length} bytes`);
  return mad;
}

function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [sab, saa, sbb] = [0, 0, 0];
  a.forEach((_, i) => {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Alignment: the fixtures' tone has amplitude 0.1 + 0.1·(s mod 8) at second s; the clips start at
 * second `firstS`. The measured loudness per second follows that pattern, and follows it worse
 * when shifted by one second either way.
 */
function expectAligned(audio: number[], firstS: number) {
  const seconds = Math.floor(audio.length / 22050) - 2;
  const loudness = (shift: number) =>
    Array.from({ length: seconds }, (_, i) => {
      const s = i + 1 + shift;
      const w = audio.slice(s * 22050 + 2000, (s + 1) * 22050 - 2000);
      return Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    });
  const pattern = Array.from({ length: seconds }, (_, i) => 0.1 + 0.1 * ((i + 1 + firstS) % 8));
  const fit = correlation(loudness(0), pattern);
  expect(fit).toBeGreaterThan(0.99);
  expect(correlation(loudness(-1), pattern)).toBeLessThan(fit - 0.2);
  expect(correlation(loudness(1), pattern)).toBeLessThan(fit - 0.2);
}

/** Mean absolute difference of stored audio from native's, logged for the README's figure. */
function audioDiffVsNative(label: string, audio: number[], native: Float32Array): number {
  expect(native.length).toBeGreaterThanOrEqual(audio.length - 22050);
  const ref = Array.from({ length: audio.length }, (_, i) => native[i] ?? 0);
  const diff = meanAbsDiff(audio, ref);
  console.log(`audio vs native ffmpeg, ${label}: mean abs. difference ${diff.toExponential(2)}`);
  return diff;
}

async function drop(page: Page, ...names: string[]) {
  await page.getByTestId('movie-files').setInputFiles(names.map(media));
}

/** The movie's record alone (cheap enough to poll). */
async function movieRecord(page: Page, name: string) {
  return page.evaluate(
    (name) =>
      new Promise<{ state: string; sequencesDone: number } | null>((resolve, reject) => {
        const req = indexedDB.open('cinebreath');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result.transaction('movies').objectStore('movies').getAll();
          all.onsuccess = () =>
            resolve(
              (all.result as { name: string; state: string; sequencesDone: number }[]).find(
                (m) => m.name === name,
              ) ?? null,
            );
        };
      }),
    name,
  );
}

async function waitForState(page: Page, name: string, state: string, timeout = 120_000) {
  await expect
    .poll(async () => (await movieRecord(page, name))?.state, { timeout, interval: 250 })
    .toBe(state);
}

/** Drops `stretched` as they are and the 2.39:1 film cropped to fill, and waits for the latter. */
async function dropWithScopeCropped(page: Page, ...stretched: string[]) {
  await drop(page, ...stretched);
  const fit = page.getByRole('combobox').filter({ hasText: 'stretch' });
  await fit.selectOption('crop');
  await drop(page, 'scope-239.mp4');
  await waitForState(page, 'scope-239', 'complete', 180_000);
  await fit.selectOption('stretch');
}

describe('movie ingest (ffmpeg.wasm)', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('New project name').fill('Ingest test');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('project').filter({ hasText: 'Ingest test' }).waitFor();
    await page.getByTestId('decoder-choice').selectOption('ffmpeg.wasm');
  });

  it('turns an H.264/AAC MP4 into the frames and audio native ffmpeg makes', async () => {
    const { page } = session;
    await drop(page, 'h264-aac.mp4');
    await waitForState(page, 'h264-aac', 'complete');
    const movie = (await readMovie(page, 'h264-aac'))!;
    // 65 s → 65 frames → two whole sequences; the 5-s remainder is dropped.
    expect(movie.sequencesTotal).toBe(2);
    expect(movie.frames).toHaveLength(2);
    expect(movie.settings.channelOrder).toBe('rgb');
    expect(movie.decoder).toBe('ffmpeg.wasm (chosen in the settings)');
    const native = nativeFramesOf(
      'h264-aac.mp4',
      videoFilter({ width: 64, height: 36, fit: 'stretch' }),
    );
    expect(native.length).toBe(65 * 64 * 36 * 3);
    const stored = concat(movie.frames);
    expect(stored.length).toBe(60 * 64 * 36 * 3);
    expect(madVsNative('h264-aac', stored, native)).toBeLessThan(0.5);
    // The fixture's red channel encodes the second: (40·k + 30) mod 256.
    const frameBytes = 64 * 36 * 3;
    for (const k of [0, 1, 7, 31, 59]) {
      const frame = stored.slice(k * frameBytes, (k + 1) * frameBytes);
      let red = 0;
      for (let i = 0; i < frame.length; i += 3) red += frame[i];
      expect(Math.abs(red / (64 * 36) - ((40 * k + 30) % 256))).toBeLessThan(6);
    }
    // Audio: one 30-s clip per sequence, mono 22050 Hz, equal to native ffmpeg's.
    expect(movie.audio).toHaveLength(2);
    for (const clip of movie.audio) expect(clip.length).toBe(30 * 22050);
    const audio = concat(movie.audio);
    const ref = nativeAudioOf('h264-aac.mp4', 2);
    expect(meanAbsDiff(audio, ref.subarray(0, audio.length))).toBeLessThan(1e-3);
    expectAligned(audio, 0);
  });

  it('decodes VP9/Opus WebM, a 2.39:1 film cropped to fill and 23.976 fps, dropped together', async () => {
    const { page } = session;
    await dropWithScopeCropped(page, 'vp9-opus.webm', 'ntsc-23976.mp4');
    const cases = [
      { file: 'vp9-opus.webm', name: 'vp9-opus', fit: 'stretch', sequences: 1, channels: 2 },
      { file: 'ntsc-23976.mp4', name: 'ntsc-23976', fit: 'stretch', sequences: 2, channels: 2 },
      { file: 'scope-239.mp4', name: 'scope-239', fit: 'crop', sequences: 1, channels: 0 },
    ] as const;
    for (const c of cases) {
      const movie = (await readMovie(page, c.name))!;
      expect(movie.state).toBe('complete');
      expect(movie.frames).toHaveLength(c.sequences);
      const native = nativeFramesOf(c.file, videoFilter({ width: 64, height: 36, fit: c.fit }));
      const stored = concat(movie.frames);
      expect(madVsNative(c.name, stored, native)).toBeLessThan(0.5);
      if (c.channels) {
        const audio = concat(movie.audio);
        expect(audio.length).toBe(c.sequences * 30 * 22050);
        const ref = nativeAudioOf(c.file, c.channels);
        expect(meanAbsDiff(audio, ref.subarray(0, audio.length))).toBeLessThan(1e-3);
      } else {
        expect(movie.audio).toHaveLength(0);
      }
    }
    // Cropping a 2.39:1 film to 16:9 loses its sides: the green ramp (left → right) is steeper.
    const stretched = nativeFramesOf(
      'scope-239.mp4',
      videoFilter({ width: 64, height: 36, fit: 'stretch' }),
    );
    const cropped = (await readMovie(page, 'scope-239'))!.frames[0];
    const greenAt = (f: ArrayLike<number>, x: number) => f[(18 * 64 + x) * 3 + 1];
    expect(greenAt(cropped, 0)).toBeGreaterThan(greenAt(stretched, 0) + 15);
  });

  it('names the file and the reason for each bad input, and leaves other movies alone', async () => {
    const { page } = session;
    const before = (await readMovie(page, 'h264-aac'))!;
    await drop(
      page,
      'empty.mp4',
      'random-bytes.mp4',
      'audio-only.mp4',
      'short-12s.mp4',
      'truncated.mp4',
      'truncated-moov-end.mp4',
    );
    const alerts = page.getByRole('alert');
    const expected = [
      /“empty.mp4”: the file is empty/,
      /“random-bytes.mp4”: it is not a movie file that could be read/,
      /“audio-only.mp4”: it has no video stream/,
      /“short-12s.mp4”: it is 12 s long: shorter than one 30-s sequence/,
      /“truncated.mp4”: the file is truncated/,
      // The index was at the end: FFmpeg only says "moov atom not found".
      /“truncated-moov-end.mp4”: the file is truncated \(it ends before its index/,
    ];
    for (const text of expected) {
      await expect
        .poll(() => alerts.allTextContents(), { timeout: 120_000 })
        .toEqual(expect.arrayContaining([expect.stringMatching(text)]));
    }
    const truncated = (await readMovie(page, 'truncated'))!;
    expect(truncated.state).toBe('failed');
    expect(truncated.frames).toHaveLength(0);
    for (const name of ['empty', 'random-bytes', 'audio-only', 'short-12s', 'truncated-moov-end']) {
      expect(await readMovie(page, name)).toBeNull();
    }
    const after = (await readMovie(page, 'h264-aac'))!;
    expect(after.frames.map((f) => Buffer.from(f).toString('base64'))).toEqual(
      before.frames.map((f) => Buffer.from(f).toString('base64')),
    );
    expect(session.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('recognises the same file dropped again', async () => {
    const { page } = session;
    await drop(page, 'h264-aac.mp4');
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/“h264-aac.mp4” is already in this project/),
        ]),
      );
  });

  it('cancels mid-ingest, survives a reload, and resumes from the last stored sequence', async () => {
    const { page } = session;
    await drop(page, 'long-300s.mp4');
    await expect
      .poll(async () => (await movieRecord(page, 'long-300s'))?.sequencesDone ?? 0, {
        timeout: 120_000,
        interval: 100,
      })
      .toBeGreaterThan(0);
    const cancelRow = page.locator('tr[data-movie="long-300s"]');
    await cancelRow.getByRole('button', { name: 'Cancel' }).click();
    // Sequences already decoded when Cancel is pressed are still stored (decoder-client.ts); the
    // row offers Resume once that is done, and from then on nothing may change.
    await cancelRow.getByRole('button', { name: 'Resume' }).waitFor();
    const cancelled = (await readMovie(page, 'long-300s'))!;
    expect(cancelled.state).toBe('incomplete');
    expect(cancelled.sequencesDone).toBeLessThan(10);
    await page.waitForTimeout(1500);
    expect((await readMovie(page, 'long-300s'))!.sequencesDone).toBe(cancelled.sequencesDone);

    // After the reload the decoder choice is back to automatic: the rest is decoded by WebCodecs,
    // and the movie must still equal native ffmpeg's as a whole.
    await page.reload();
    const row = page.locator('tr[data-movie="long-300s"]');
    await expect.poll(() => row.getByTestId('state').textContent()).toContain('incomplete');
    const chooser = page.waitForEvent('filechooser');
    await row.getByRole('button', { name: 'Resume' }).click();
    await (await chooser).setFiles(media('long-300s.mp4'));
    await waitForState(page, 'long-300s', 'complete');
    const movie = (await readMovie(page, 'long-300s'))!;
    expect(movie.frames).toHaveLength(10);
    expect(movie.decoder).toMatch(/^WebCodecs \(avc1\./);
    const native = nativeFramesOf(
      'long-300s.mp4',
      videoFilter({ width: 64, height: 36, fit: 'stretch' }),
    );
    const stored = concat(movie.frames);
    expect(madVsNative('long-300s (resumed)', stored, native)).toBeLessThan(0.5);
  });
});

describe('movie ingest (WebCodecs)', () => {
  const baseUrl = inject('baseUrl');
  const stretch = videoFilter({ width: 64, height: 36, fit: 'stretch' });
  const session = useBrowser(async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('New project name').fill('WebCodecs test');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('project').filter({ hasText: 'WebCodecs test' }).waitFor();
  });

  it('decodes H.264 MP4 with VideoDecoder: frames close to native, audio equal, counts equal', async () => {
    const { page } = session;
    // This Chromium's VideoDecoder takes H.264 (the path is real here, not a fallback).
    expect(await page.evaluate(() => typeof VideoDecoder)).toBe('function');
    expect(await page.getByTestId('decoder-notice').count()).toBe(0);
    await dropWithScopeCropped(page, 'h264-aac.mp4', 'ntsc-23976.mp4');
    const cases = [
      { file: 'h264-aac.mp4', name: 'h264-aac', fit: 'stretch', sequences: 2, frames: 65 },
      { file: 'ntsc-23976.mp4', name: 'ntsc-23976', fit: 'stretch', sequences: 2, frames: 61 },
      { file: 'scope-239.mp4', name: 'scope-239', fit: 'crop', sequences: 1, frames: 31 },
    ] as const;
    for (const c of cases) {
      const movie = (await readMovie(page, c.name))!;
      expect(movie.state).toBe('complete');
      expect(movie.decoder).toMatch(/^WebCodecs \(avc1\./);
      expect(movie.frames).toHaveLength(c.sequences);
      const native = nativeFramesOf(c.file, videoFilter({ width: 64, height: 36, fit: c.fit }));
      expect(native.length).toBe(c.frames * 64 * 36 * 3);
      const stored = concat(movie.frames);
      expect(stored.length).toBe(c.sequences * 30 * 64 * 36 * 3);
      expect(madVsNative(`WebCodecs ${c.name}`, stored, native)).toBeLessThan(0.1);
    }
    // Audio comes from AudioDecoder in the same pass (AAC at 44.1 and 48 kHz): one 30-s clip per
    // sequence, equal to native's (which the ffmpeg.wasm path equals too) and aligned.
    for (const [name, rate] of [
      ['h264-aac', 44100],
      ['ntsc-23976', 48000],
    ] as const) {
      const movie = (await readMovie(page, name))!;
      expect(movie.decoder).toMatch(/^WebCodecs \(avc1\.\w+ \+ mp4a\.40\.2\)$/);
      expect(movie.audio).toHaveLength(2);
      for (const clip of movie.audio) expect(clip.length).toBe(30 * 22050);
      const audio = concat(movie.audio);
      const ref = nativeAudioOf(`${name}.mp4`, 2);
      expect(audioDiffVsNative(`AudioDecoder ${name} (${rate} Hz)`, audio, ref)).toBeLessThan(1e-3);
      expectAligned(audio, 0);
    }
    expect(
      await page.locator('tr[data-movie="h264-aac"]').getByTestId('decoder').textContent(),
    ).toMatch(/WebCodecs \(avc1\./);
  });

  it('decodes AV1/AAC (from an offset, audio included) and VP9/Opus in MP4 with WebCodecs', async () => {
    const { page } = session;
    await drop(page, 'vp9-in-mp4.mp4');
    await waitForState(page, 'vp9-in-mp4', 'complete');
    await page.getByLabel('Start offset (s)').fill('1');
    await drop(page, 'av1-aac.mp4');
    await waitForState(page, 'av1-aac', 'complete');
    await page.getByLabel('Start offset (s)').fill('0');
    const cases = [
      {
        name: 'av1-aac',
        codec: /^WebCodecs \(av01\.[\w.]+ \+ mp4a\.40\.2\)$/,
        offset: ['-ss', '1'],
        audio: 'AudioDecoder',
        tolerance: 1e-6,
      },
      // Opus (24 kb/s) by AudioDecoder too: libopus, not FFmpeg's decoder (see canDecodeAudio).
      {
        name: 'vp9-in-mp4',
        codec: /^WebCodecs \(vp09\.[\w.]+ \+ opus\)$/,
        offset: [],
        audio: 'AudioDecoder (Opus)',
        // libopus vs FFmpeg's Opus decoder: native ffmpeg's own two differ by 4.7e-5 here.
        tolerance: 1e-4,
      },
    ];
    for (const c of cases) {
      const movie = (await readMovie(page, c.name))!;
      expect(movie.decoder).toMatch(c.codec);
      // 32 s (31 s after the 1-s offset) → one whole sequence of frames and one clip.
      expect(movie.frames).toHaveLength(1);
      const native = nativeFrames(media(`${c.name}.mp4`), stretch, c.offset);
      expect(native.length).toBe((32 - c.offset.length / 2) * 64 * 36 * 3);
      const stored = concat(movie.frames);
      expect(madVsNative(`WebCodecs ${c.name}`, stored, native)).toBeLessThan(0.1);
      const frameBytes = 64 * 36 * 3;
      const firstS = c.offset.length ? 1 : 0;
      for (const k of [0, 5, 29]) {
        let red = 0;
        for (let i = k * frameBytes; i < (k + 1) * frameBytes; i += 3) red += stored[i];
        expect(Math.abs(red / (64 * 36) - ((40 * (k + firstS) + 30) % 256))).toBeLessThan(6);
      }
      expect(movie.audio).toHaveLength(1);
      expect(movie.audio[0].length).toBe(30 * 22050);
      const audio = concat(movie.audio);
      const ref = nativeAudio(media(`${c.name}.mp4`), audioFilter(2), c.offset);
      expect(audioDiffVsNative(`${c.audio} ${c.name}`, audio, ref)).toBeLessThan(c.tolerance);
      expectAligned(audio, firstS);
    }
  });

  it('decodes H.264/AAC MKV and VP9/Opus WebM through the Matroska demuxer, audio by AudioDecoder', async () => {
    const { page } = session;
    await drop(page, 'mkv-h264-aac.mkv', 'vp9-opus.webm');
    await waitForState(page, 'mkv-h264-aac', 'complete');
    await waitForState(page, 'vp9-opus', 'complete');
    const cases = [
      {
        file: 'mkv-h264-aac.mkv',
        name: 'mkv-h264-aac',
        codec: /^WebCodecs \(avc1\.64000c \+ mp4a\.40\.2\)$/,
        seconds: 65,
        sequences: 2,
        audio: 'AudioDecoder (AAC in MKV)',
        tolerance: 1e-6,
      },
      {
        file: 'vp9-opus.webm',
        name: 'vp9-opus',
        codec: /^WebCodecs \(vp09\.00\.11\.08 \+ opus\)$/,
        seconds: 34,
        sequences: 1,
        // libopus vs FFmpeg's Opus decoder, as for Opus in MP4 above.
        audio: 'AudioDecoder (Opus in WebM)',
        tolerance: 1e-4,
      },
    ];
    const frameBytes = 64 * 36 * 3;
    for (const c of cases) {
      const movie = (await readMovie(page, c.name))!;
      expect(movie.decoder).toMatch(c.codec);
      expect(movie.frames).toHaveLength(c.sequences);
      const native = nativeFramesOf(c.file, stretch);
      expect(native.length).toBe(c.seconds * frameBytes);
      const stored = concat(movie.frames);
      expect(stored.length).toBe(c.sequences * 30 * frameBytes);
      expect(madVsNative(`WebCodecs ${c.file}`, stored, native)).toBeLessThan(0.1);
      for (const k of [0, 5, 29]) {
        let red = 0;
        for (let i = k * frameBytes; i < (k + 1) * frameBytes; i += 3) red += stored[i];
        expect(Math.abs(red / (64 * 36) - ((40 * k + 30) % 256))).toBeLessThan(6);
      }
      expect(movie.audio).toHaveLength(c.sequences);
      for (const clip of movie.audio) expect(clip.length).toBe(30 * 22050);
      const audio = concat(movie.audio);
      const ref = nativeAudioOf(c.file, 2);
      expect(audioDiffVsNative(`${c.audio} ${c.file}`, audio, ref)).toBeLessThan(c.tolerance);
      expectAligned(audio, 0);
    }
  });

  it('starts at the offset and ends at the end cut, like native ffmpeg with -ss', async () => {
    const { page } = session;
    await page.getByLabel('Start offset (s)').fill('15');
    await page.getByTestId('end-s').fill('200');
    await drop(page, 'long-300s.mp4');
    await waitForState(page, 'long-300s', 'complete', 180_000);
    await page.getByLabel('Start offset (s)').fill('0');
    await page.getByTestId('end-s').fill('');
    const movie = (await readMovie(page, 'long-300s'))!;
    // 185 s kept → 6 whole sequences (not the 10 of the whole 300-s film).
    expect(movie.sequencesTotal).toBe(6);
    expect(movie.frames).toHaveLength(6);
    expect(movie.decoder).toMatch(/^WebCodecs/);
    const native = nativeFrames(media('long-300s.mp4'), stretch, ['-ss', '15']);
    expect(madVsNative('WebCodecs long-300s from 15 s', concat(movie.frames), native)).toBeLessThan(
      0.1,
    );
  });

  it('names truncated files (both decoders when both fail) and decodes SVT-AV1 with WebCodecs', async () => {
    const { page } = session;
    await drop(page, 'truncated.mp4', 'svt-av1.mp4', 'truncated.mkv', 'truncated-moov-end.mp4');
    // A truncated MKV: the Matroska demuxer finds its Segment running past the file's end, and
    // ffmpeg.wasm, which then decodes what is there, stops short too; the message names both.
    await expect
      .poll(() => page.getByRole('alert').allTextContents(), { timeout: 120_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /“truncated.mkv”: the file is truncated .*; WebCodecs failed before it: the file is truncated/,
          ),
        ]),
      );
    await expect
      .poll(() => page.getByRole('alert').allTextContents(), { timeout: 120_000 })
      .toEqual(
        expect.arrayContaining([expect.stringMatching(/“truncated.mp4”: the file is truncated/)]),
      );
    // Its index cut off with the end: the index reader finds none, and the probe names the cut.
    await expect
      .poll(() => page.getByRole('alert').allTextContents(), { timeout: 120_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/“truncated-moov-end.mp4”: the file is truncated \(it ends before/),
        ]),
      );
    const truncated = (await readMovie(page, 'truncated'))!;
    expect(truncated.state).toBe('failed');
    expect(truncated.frames).toHaveLength(0);
    // SVT-AV1 (hidden frames; FFmpeg marks its non-reference pictures disposable in sdtp, and
    // skipping them made VideoDecoder fail): decoded by WebCodecs, as native ffmpeg decodes it
    // (ffmpeg.wasm has no software AV1 decoder to fall back on).
    await expect
      .poll(async () => (await movieRecord(page, 'svt-av1'))?.state ?? '', { timeout: 120_000 })
      .toBe('complete');
    const svt = (await readMovie(page, 'svt-av1'))!;
    expect(svt.decoder).toMatch(/^WebCodecs \(av01/);
    const native = nativeFramesOf('svt-av1.mp4', stretch);
    expect(svt.frames).toHaveLength(Math.floor(native.length / (30 * 64 * 36 * 3)));
    expect(madVsNative('WebCodecs svt-av1', concat(svt.frames), native)).toBeLessThan(0.1);
    expect(session.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

describe('movie ingest (VideoDecoder failing mid-file)', () => {
  const baseUrl = inject('baseUrl');
  const stretch = videoFilter({ width: 64, height: 36, fit: 'stretch' });
  const session = useBrowser(async () => {
    const { page, context } = session;
    // The browser's VideoDecoder is made to fail as it does on some real files (an SVT-AV1 stream
    // with hidden frames): from the chunk at 255 s on, it closes and reports "Decoding error".
    // VideoDecoder lives in workers the WebCodecs worker starts, whose script fetches the route
    // does not see: the WebCodecs worker's own script is given a Worker whose script imports the
    // real one and then replaces VideoDecoder (used only once messages arrive).
    const failing = `
      const Real = VideoDecoder;
      globalThis.VideoDecoder = class extends Real {
        #error;
        constructor(init) { super(init); this.#error = init.error; }
        decode(chunk) {
          if (chunk.timestamp < 255e6) return super.decode(chunk);
          this.close();
          this.#error(new DOMException('Decoding error.', 'EncodingError'));
        }
      };`;
    const prelude = `{
      const RealWorker = Worker;
      globalThis.Worker = class extends RealWorker {
        constructor(url, options) {
          const real = JSON.stringify(new URL(url, location.href).href);
          const source = 'import ' + real + ';' + ${JSON.stringify(failing)};
          super(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), options);
        }
      };
    }\n`;
    await context.route('**/webcodecs.worker*.js', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: prelude + (await response.text()) });
    });
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('New project name').fill('Failing decoder');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('project').filter({ hasText: 'Failing decoder' }).waitFor();
  });

  it('keeps what WebCodecs stored and decodes the rest with ffmpeg.wasm, saying so', async () => {
    const { page } = session;
    await drop(page, 'long-300s.mp4');
    await waitForState(page, 'long-300s', 'complete', 180_000);
    const movie = (await readMovie(page, 'long-300s'))!;
    // Sequences 0–7 (to 240 s) were complete before the failure at 255 s.
    const switched =
      'ffmpeg.wasm from 240 s (WebCodecs before: VideoDecoder failed: Decoding error.)';
    expect(movie.decoder).toBe(switched);
    expect(
      await page.locator('tr[data-movie="long-300s"]').getByTestId('decoder').textContent(),
    ).toBe(switched);
    expect(movie.frames).toHaveLength(10);
    const native = nativeFramesOf('long-300s.mp4', stretch);
    const stored = concat(movie.frames);
    const split = 240 * 64 * 36 * 3;
    // WebCodecs' part ≈ 0.01 from native, ffmpeg.wasm's bit-identical.
    expect(madVsNative('WebCodecs to 240 s', stored.slice(0, split), native)).toBeLessThan(0.1);
    expect(
      madVsNative('ffmpeg.wasm from 240 s', stored.slice(split), native.subarray(split)),
    ).toBeLessThan(0.01);
  });
});

describe('demo project video', () => {
  it('goes through the real decoder when the demo project loads', async () => {
    const session = await openBrowser();
    try {
      const { page } = session;
      await page.goto(`${inject('baseUrl')}/`);
      await page.getByRole('button', { name: 'Load demo project' }).click();
      await waitForState(page, 'Four Scenes', 'complete', 240_000);
      const movie = (await readMovie(page, 'Four Scenes'))!;
      expect(movie.frames).toHaveLength(4);
      expect(movie.audio).toHaveLength(4);
      const reference = nativeFrames(resolve('public/demo/four-scenes.mp4'));
      const stored = concat(movie.frames);
      expect(madVsNative('demo four-scenes', stored, reference)).toBeLessThan(0.5);
      await page.getByTestId('frame-strip').waitFor();
    } finally {
      await session.close();
    }
  });
});
