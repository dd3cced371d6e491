// Storage failures the shell must explain: data written by a newer Cinebreath, and another tab
// upgrading the schema while this one is open. Nothing stored may be touched.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';

function openAtVersion(version: number) {
  return new Promise<string>((resolve, reject) => {
    const req = indexedDB.open('cinebreath', version);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains('future')) req.result.createObjectStore('future');
    };
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const stores = [...req.result.objectStoreNames].join(',');
      req.result.close();
      resolve(stores);
    };
  });
}

describe('store errors', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('tells the user when another tab upgrades the database', async () => {
    const { page, context } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('no-project').waitFor();
    const other = await context.newPage();
    await other.goto(`${baseUrl}/tests/browser/harness/index.html`);
    const current = await page.evaluate(async () => (await indexedDB.databases())[0]?.version ?? 0);
    expect(current).toBeGreaterThan(0);
    await other.evaluate(openAtVersion, current + 1);
    await expect
      .poll(() => page.getByRole('alert').first().textContent(), { timeout: 15_000 })
      .toContain('updated in another tab');
    await other.close();
  });

  it('refuses data written by a newer version and leaves it intact', async () => {
    const { page } = session;
    await page.reload();
    await expect
      .poll(() => page.getByRole('alert').first().textContent(), { timeout: 15_000 })
      .toContain('newer version of Cinebreath');
    await page.getByTestId('no-project').waitFor();
    const stores = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const req = indexedDB.open('cinebreath');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            resolve([...req.result.objectStoreNames]);
            req.result.close();
          };
        }),
    );
    expect(stores).toContain('future');
    expect(stores).toContain('projects');
  });
});
