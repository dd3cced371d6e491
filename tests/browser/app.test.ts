// The notebook in a real Chromium: status strip with the backend choice and the WebGPU adapter, the demo project survives a
// reload, and Delete project / Erase all local data really remove it.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { screenshotPath } from './screenshots';
import { loadDemo } from './demo';

describe('notebook shell', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('shows the backend choice and the WebGPU adapter in the status strip', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('no-project').waitFor();
    // Nothing is measured on a first visit: the probe runs on first training or on request.
    await expect
      .poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 })
      .toMatch(/automatic — not measured yet/);
    await expect.poll(() => page.getByTestId('adapter').count(), { timeout: 60_000 }).toBe(1);
    const adapter = await page.getByTestId('adapter').textContent();
    expect(adapter).toMatch(/max buffer \d/);
    expect(await page.getByTestId('storage').textContent()).toMatch(/of \d/);
  });

  it('loads the demo project, keeps it across a reload, and deletes it', async () => {
    const { page } = session;
    await loadDemo(page);
    await page.getByRole('heading', { name: 'Autoencoder' }).waitFor();
    await page.screenshot({ path: screenshotPath('notebook.png'), fullPage: false });

    await page.reload();
    await expect
      .poll(() => page.getByTestId('project').textContent(), { timeout: 30_000 })
      .toContain('Demo study');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete project' }).click();
    await page.getByTestId('no-project').waitFor();
    await page.reload();
    await page.getByTestId('no-project').waitFor();
  });

  it('erases all local data', async () => {
    const { page } = session;
    await loadDemo(page);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Erase all local data' }).click();
    await page.getByTestId('no-project').waitFor();
    // The page reopens an empty database at once; every store must be empty.
    const counts = await page.evaluate(
      () =>
        new Promise<number[]>((resolve, reject) => {
          const req = indexedDB.open('cinebreath');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const db = req.result;
            const names = [...db.objectStoreNames];
            const tx = db.transaction(names);
            const counts = names.map(() => -1);
            names.forEach((n, i) => {
              const r = tx.objectStore(n).count();
              r.onsuccess = () => (counts[i] = r.result);
            });
            tx.oncomplete = () => resolve(counts);
          };
        }),
    );
    expect(counts.length).toBeGreaterThan(5);
    expect(counts.every((c) => c === 0)).toBe(true);
    expect(session.errors).toEqual([]);
  });
});
