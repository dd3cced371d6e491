// One smoke suite for every engine configuration (engines.ts): Chromium, Firefox with default
// prefs (no WebGPU on Linux), Firefox with WebGPU switched on. What each must do: load the demo
// project; ingest an H.264 MP4 through WebCodecs matching native ffmpeg; ingest an HEVC MKV
// through ffmpeg.wasm (no browser here decodes HEVC); refuse a bad file leaving the store as it
// was; render the frames strip and the activation maps; import a model file through Share; train
// the autoencoder a few steps on each backend it offers, equal to the CPU backend; run the custom
// WebGPU kernels equal to the CPU where it has WebGPU. Its figures feed docs/browsers.md.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENGINES, type EnginePage } from './engines';
import { nativeFrames, runNativeFfmpeg } from '../native-ffmpeg';
import { videoFilter } from '../../src/lib/ingest/plan';
import { buildAutoencoder } from '../../src/lib/models/autoencoder';
import { writeModelFiles } from '../model-files';
import type { BatchNormCase, ConvCase, ReduceCase } from './harness/kernels.harness';

/**
 * Firefox hands out BGRX pictures it converted itself (BT.709 by its frames' colorSpace, libyuv's
 * arithmetic), read back by inverting that conversion: MAD 0.24 on h264-aac (Chromium's I420
 * 0.011; read back as ffmpeg's BT.601 it was 6.30), what remains being libyuv's fixed-point
 * rounding and the colours its RGB clipped. Bounded as the ffmpeg.wasm path is.
 */
const FIREFOX_WEBCODECS_MAD = 0.5;

const media = (name: string) => resolve('static/media', name);
const STRETCH = videoFilter({ width: 64, height: 36, fit: 'stretch' });

/** A 31-s HEVC/AAC Matroska file made by native ffmpeg (no fixture: libx265 makes it in ~2 s). */
function hevcMkv(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cinebreath-smoke-')), 'hevc-aac.mkv');
  runNativeFfmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=24:d=31'],
    ...['-f', 'lavfi', '-i', 'sine=f=440:d=31', '-c:v', 'libx265', '-preset', 'ultrafast'],
    ...['-x265-params', 'log-level=error', '-c:a', 'aac', '-shortest', path],
  ]);
  return path;
}

interface Stored {
  state: string;
  decoder?: string;
  /** The sequences' frames, latin1 (bytes travel far cheaper as text). */
  frames: string[];
}

/** A movie's record and its stored frames, read straight from IndexedDB. */
function stored(page: EnginePage, name: string): Promise<Stored | null> {
  return page.evaluate(
    (name) =>
      new Promise<Stored | null>((resolve, reject) => {
        const req = indexedDB.open('cinebreath');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction(['movies', 'sequences']);
          const all = tx.objectStore('movies').getAll();
          let movie: (Stored & { id: string; name: string }) | undefined;
          let seqs: IDBRequest | null = null;
          all.onsuccess = () => {
            movie = (all.result as (Stored & { id: string; name: string })[]).find(
              (m) => m.name === name,
            );
            if (movie)
              seqs = tx
                .objectStore('sequences')
                .getAll(IDBKeyRange.bound([movie.id, 0], [movie.id, Infinity]));
          };
          tx.oncomplete = () => {
            req.result.close();
            if (!movie || !seqs) return resolve(null);
            const latin1 = (buf: ArrayBuffer) => {
              const bytes = new Uint8Array(buf);
              let text = '';
              for (let i = 0; i < bytes.length; i += 8192)
                text += String.fromCharCode(...bytes.subarray(i, i + 8192));
              return text;
            };
            const frames = (seqs.result as { frames: ArrayBuffer }[]).map((s) => latin1(s.frames));
            resolve({ state: movie.state, decoder: movie.decoder, frames });
          };
        };
      }),
    name,
  );
}

async function ingested(page: EnginePage, name: string, timeout = 180_000): Promise<Stored> {
  await expect
    .poll(async () => (await stored(page, name))?.state, { timeout, interval: 500 })
    .toMatch(/^(complete|failed)$/);
  return (await stored(page, name))!;
}

function madVsNative(label: string, movie: Stored, native: Buffer): number {
  const bytes = Buffer.from(movie.frames.join(''), 'latin1');
  expect(bytes.length).toBeGreaterThan(0);
  expect(native.length).toBeGreaterThanOrEqual(bytes.length);
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += Math.abs(bytes[i] - native[i]);
  const mad = sum / bytes.length;
  console.log(`smoke: ${label}: MAD vs native ffmpeg ${mad.toFixed(4)}`);
  return mad;
}

