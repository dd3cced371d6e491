// The audio section in a real Chromium: the demo project's clips get their 193 features from the
// worker pool and are stored for every movie; both audio networks then train in the training
// worker and show their per-label F1; the gas regressors train on the screenings and show their
// MAE per chemical.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';
import { colourPixels, legendLabels, readWithKeys } from './charts';
import { SERIES_COLOURS } from '../../src/lib/views/chart';
import { DEMO_MOVIES } from '../../src/lib/demo/demo-project';

describe('audio section', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

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
    await audio.getByLabel('Epochs', { exact: true }).fill('3');
    await audio.getByLabel(/Keep labels used at least/).fill('3');
    await audio.getByTestId('train-audio').click();
    await audio.getByTestId('audio-per-label').waitFor({ timeout: 300_000 });
    // rows: paper, improved; cells: network, epoch, F1, precision, recall
    const cell = (row: number, col: number) =>
      audio.getByTestId('audio-results').locator('tbody tr').nth(row).locator('td').nth(col);
    await expect.poll(() => cell(1, 1).textContent(), { timeout: 300_000 }).toBe('3');
    expect(await cell(0, 1).textContent()).toBe('3');
    expect(Number(await cell(1, 2).textContent())).toBeGreaterThanOrEqual(0);
    // The validation curves: both networks' F1 and loss, three epochs each.
    const curves = audio.getByTestId('curves').first();
    expect(await legendLabels(curves)).toEqual([
      'paper · weighted F1',
      'paper · validation loss',
      'improved · weighted F1',
      'improved · validation loss',
    ]);
    expect(await readWithKeys(session.page, curves, ['End'])).toMatch(/^epoch 3: /);
    expect(await colourPixels(curves, SERIES_COLOURS[0])).toBeGreaterThan(50);
    expect(await colourPixels(curves, SERIES_COLOURS[1])).toBeGreaterThan(50);
  });

  it(
    'trains both gas regressors on the screenings and shows MAE per chemical',
    { timeout: 600_000 },
    async () => {
      const audio = session.page.locator('#audio');
      await audio.getByLabel('Gas epochs').fill('3');
      await audio.getByTestId('train-audio-gases').click();
      const table = audio.getByTestId('audio-gas-mae');
      await table.waitFor({ timeout: 300_000 });
      const header = await table.locator('thead th').allTextContents();
      expect(header.slice(3)).toEqual([
        'CO₂',
        'methanol',
        'ethanol',
        'acetone',
        'isoprene',
        'siloxane',
      ]);
      // rows: paper, improved, constant predictor; cells: network, epoch, mean, six chemicals
      const cells = (row: number) =>
        table.locator('tbody tr').nth(row).locator('td').allTextContents();
      // the per-chemical cells fill when the improved run reports done, after its last epoch
      await expect.poll(async () => (await cells(1)).at(-1), { timeout: 300_000 }).not.toBe('—');
      expect((await cells(1))[1]).toBe('3');
      expect((await cells(0))[1]).toBe('3');
      for (const row of [0, 1, 2]) {
        const values = (await cells(row)).slice(2).map(Number);
        expect(values).toHaveLength(7);
        // normalised targets in [0, 1]: any finite MAE lies in [0, 1] unless the net diverged
        for (const v of values) expect(v).toBeGreaterThanOrEqual(0);
        for (const v of values) expect(v).toBeLessThan(2);
      }
      expect(await audio.getByTestId('audio-gas-split').textContent()).toMatch(
        /10 screenings · \d+ train \/ \d+ validation/,
      );
      expect(session.errors).toEqual([]);
    },
  );
});
