// "Beyond the paper" through the notebook on the demo project: two experiments run end to end
// (missing gas values with 3 seeds per arm, the response-lag scan with one) with few epochs in the
// audio training worker; each gives a result table of real numbers with its seeds, rows, interval
// and verdict, a tidy CSV that agrees with it, and a run pair that the curves view overlays; the
// spectrogram CNN pair starts and stops cleanly. The augmentation preview paints augmented frames
// that differ from the original.
import Papa from 'papaparse';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from './chromium';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';
import { colourPixels, legendLabels, readWithKeys } from './charts';
import { SERIES_COLOURS } from '../../src/lib/views/chart';
import { ARM_COLOURS } from '../../src/lib/views/curves';

type Locator = ReturnType<Page['locator']>;

interface TableRow {
  metric: string;
  /** Full-precision means (the cells' data-value) and the printed cells. */
  baseline: number;
  variant: number;
  difference: number;
  cells: string[];
  verdict: string;
  n: string;
}

/** The result table's rows: metric, means, printed cells, verdict and n. */
async function resultRows(table: Locator): Promise<TableRow[]> {
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => ({
        text: (td.querySelector('.metric') ?? td).textContent!.trim(),
        value: td.getAttribute('data-value'),
      })),
    ),
  );
  return rows.map((r) => ({
    metric: r[0].text,
    baseline: Number(r[1].value),
    variant: Number(r[2].value),
    difference: Number(r[3].value),
    cells: r.map((c) => c.text),
    verdict: r[5].text,
    n: r[6].text,
  }));
}

