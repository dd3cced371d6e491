// Honest run states and kept settings in a real Chromium, on the demo and the CPU backend: a
// cell's settings survive a reload; a page closed mid-run shows the run as interrupted after its
// last epoch on the next visit, and Resume finishes it with the uninterrupted run's losses.
import { describe, expect, inject, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';

/** The epoch table's rows as text ("1 0.6931 0.6930 …"), without the time and throughput. */
async function lossRows(cell: Locator): Promise<string[]> {
  const rows = await cell.getByTestId('autoencoder-epochs').locator('tbody tr').all();
  return Promise.all(
    rows.map(async (r) => (await r.locator('td').allTextContents()).slice(0, 3).join(' ')),
  );
}

describe('training cells', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('keeps each cell’s settings per project across a reload', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await loadDemo(page);
    const cell = page.locator('#autoencoder');
    await cell.getByLabel('Epochs', { exact: true }).fill('2');
    await cell.getByLabel('Batch', { exact: true }).fill('8');
    await cell.getByLabel('Backend').selectOption('cpu');
    await cell.getByLabel('Batch norm').uncheck();
    await page.waitForTimeout(1000); // settings are saved 300 ms after the last change
    await page.reload();
    await expect
      .poll(() => cell.getByLabel('Epochs', { exact: true }).inputValue(), { timeout: 30_000 })
      .toBe('2');
    expect(await cell.getByLabel('Batch', { exact: true }).inputValue()).toBe('8');
    expect(await cell.getByLabel('Backend').inputValue()).toBe('cpu');
    expect(await cell.getByLabel('Batch norm').isChecked()).toBe(false);
    await cell.getByLabel('Batch norm').check();
    await page.waitForTimeout(1000);
    expect(session.errors).toEqual([]);
  }, 300_000);

  it('shows a run whose page closed as interrupted; Resume gives the uninterrupted losses', async () => {
    const { page } = session;
    const cell = page.locator('#autoencoder');
    const state = cell.getByTestId('autoencoder-run-state');
    // The uninterrupted reference: 2 epochs.
    await cell.getByRole('button', { name: 'Run' }).click();
    await expect
      .poll(() => state.textContent(), { timeout: 600_000, interval: 2000 })
      .toMatch(/Run done · 2 of\s+2 epochs/);
    const reference = await lossRows(cell);
    expect(reference).toHaveLength(2);

    // The same run, its page closed once epoch 1 is stored.
    await cell.getByRole('button', { name: 'Run' }).click();
    await expect
      .poll(async () => (await lossRows(cell).catch(() => [])).length, {
        timeout: 600_000,
        interval: 1000,
      })
      .toBe(1);
    await page.close();
    const next = await session.context.newPage();
    await next.goto(`${baseUrl}/`);
    const reopened = next.locator('#autoencoder');
    const reopenedState = reopened.getByTestId('autoencoder-run-state');
    await expect
      .poll(() => reopenedState.textContent(), { timeout: 60_000 })
      .toMatch(/Run interrupted after epoch 1 · 1 of\s+2 epochs/);
    await reopened.getByTestId('autoencoder-resume').click();
    await expect
      .poll(() => reopenedState.textContent(), { timeout: 600_000, interval: 2000 })
      .toMatch(/Run done · 2 of\s+2 epochs/);
    expect(await lossRows(reopened)).toEqual(reference);
    session.page = next;
  }, 1_500_000);
});
