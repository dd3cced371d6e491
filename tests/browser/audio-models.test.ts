// Trained audio networks in a real Chromium: the Audio section trains both scene networks (on
// scene-dependent features standing in for computed ones, which take minutes on 2 cores), keeps
// them in the project across a reload, the Share section downloads the improved one as .cbmodel
// and takes it back, and the copy answers exactly what the original does, with the same
// standardisation statistics.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from './chromium';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';
import type { RoundTrip } from './harness/audio-models.harness';

type Harness = {
  harness: {
    'experiments-ui': { seedSceneFeatures(id: string): Promise<number> };
    'audio-models': { compareRoundTrips(id: string): Promise<RoundTrip[]> };
  };
};

async function withHarness<T>(page: Page, baseUrl: string, fn: (h: Page) => Promise<T>) {
  const harness = await page.context().newPage();
  await harness.goto(`${baseUrl}/tests/browser/harness/index.html`);
  await expect.poll(() => harness.locator('#ready').textContent()).toBe('ready');
  try {
    return await fn(harness);
  } finally {
    await harness.close();
  }
}

describe('kept audio models', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'cinebreath-audio-models-'));

  it(
    'trains, keeps, downloads and re-imports the audio scene networks',
    { timeout: 300_000 },
    async () => {
      const { page } = session;
      await page.goto(baseUrl);
      await loadDemo(page);
      const projectId = (await page.evaluate(() =>
        localStorage.getItem('cinebreath.currentProject'),
      ))!;
      await withHarness(page, baseUrl, (h) =>
        h.evaluate(
          (id) => (window as unknown as Harness).harness['experiments-ui'].seedSceneFeatures(id),
          projectId,
        ),
      );
      await page.reload();

      const audio = page.locator('#audio');
      await audio.scrollIntoViewIfNeeded();
      await audio.getByLabel('Epochs', { exact: true }).fill('60');
      await audio.getByLabel(/Keep labels used at least/).fill('3');
      await audio.getByTestId('train-audio').click();
      await audio.getByTestId('audio-kept').waitFor({ timeout: 180_000 });
      await expect
        .poll(() => audio.getByTestId('audio-kept').textContent(), { timeout: 60_000 })
        .toContain('(improved)');
      expect(await audio.getByTestId('audio-scene-split').textContent()).toMatch(
        /\d+ train \/ \d+ validation/,
      );
      // The improved network learnt the scenes: every demo label is on in under half the
      // clips, so the majority-class predictor scores F1 0.
      const f1 = await audio
        .getByTestId('audio-results')
        .locator('tbody tr')
        .nth(1)
        .locator('td')
        .nth(2)
        .textContent();
      expect(Number(f1)).toBeGreaterThan(0.5);

      // Kept across a reload, listed in Share.
      await page.reload();
      const rows = page.getByTestId('share-models').locator('tbody tr');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
      const improved = rows.filter({ hasText: '(improved)' });
      expect(await improved.locator('td').nth(1).textContent()).toBe('audio-scenes');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        improved.getByRole('button', { name: 'one file (.cbmodel)' }).click(),
      ]);
      const path = join(dir, download.suggestedFilename());
      await download.saveAs(path);
      expect(download.suggestedFilename()).toMatch(/\.cbmodel$/);
      await page.getByTestId('share-input').setInputFiles({
        name: download.suggestedFilename(),
        mimeType: 'application/octet-stream',
        buffer: readFileSync(path),
      });
      await expect
        .poll(() => page.getByTestId('share-message').textContent(), { timeout: 60_000 })
        .toContain('(audio-scenes, input [193]');
      await expect.poll(() => rows.count()).toBe(3);

      const trips = await withHarness(page, baseUrl, (h) =>
        h.evaluate(
          (id) => (window as unknown as Harness).harness['audio-models'].compareRoundTrips(id),
          projectId,
        ),
      );
      expect(trips).toHaveLength(1);
      expect(trips[0]).toMatchObject({
        kind: 'audio-scenes',
        normalisation: 'standardised',
        sameNormalisation: true,
        maxDifference: 0,
      });
      expect(trips[0].outputs).toBeGreaterThan(1);
      expect(session.errors).toEqual([]);
    },
  );
});