describe('beyond the paper in the notebook', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('loads the demo with scene-dependent audio features', { timeout: 180_000 }, async () => {
    await session.page.goto(baseUrl);
    const { page, context } = session;
    await loadDemo(page);
    const projectId = await page.evaluate(() => localStorage.getItem('cinebreath.currentProject'));
    const harness = await context.newPage();
    await harness.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await expect.poll(() => harness.locator('#ready').textContent()).toBe('ready');
    const rows = await harness.evaluate(
      (id) =>
        (
          window as unknown as {
            harness: {
              'experiments-ui': { seedSceneFeatures(id: string): Promise<number> };
            };
          }
        ).harness['experiments-ui'].seedSceneFeatures(id),
      projectId!,
    );
    await harness.close();
    expect(rows).toBeGreaterThan(20);
    await page.reload();
  });

  it(
    'runs the missing-gas pair with 3 seeds: table and CSV agree and show n; curves overlay',
    { timeout: 240_000 },
    async () => {
      const { page } = session;
      const beyond = page.locator('#beyond');
      await beyond.scrollIntoViewIfNeeded();
      await beyond.getByLabel('Experiment').selectOption('missing-gas');
      expect(await beyond.getByTestId('experiment-explanation').textContent()).toContain('0.5');
      await beyond.getByLabel('Epochs per arm').fill('12');
      await beyond.getByLabel('Seeds per arm').fill('3');
      await expect
        .poll(() => beyond.getByTestId('experiment-cost').textContent())
        .toMatch(/6 trainings \(2 per seed × 3 seeds\) of 12 epochs = 72 epochs/);
      await beyond.getByRole('button', { name: 'Run', exact: true }).click();
      const table = beyond.getByTestId('result-table');
      await table.or(page.getByRole('alert')).first().waitFor({ timeout: 200_000 });
      const rows = await resultRows(table);
      console.log('missing-gas result', JSON.stringify(rows));
      expect(rows.map((r) => r.metric)).toEqual(['MAE where both targets agree', 'MAE']);
      for (const r of rows) {
        for (const v of [r.baseline, r.variant]) {
          expect(v).toBeGreaterThan(0);
          expect(v).toBeLessThan(0.5);
        }
        expect(r.verdict).toMatch(/^(better|worse|no clear difference)$/);
        expect(
          await table
            .locator('tbody tr')
            .filter({ hasText: r.metric })
            .first()
            .locator('td')
            .first()
            .getAttribute('title'),
        ).toMatch(/absolute error|MAE/);
        expect(r.n).toMatch(/^3 seeds · \d+ rows each$/);
        // mean ± sd in both arm cells, and a signed interval
        expect(r.cells[1]).toMatch(/^0\.\d{4} ± 0\.\d{4}$/);
        expect(r.cells[4]).toMatch(/^[−+]?0\.\d{4} … [−+]?0\.\d{4}$/);
      }
      expect(await table.getByTestId('result-method').textContent()).toContain(
        'Seeds 1, 2, 3 in each arm',
      );
      expect(await table.getByTestId('result-inherited').textContent()).toMatch(
        /missing gas values: varied by the experiment · lag: \d+ periods? \(/,
      );
      expect(await beyond.getByTestId('missing-gas-cells').textContent()).toMatch(
        /\d+ of \d+ validation cells/,
      );
      // The cost line now has a measured time per epoch.
      expect(await beyond.getByTestId('experiment-cost').textContent()).toMatch(
        /s per epoch the last run measured/,
      );

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        table.getByRole('button', { name: /as CSV/ }).click(),
      ]);
      const csv = Papa.parse<Record<string, string>>(
        readFileSync((await download.path())!, 'utf8').trim(),
        { header: true },
      );
      expect(csv.errors).toEqual([]);
      expect(new Set(csv.meta.fields).size).toBe(csv.meta.fields!.length);
      // one line per metric × arm × seed
      expect(csv.data).toHaveLength(2 * 2 * 3);
      const rowsOf = new RegExp(`^3 seeds · (\\d+) rows each$`);
      for (const r of rows) {
        for (const arm of ['baseline', 'variant'] as const) {
          const lines = csv.data.filter((d) => d.metric === r.metric && d.arm === arm);
          expect(lines.map((d) => d.seed)).toEqual(['1', '2', '3']);
          const values = lines.map((d) => Number(d.value));
          expect(values.reduce((a, b) => a + b, 0) / 3).toBeCloseTo(r[arm], 10);
          expect(Number(lines[0].arm_mean)).toBe(r[arm]);
          expect(lines[0].validation_rows).toBe(rowsOf.exec(r.n)![1]);
          expect(lines.every((d) => d.verdict === r.verdict)).toBe(true);
        }
        const line = csv.data.find((d) => d.metric === r.metric)!;
        expect(Number(line.difference_of_means)).toBeCloseTo(r.difference, 12);
        expect(line.interval_method).toBe('t over seeds');
        const [low, high] = [Number(line.difference_ci_low), Number(line.difference_ci_high)];
        expect(r.verdict === 'no clear difference').toBe(low <= 0 && high >= 0);
      }

      // The pair is two runs in the curves view, overlaid: the mean over seeds, epoch by epoch.
      const inside = page.locator('#inside');
      await inside.scrollIntoViewIfNeeded();
      const curves = inside
        .getByTestId('curves')
        .filter({ hasText: 'missing-gas · variant: other screenings' });
      const legend = async () => (await legendLabels(curves)).join('\n');
      await expect
        .poll(legend, { timeout: 30_000 })
        .toContain('missing-gas · variant: other screenings · validation loss');
      expect(await legend()).toContain('missing-gas · baseline: 0.5 fill · validation loss');
      // 12 epochs each: the read-out walks from epoch 1 to epoch 12.
      expect(await readWithKeys(page, curves, ['Home'])).toMatch(/^epoch 1: /);
      expect(await readWithKeys(page, curves, ['End'])).toMatch(/^epoch 12: /);

      // Choosing the comparison shows its two arms' mean MAE curves, baseline first, and each
      // seed's curve, all in the arm's own colour.
      await inside.getByLabel('Comparison').selectOption({ index: 1 });
      const pair = inside.getByTestId('curves').filter({ hasText: 'mean of 3 seeds per arm' });
      await expect.poll(async () => (await legendLabels(pair)).length, { timeout: 30_000 }).toBe(8);
      const labels = await legendLabels(pair);
      expect(labels.slice(0, 2)).toEqual([
        'baseline: 0.5 fill · mae (mean)',
        'variant: other screenings · mae (mean)',
      ]);
      expect(labels.filter((l) => /^variant: .* · seed \d · mae$/.test(l))).toHaveLength(3);
      expect(await colourPixels(pair, ARM_COLOURS.baseline)).toBeGreaterThan(50);
      expect(await colourPixels(pair, ARM_COLOURS.variant)).toBeGreaterThan(50);
    },
  );

  it(
    'scans the response lag and plots validation MAE against it',
    { timeout: 180_000 },
    async () => {
      const { page } = session;
      const beyond = page.locator('#beyond');
      await beyond.scrollIntoViewIfNeeded();
      await beyond.getByLabel('Experiment').selectOption('response-lag');
      await beyond.getByLabel('Epochs per arm').fill('40');
      await beyond.getByLabel('Largest lag (30-s periods)').fill('2');
      await beyond.getByLabel('Seeds per arm').fill('1');
      await beyond.getByRole('button', { name: 'Run', exact: true }).click();
      const chart = beyond.getByTestId('curves');
      await chart.or(page.getByRole('alert')).first().waitFor({ timeout: 120_000 });
      const rows = await resultRows(beyond.getByTestId('result-table'));
      console.log('response-lag result', JSON.stringify(rows));
      expect(rows).toHaveLength(1);
      const [{ metric, baseline: lag0, variant: best, n }] = rows;
      expect(metric).toBe('MAE');
      expect(lag0).toBeGreaterThan(0);
      expect(best).toBeGreaterThan(0);
      // one seed: the arms' rows are given, the interval resamples them
      expect(n).toMatch(/^1 seed · \d+ (rows each|\/ \d+ rows)$/);
      expect(await beyond.getByTestId('result-method').textContent()).toContain('bootstrap');
      // three lags → a line through three points, read from lag 0 to lag 2
      expect(await readWithKeys(page, chart, ['Home'])).toMatch(/^lag \(30-s periods\) 0: /);
      expect(await readWithKeys(page, chart, ['ArrowRight'])).toMatch(/^lag \(30-s periods\) 1: /);
      expect(await readWithKeys(page, chart, ['End'])).toMatch(
        /^lag \(30-s periods\) 2: validation MAE [\d.e+-]+$/,
      );
      expect(await colourPixels(chart, SERIES_COLOURS[0])).toBeGreaterThan(50);
      expect(await beyond.textContent()).toMatch(/Lowest at lag \d/);
      await expect
        .poll(async () =>
          (await legendLabels(page.locator('#inside').getByTestId('curves'))).join('\n'),
        )
        .toMatch(/response-lag · variant: lag [12] \(/);
      expect(session.errors).toEqual([]);
    },
  );

  // SwiftShader runs this CNN far too slowly for a test (the cpu path alone takes ~70 s an epoch
  // of the demo's 24 training clips on the shared 2 cores): the page check covers the wiring —
  // the MLP arm trains, the worker computes spectrograms from the stored clips — then stops, and
  // nothing is saved. Learning and the saved pair are checked in tests/unit/audio-cnn-pair.test.ts.
  it(
    'starts the spectrogram CNN pair: MLP arm, then spectrograms in the worker; Stop saves nothing',
    { timeout: 240_000 },
    async () => {
      const { page } = session;
      const beyond = page.locator('#beyond');
      await beyond.scrollIntoViewIfNeeded();
      await beyond.getByLabel('Experiment').selectOption('audio-cnn');
      expect(await beyond.getByTestId('experiment-explanation').textContent()).toContain(
        '64 mel bands × 129 frames',
      );
      await beyond.getByLabel('Epochs per arm').fill('2');
      await beyond.getByLabel('Seeds per arm').fill('1');
      await beyond.getByRole('button', { name: 'Run', exact: true }).click();
      const progress = beyond.getByRole('group', { name: 'Beyond the paper progress' });
      await expect
        .poll(() => progress.textContent(), { timeout: 200_000 })
        .toMatch(/log-mel spectrograms: clip [2-9]\d* \/ \d+/);
      await beyond.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => progress.count(), { timeout: 30_000 }).toBe(0);
      expect(await beyond.getByTestId('cnn-figures').count()).toBe(0);
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(session.errors).toEqual([]);
    },
  );

  it('previews augmented frames of a demo sequence', async () => {
    const { page } = session;
    const beyond = page.locator('#beyond');
    await beyond.getByLabel('Experiment').selectOption('augmentation');
    await beyond.getByRole('button', { name: 'Preview' }).click();
    const preview = beyond.getByTestId('augment-preview');
    await preview.waitFor({ timeout: 60_000 });
    const canvases = preview.locator('canvas');
    await expect.poll(() => canvases.count()).toBe(6);
    const pixels = await canvases.evaluateAll((cs) =>
      (cs as HTMLCanvasElement[]).map((c) =>
        Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
      ),
    );
    const differs = pixels.slice(1).map((p) => p.some((v, i) => v !== pixels[0][i]));
    expect(differs.every(Boolean)).toBe(true);
    expect(new Set(pixels[0]).size).toBeGreaterThan(10);
  });
});
