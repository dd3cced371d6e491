// The audio section in a real Chromium: the demo project's clips get their 193 features from the
// worker pool and are stored for every movie. (Training in the browser's worker is not covered
// here yet: the trainer itself is tested in tests/unit/audio-mlp.test.ts.)
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
      const computed = async () =>
        ((await table.locator('tbody').textContent()) ?? '').match(/computed/g)?.length ?? 0;
      await expect.poll(computed, { timeout: 600_000 }).toBe(3);

      expect(session.errors).toEqual([]);
    },
  );
});
