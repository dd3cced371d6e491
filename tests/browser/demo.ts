// Loading the demo project from the page, as a researcher does, for the tests that need it.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/** Clicks “Load demo project” and waits until the status strip names the demo as open. */
export async function loadDemo(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Load demo project' }).click();
  await expect
    .poll(() => page.getByTestId('project').textContent(), { timeout: 120_000 })
    .toContain('Demo study');
}
