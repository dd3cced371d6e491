// Sharing in a real Chromium: the paper's Keras .h5 read through the worker (WORKERFS) computes the
// saved outputs on WebGPU; models and projects go out as downloads and come back through the drop
// zone; bad files get a clear message and change nothing.
import { describe, expect, inject, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';
import { readReference } from '../reference';
import { readNpy } from '../../src/lib/util/npy';

const b64 = (buf: ArrayBuffer) => Buffer.from(buf).toString('base64');

describe('share', () => {
  const baseUrl = inject('baseUrl');
  const dir = mkdtempSync(join(tmpdir(), 'cinebreath-share-'));
  const session = useBrowser();

  it('imports labels_audio.h5 in a worker and reproduces its outputs on WebGPU', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await expect.poll(() => page.locator('#ready').textContent()).toBe('ready');
    const x = readNpy(readReference('keras/audio_input_buddy5.npy'));
    const want = readNpy(readReference('keras/labels_audio_out_buddy5.npy')).data;
    const result = await page.evaluate(
      async ([h5, data, shape]) => {
        const h = (
          window as unknown as {
            harness: Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;
          }
        ).harness;
        await h.backend.initBackend();
        return h.share.predictKeras(h5, 'labels_audio.h5', data, shape) as Promise<{
          backend: string;
          output: number[];
        }>;
      },
      [b64(readReference('keras/labels_audio.h5')), Array.from(x.data), x.shape] as const,
    );
    expect(result.backend).toBe('webgpu');
    expect(result.output).toHaveLength(want.length);
    result.output.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4));

    const whole = readReference('keras/labels_audio.h5');
    const refused = await page.evaluate(
      ([cut]) =>
        (
          window as unknown as {
            harness: { share: { refusal(b: string, n: string): Promise<string> } };
          }
        ).harness.share.refusal(cut, 'cut.h5'),
      [b64(whole.slice(0, 100_000))] as const,
    );
    expect(refused).toMatch(/^InteropError: cut\.h5 is truncated/);
  });

  it('takes models and projects out and back in through the Share section', async () => {
    const { page } = session;
    session.errors.length = 0; // the harness page has no favicon
    await page.goto(`${baseUrl}/`);
    await loadDemo(page);
    const input = page.getByTestId('share-input');
    const message = page.getByTestId('share-message');
    const rows = page.getByTestId('share-models').locator('tbody tr');
    const drop = async (files: { name: string; buffer: Buffer }[]) => {
      await input.setInputFiles(files.map((f) => ({ ...f, mimeType: 'application/octet-stream' })));
    };
    const download = async (name: string | RegExp) => {
      const [d] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name }).first().click(),
      ]);
      const path = join(dir, d.suggestedFilename());
      await d.saveAs(path);
      return { name: d.suggestedFilename(), buffer: readFileSync(path) };
    };

    await drop([
      { name: 'labels_audio.h5', buffer: Buffer.from(readReference('keras/labels_audio.h5')) },
    ]);
    await expect
      .poll(() => message.textContent(), { timeout: 60_000 })
      .toContain('Imported “labels_audio” (audio-scenes, input [193], output [13])');
    await expect.poll(() => rows.count()).toBe(1);

    const single = await download('one file (.cbmodel)');
    expect(single.name).toBe('labels-audio.cbmodel');
    await drop([single]);
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2);

    // Two files: the page asks for two downloads.
    const both = page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.bin'));
    const json = await download('model.json + weights');
    expect(json.name).toBe('labels-audio.json');
    expect((await both).suggestedFilename()).toBe('labels-audio.weights.bin');
    await drop([json]);
    await expect
      .poll(() => message.textContent(), { timeout: 30_000 })
      .toContain('needs its weights file labels-audio.weights.bin');
    await expect(message.getAttribute('role')).resolves.toBe('alert');

    const whole = Buffer.from(readReference('keras/labels_audio.h5'));
    await drop([{ name: 'cut.h5', buffer: whole.subarray(0, 50_000) }]);
    await expect
      .poll(() => message.textContent(), { timeout: 30_000 })
      .toContain('cut.h5 is truncated');
    await drop([{ name: 'model.keras', buffer: Buffer.from('PK\x03\x04 keras 3 archive') }]);
    await expect.poll(() => message.textContent(), { timeout: 30_000 }).toContain('Keras 3');
    expect(await rows.count()).toBe(2);

    const dataset = await download('Download dataset (.npy)');
    expect(dataset.name).toBe('demo-study-dataset.tar');
    expect(dataset.buffer.subarray(257, 262).toString()).toBe('ustar');

    const project = await download('Download project');
    expect(project.name).toBe('demo-study.cinebreath');
    await drop([project]);
    await expect
      .poll(() => message.textContent(), { timeout: 60_000 })
      .toContain('Imported the project “Demo study (imported)”');
    await expect
      .poll(() => page.getByTestId('project').textContent())
      .toContain('Demo study (imported)');
    await expect.poll(() => rows.count()).toBe(2);
    expect(session.errors).toEqual([]);
  });
});
