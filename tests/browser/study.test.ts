// The study-data panel in Chromium: the six real label CSVs, the real audio .npy files and
// synthetic ARFF screenings picked through the file input; counts, kept labels, layout flip,
// curves, a refused bad file, and the paper's 1039 / 263 split shown before any training.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { colourPixels, legendLabels, readWithKeys } from './charts';
import { SERIES_COLOURS } from '../../src/lib/views/chart';
import { referencePath } from '../reference';
import { syntheticArff } from '../../src/lib/study/syntheticArff';

const MOVIES = ['Buddy', 'Hobbit', 'Machete', 'Mitty', 'Paranormal', 'Tribute'];

describe('study data panel', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('imports labels, audio features and screenings and shows counts and splits', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('New project name').fill('Real study');
    await page.getByRole('button', { name: 'Create' }).click();
    const input = page.getByTestId('study-files');
    await input.waitFor({ state: 'attached' });

    const csvs = MOVIES.map((m, i) =>
      referencePath(`smelloffear/labels/${m}${i % 2 ? '_transposed' : ''}.csv`),
    );
    const npys = MOVIES.map((m) => referencePath(`smelloffear/audio/${m}.npy`));
    await input.setInputFiles([...csvs, ...npys]);
    const log = page.getByTestId('study-import-log').locator('li');
    await expect.poll(() => log.count(), { timeout: 60_000 }).toBe(12);
    const summary = page.getByTestId('label-summary');
    await expect
      .poll(() => summary.textContent())
      .toMatch(/13 of 42 labels kept over 1302 labelled sequences/);
    const kept = page.locator('[data-testid="label-counts"] tbody tr[data-kept="true"]');
    expect(await kept.allTextContents()).toHaveLength(13);
    expect(await kept.first().textContent()).toContain('suspense');
    await expect
      .poll(() => page.getByTestId('split-labels-audio').textContent())
      .toContain('1039 train / 263 validation');
    expect(await page.getByTestId('split-labels-all').textContent()).toContain(
      '1039 train / 263 validation',
    );
    expect(await page.getByTestId('split-labels-frames').textContent()).toContain(
      '0 train / 0 validation',
    );
    expect(await log.allTextContents()).toContainEqual(
      expect.stringMatching(/Buddy\.npy → Buddy: 180 × 193 audio features/),
    );

    // Flip Buddy's layout: 42 sequences × 170 unnamed labels; flip back restores the study.
    const buddy = log.filter({ hasText: /^Buddy\.csv → Buddy/ });
    await buddy.getByTestId('flip-layout').click();
    await expect.poll(() => summary.textContent()).toMatch(/over 1174 labelled sequences/);
    await log
      .filter({ hasText: /flipped by you/ })
      .getByTestId('flip-layout')
      .click();
    await expect.poll(() => summary.textContent()).toMatch(/13 of 42 labels kept over 1302/);

    // Override: drop a kept label.
    await page.getByLabel('keep suspense').uncheck();
    await expect.poll(() => summary.textContent()).toMatch(/12 of 42 labels kept/);

    // Screenings: two synthetic ARFFs for Buddy and one without @data, refused whole.
    const dir = mkdtempSync(join(tmpdir(), 'cinebreath-arff-'));
    const files = [1, 2].map((s) => {
      const path = join(dir, `${s}_Buddy.arff`);
      writeFileSync(
        path,
        syntheticArff({ rows: 170, seed: s, movieSeed: 5, extraAttributes: 400 }),
      );
      return path;
    });
    const bad = join(dir, '3_Buddy.arff');
    writeFileSync(bad, '@relation broken\n@attribute CO2 numeric\n');
    await input.setInputFiles([...files, bad]);
    await expect.poll(() => log.count(), { timeout: 60_000 }).toBe(15);
    expect(await log.allTextContents()).toContainEqual(
      expect.stringContaining('3_Buddy.arff: the file has no @data section.'),
    );
    const screenings = page.locator('[data-testid="screenings"] tbody tr');
    await expect.poll(() => screenings.count()).toBe(2);
    // One chart per gas with axes, each screening a curve in its own colour.
    const curves = page.getByTestId('screening-curves');
    const charts = curves.locator('figure');
    await expect.poll(() => charts.locator('canvas').count()).toBe(6);
    for (let i = 0; i < 6; i++) {
      const chart = charts.nth(i);
      expect(await legendLabels(chart)).toEqual(['screening 1', 'screening 2']);
      expect(await colourPixels(chart, SERIES_COLOURS[0])).toBeGreaterThan(50);
      expect(await colourPixels(chart, SERIES_COLOURS[1])).toBeGreaterThan(50);
      expect((await chart.locator('canvas').first().boundingBox())!.height).toBeGreaterThan(150);
    }
    const end = await readWithKeys(page, charts.first(), ['End']);
    expect(end).toMatch(/^film time \(min\) 84\.5: screening 1 [\d.e+-]+; screening 2 [\d.e+-]+$/);
    expect(await page.getByTestId('split-gases-all').textContent()).toContain(
      '272 train / 68 validation',
    );
    await page.getByTestId('split-kind').selectOption('screening-out');
    await expect
      .poll(() => page.getByTestId('split-gases-all').textContent())
      .toContain('170 train / 170 validation');
    await page.screenshot({ path: join(dir, 'study.png'), fullPage: true });
    expect(session.errors.filter((e) => !e.includes('no @data'))).toEqual([]);
  });
});