const textOf = (page: EnginePage, selector: string) =>
  page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.textContent ?? ''), selector);

const clickButton = (page: EnginePage, label: string) =>
  page.evaluate((label) => {
    const button = [...document.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === label,
    );
    if (!button) throw new Error(`no button ${label}`);
    button.click();
  }, label);

/** Distinct colours (4 bits per channel) over the canvases matching `selector`. */
const canvasColours = (page: EnginePage, selector: string) =>
  page.evaluate((s) => {
    const colours = new Set<number>();
    for (const el of document.querySelectorAll<HTMLCanvasElement>(s)) {
      if (!el.width || !el.height) continue;
      const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
      for (let i = 0; i < data.length; i += 4)
        colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
    }
    return colours.size;
  }, selector);

/** Clicks the button around the picture with this alt text; false while there is none. */
const clickPicture = (page: EnginePage, alt: string) =>
  page.evaluate((alt) => {
    const button = document.querySelector(`img[alt="${alt}"]`)?.closest('button');
    button?.click();
    return !!button;
  }, alt);

/** Clicks the first button whose text contains `text`; false while there is none. */
const clickMatching = (page: EnginePage, text: string) =>
  page.evaluate((text) => {
    const button = [...document.querySelectorAll('button')].find((b) =>
      b.textContent?.includes(text),
    );
    button?.click();
    return !!button;
  }, text);

type Harness = {
  harness: {
    models: {
      compareTraining(
        steps: number,
      ): Promise<{ cpu: { losses: number[] }; webgpu: { losses: number[] } }>;
    };
    kernels: {
      conv3dErrors(c: ConvCase): Promise<{ y: number; dx: number; dw: number }>;
      reduceError(c: ReduceCase): Promise<{ error: number; sameShape: boolean }>;
      batchNormErrors(c: BatchNormCase): Promise<number[]>;
    };
  };
};

