// The audio section in a real Chromium: the demo project's clips get their 193 features from the
// worker pool, and both audio networks train in the training worker with live per-epoch results
// and a per-label F1 table.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, type BrowserSession } from './chromium';

describe('audio section', () => {
  let session: BrowserSession & { errors: string[] };
  const baseUrl = inject('baseUrl');

  beforeAll(async () => {
    session = await openBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  it(
    'computes features for the demo clips and trains both networks',
    { timeout: 900_000 },
    async () => {
      const { page } = session;
      await page.goto(`${baseUrl}/`);
      await page.getByTestId('no-project').waitFor();
      await page.getByRole('button', { name: 'Load demo project' }).click();
      await expect
        .poll(() => page.getByTestId('project').textContent(), { timeout: 120_000 })
        .toContain('Demo study');
      const table = page.getByTestId('audio-features');
      await expect.poll(() => table.locator('tbody tr').count(), { timeout: 30_000 }).toBe(3);
      await page.getByTestId('compute-audio-features').click();
      await expect
        .poll(() => table.locator('tbody').textContent(), { timeout: 600_000 })
        .toMatch(/^(?:(?!—).)*computed(?:(?!—).)*computed(?:(?!—).)*computed(?:(?!—).)*$/s);

      await page.getByLabel('Epochs').fill('3');
      await page.getByLabel(/Keep labels used at least/).fill('3');
      await page.getByTestId('train-audio').click();
      await page.getByTestId('audio-per-label').waitFor({ timeout: 300_000 });
      await expect
        .poll(() => page.getByTestId('audio-results').textContent(), { timeout: 300_000 })
        .toMatch(/improved[^]*\b3\b/);
      expect(session.errors).toEqual([]);
    },
  );
});
