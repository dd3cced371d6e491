// The audio section in a real Chromium: the demo project's clips get their 193 features from the
// worker pool and are stored for every movie; both audio networks then train in the training
// worker and show their per-label F1.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, type BrowserSession } from './chromium';
import { loadDemo } from './demo';
import { DEMO_MOVIES } from '../../src/lib/demo/demo-project';

describe('audio section', () => {
  let session: BrowserSession & { errors: string[] };
  const baseUrl = inject('baseUrl');

  beforeAll(async () => {
    session = await openBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('computes and stores features for every demo clip', { timeout: 900_000 }, async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('no-project').waitFor();
    await loadDemo(page);
    const table = page.getByTestId('audio-features');
    await expect
      .poll(() => table.locator('tbody tr').count(), { timeout: 30_000 })
      .toBe(DEMO_MOVIES.length);
    await page.getByTestId('compute-audio-features').click();
    const computed = async () =>
      ((await table.locator('tbody').textContent()) ?? '').match(/computed/g)?.length ?? 0;
    await expect.poll(computed, { timeout: 600_000 }).toBe(DEMO_MOVIES.length);

    expect(session.errors).toEqual([]);
  });

  it('trains both networks on them in the training worker', { timeout: 600_000 }, async () => {
    const audio = session.page.locator('#audio');
    await audio.getByLabel('Epochs').fill('3');
    await audio.getByLabel(/Keep labels used at least/).fill('3');
    await audio.getByTestId('train-audio').click();
    await audio.getByTestId('audio-per-label').waitFor({ timeout: 300_000 });
    // rows: paper, improved; cells: network, epoch, F1, precision, recall
    const cell = (row: number, col: number) =>
      audio.getByTestId('audio-results').locator('tbody tr').nth(row).locator('td').nth(col);
    await expect.poll(() => cell(1, 1).textContent(), { timeout: 300_000 }).toBe('3');
    expect(await cell(0, 1).textContent()).toBe('3');
    expect(Number(await cell(1, 2).textContent())).toBeGreaterThanOrEqual(0);
  });
});