for (const engine of ENGINES) {
  describe(`smoke: ${engine.name}`, () => {
    const baseUrl = inject('baseUrl');
    let page: EnginePage;
    let started = 0;
    beforeAll(async () => {
      started = performance.now();
      page = await engine.open();
    });
    afterAll(async () => {
      await page?.close();
      console.log(`smoke: ${engine.name}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    });

    it('loads the app and the demo project', async () => {
      await page.goto(`${baseUrl}/`);
      await expect.poll(() => textOf(page, '[data-testid="no-project"]')).toHaveLength(1);
      await clickButton(page, 'Load demo project');
      await expect
        .poll(async () => (await textOf(page, '[data-testid="project"]')).join(''), {
          timeout: 120_000,
        })
        .toContain('Demo study');
    });

    it('ingests an H.264 MP4 through WebCodecs, as native ffmpeg scales it', async () => {
      expect(await page.evaluate(() => typeof VideoDecoder, null)).toBe('function');
      await page.setFiles('[data-testid="movie-files"]', [media('h264-aac.mp4')]);
      const movie = await ingested(page, 'h264-aac');
      expect(movie.state).toBe('complete');
      expect(movie.decoder).toMatch(/^WebCodecs \(avc1\./);
      expect(movie.frames).toHaveLength(2);
      const native = nativeFrames(media('h264-aac.mp4'), STRETCH);
      expect(madVsNative(`${engine.name} WebCodecs h264-aac`, movie, native)).toBeLessThan(
        engine.name.startsWith('Firefox') ? FIREFOX_WEBCODECS_MAD : 0.1,
      );
    });

    it('ingests an HEVC MKV through ffmpeg.wasm', async () => {
      const file = hevcMkv();
      await page.setFiles('[data-testid="movie-files"]', [file]);
      const movie = await ingested(page, 'hevc-aac');
      expect(movie.state).toBe('complete');
      expect(movie.decoder).toMatch(/^ffmpeg\.wasm/);
      expect(movie.frames).toHaveLength(1);
      expect(
        madVsNative(`${engine.name} ffmpeg.wasm HEVC`, movie, nativeFrames(file, STRETCH)),
      ).toBeLessThan(0.5);
    });

    it('refuses a file that is not a movie, leaving the store as it was', async () => {
      const before = await stored(page, 'h264-aac');
      await page.setFiles('[data-testid="movie-files"]', [media('random-bytes.mp4')]);
      await expect
        .poll(async () => (await textOf(page, '[role="alert"]')).join('\n'), { timeout: 60_000 })
        .toMatch(/“random-bytes.mp4”: it is not a movie file that could be read/);
      expect(await stored(page, 'random-bytes')).toBeNull();
      expect(await stored(page, 'h264-aac')).toEqual(before);
    });

    it('renders the views: frames and the activation maps of an untrained encoder', async () => {
      const alerts = await textOf(page, '[role="alert"]');
      // The Frames & audio strip of the demo's first movie, painted from the stored bytes.
      await expect
        .poll(() => canvasColours(page, '#frames canvas'), { timeout: 60_000 })
        .toBeGreaterThan(20);
      await page.evaluate(() => document.querySelector('#inside')?.scrollIntoView(), null);
      await expect
        .poll(() => clickPicture(page, 'First frame of sequence 3'), { timeout: 60_000 })
        .toBe(true);
      await expect
        .poll(() => clickMatching(page, 'untrained model’s activations'), { timeout: 30_000 })
        .toBe(true);
      await expect
        .poll(() => canvasColours(page, '[data-testid="heatmap-grid"] canvas'), {
          timeout: 240_000,
        })
        .toBeGreaterThan(50);
      expect(await textOf(page, '[role="alert"]')).toEqual(alerts);
    });

    it('imports a model file into the project through the Share section', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cinebreath-smoke-model-'));
      const ae = buildAutoencoder({ batchNorm: true, inputShape: [30, 36, 64, 3], seed: 5 });
      const { json, weights } = await writeModelFiles(ae, 'autoencoder', 'smoke autoencoder', dir);
      ae.dispose();
      await page.setFiles('[data-testid="share-input"]', [json, weights]);
      await expect
        .poll(async () => (await textOf(page, '[data-testid="share-message"]')).join(''), {
          timeout: 60_000,
        })
        .toContain('Imported “smoke autoencoder” (autoencoder');
      await expect
        .poll(async () => (await textOf(page, '[data-testid="share-models"] tbody tr')).join('\n'))
        .toContain('smoke autoencoder');
    });

    it('trains the autoencoder on each backend it offers as on the CPU', async () => {
      await page.goto(`${baseUrl}/tests/browser/harness/index.html`);
      await expect.poll(() => textOf(page, '#ready')).toEqual(['ready']);
      const webgpu = await page.evaluate(
        async () => !!(await navigator.gpu?.requestAdapter()),
        null,
      );
      console.log(`smoke: ${engine.name}: WebGPU adapter ${webgpu}`);
      // Firefox offers WebGPU on Linux only with the prefs; Chromium here always (SwiftShader).
      expect(webgpu).toBe(engine.webgpu);
      if (!webgpu) return;
      const { cpu, webgpu: gpu } = await page.evaluate(
        () => (window as unknown as Harness).harness.models.compareTraining(2),
        null,
      );
      expect(Math.abs(cpu.losses[1] - cpu.losses[0])).toBeGreaterThan(1e-3);
      gpu.losses.forEach((l, i) =>
        expect(Math.abs(l - cpu.losses[i]) / cpu.losses[i]).toBeLessThan(1e-4),
      );
    });

    it('runs the custom WebGPU kernels as the CPU does, where it has WebGPU', async () => {
      if (!engine.webgpu) return;
      const conv = await page.evaluate(
        (c) => (window as unknown as Harness).harness.kernels.conv3dErrors(c),
        { x: [2, 7, 5, 9, 2], f: [3, 2, 3], out: 5, strides: 2, pad: 'same' } as ConvCase,
      );
      expect(Math.max(conv.y, conv.dx, conv.dw)).toBeLessThan(1e-4);
      const reduce = await page.evaluate(
        (c) => (window as unknown as Harness).harness.kernels.reduceError(c),
        { op: 'sum', shape: [3, 30, 9, 16, 5], axes: [3, 0, 2, 1], keepDims: true } as ReduceCase,
      );
      expect(reduce.sameShape).toBe(true);
      expect(reduce.error).toBeLessThan(1e-4);
      const bn = await page.evaluate(
        (c) => (window as unknown as Harness).harness.kernels.batchNormErrors(c),
        { rows: 1037, channels: 65 } as BatchNormCase,
      );
      expect(Math.max(...bn)).toBeLessThan(1e-4);
    });
  });
}
