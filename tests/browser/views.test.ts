// The "Inside the network" views on the demo project in a real Chromium: activation heatmaps of the
// untrained encoder (then of a really trained tiny autoencoder), reconstructions per checkpoint,
// overlaid curves and tables — each must show varied pixels and real numbers, exports must give a
// PNG and a CSV, and no main-thread task may exceed 100 ms while the heatmaps render.
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { Page } from './chromium';
import { useBrowser } from './use-browser';
import { screenshotPath } from './screenshots';
import { loadDemo } from './demo';
import { colourPixels, legendLabels, readoutValue, readWithKeys } from './charts';
import { SERIES_COLOURS } from '../../src/lib/views/chart';

type Locator = ReturnType<Page['locator']>;

/** Distinct colours (quantised to 4 bits per channel) and the spread of brightness in a canvas. */
function canvasStats(canvas: Locator, region?: { x: number; y: number; w: number; h: number }) {
  return canvas.evaluate(
    (el: HTMLCanvasElement, r: { x: number; y: number; w: number; h: number } | null) => {
      const { x, y, w, h } = r ?? { x: 0, y: 0, w: el.width, h: el.height };
      const { data } = el.getContext('2d')!.getImageData(x, y, w, h);
      const colours = new Set<number>();
      let sum = 0;
      let sq = 0;
      const n = data.length / 4;
      for (let i = 0; i < data.length; i += 4) {
        colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
        const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
        sum += v;
        sq += v * v;
      }
      return {
        width: el.width,
        height: el.height,
        colours: colours.size,
        sd: Math.sqrt(sq / n - (sum / n) ** 2),
        mean: sum / n,
      };
    },
    region ?? null,
  );
}

/** Starts recording main-thread long tasks (start time, duration); returns the page's clock now. */
async function watchLongTasks(page: Page): Promise<number> {
  return page.evaluate(() => {
    const w = window as unknown as { longTasks?: [number, number][] };
    if (!w.longTasks) {
      const tasks: [number, number][] = (w.longTasks = []);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
      }).observe({ type: 'longtask' });
    }
    return performance.now();
  });
}

/** Durations of the long tasks that started in [from, to) on the page's clock. */
async function longTasksBetween(page: Page, from: number, to: number): Promise<number[]> {
  const all = await page.evaluate(
    () => (window as unknown as { longTasks: [number, number][] }).longTasks,
  );
  return all.filter(([start]) => start >= from && start < to).map(([, d]) => d);
}

describe('inside the network views', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('shows activation heatmaps of an untrained encoder without blocking the page', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await loadDemo(page);
    const inside = page.locator('#inside');
    await inside.scrollIntoViewIfNeeded();
    await inside.getByTestId('no-model').waitFor();
    await inside.getByTestId('no-runs').waitFor();
    await inside.getByTestId('no-autoencoder').waitFor();
    // The thumbnail strip: one button per stored sequence of the first demo movie.
    await expect
      .poll(() => inside.getByRole('button', { name: /First frame of sequence/ }).count())
      .toBe(10);
    await inside.getByRole('button', { name: 'First frame of sequence 3' }).click();

    const t0 = await watchLongTasks(page);
    await inside.getByRole('button', { name: /untrained model’s activations/ }).click();
    const grid = inside.getByTestId('heatmap-grid');
    await grid.or(page.getByRole('alert')).first().waitFor({ timeout: 240_000 });
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    await inside.getByTestId('untrained-label').waitFor();
    await expect
      .poll(() => grid.getByTestId('layer-range').textContent())
      .toMatch(/range 0 … \d+\.\d{4}/);
    await page.waitForTimeout(500);
    // Read the long tasks before the test's own pixel reading (itself a long task) runs.
    const tasks = await longTasksBetween(page, t0, await watchLongTasks(page));
    const first = await canvasStats(grid.locator('canvas'));
    expect(first.width).toBeGreaterThan(600); // 10 of the 30 frames, 64 px each
    expect(first.colours).toBeGreaterThan(50);
    expect(first.sd).toBeGreaterThan(10);

    const layers = inside.getByTestId('views-layer');
    const pool = await layers
      .locator('option', { hasText: 'max_pooling3d_2' })
      .getAttribute('value');
    const t1 = await watchLongTasks(page);
    await layers.selectOption(pool!);
    await expect.poll(() => grid.locator('strong').textContent()).toContain('max_pooling3d_2');
    await page.waitForTimeout(500);
    tasks.push(...(await longTasksBetween(page, t1, await watchLongTasks(page))));
    await expect
      .poll(async () => (await canvasStats(grid.locator('canvas'))).height)
      .toBeGreaterThan(64 * 3);
    const pooled = await canvasStats(grid.locator('canvas'));
    expect(pooled.colours).toBeGreaterThan(20);
    expect(await grid.getByTestId('dead-filters').textContent()).toMatch(/activate/);

    expect(Math.max(0, ...tasks), `long tasks: ${tasks.join(', ')}`).toBeLessThan(100);
    await grid.screenshot({ path: screenshotPath('inside-activations.png') });

    // Export the figure as PNG from the keyboard.
    const png = grid.getByRole('button', { name: /as PNG/ });
    await png.focus();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.keyboard.press('Enter'),
    ]);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
  });

  it('shows reconstructions, curves and tables of a trained autoencoder', async () => {
    const { page, context } = session;
    const projectId = await page.evaluate(() => localStorage.getItem('cinebreath.currentProject'));
    const harness = await context.newPage();
    await harness.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await expect.poll(() => harness.locator('#ready').textContent()).toBe('ready');
    const seeded = await harness.evaluate(
      (id) =>
        (
          window as unknown as {
            harness: {
              views: { seedTrainedAutoencoder(id: string): Promise<{ losses: number[][] }> };
            };
          }
        ).harness.views.seedTrainedAutoencoder(id),
      projectId!,
    );
    await harness.close();
    expect(seeded.losses[0]).toHaveLength(3);

    await page.reload();
    const inside = page.locator('#inside');
    await inside.scrollIntoViewIfNeeded();

    // Curves: two runs × training and validation loss overlaid, each drawn in its colour.
    const curves = inside.getByTestId('curves');
    await curves.waitFor({ timeout: 60_000 });
    const names = ['#1 tiny autoencoder', '#2 autoencoder'].flatMap((run) =>
      ['training loss', 'validation loss'].map((m) => `${run} · ${m}`),
    );
    await expect.poll(() => legendLabels(curves)).toEqual(names);
    for (const colour of SERIES_COLOURS.slice(0, 4)) {
      expect(await colourPixels(curves, colour), colour).toBeGreaterThan(50);
    }
    expect(await colourPixels(curves, SERIES_COLOURS[4])).toBe(0);
    // The keyboard read-out walks the three epochs and gives each series' value there.
    const first = await readWithKeys(page, curves, ['Home']);
    expect(first).toMatch(/^epoch 1: /);
    expect(readoutValue(first, names[0])).toBeCloseTo(seeded.losses[0][0], 3);
    const last = await readWithKeys(page, curves, ['ArrowRight', 'ArrowRight', 'ArrowRight']);
    expect(last).toMatch(/^epoch 3: /);
    expect(readoutValue(last, names[2])).toBeCloseTo(seeded.losses[1][2], 3);
    // Log scale and smoothing: a faint raw line behind each smoothed one.
    await curves.getByRole('checkbox', { name: 'log scale' }).check();
    await curves.getByRole('slider').fill('0.6');
    await expect.poll(async () => (await legendLabels(curves)).length).toBe(8);
    expect((await legendLabels(curves)).filter((l) => l.endsWith('(raw)'))).toHaveLength(4);
    await curves.screenshot({ path: screenshotPath('inside-curves.png') });
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      curves.getByRole('button', { name: /as CSV/ }).click(),
    ]);
    const lines = readFileSync((await csv.path())!, 'utf8')
      .trim()
      .split(/\r\n/);
    expect(lines[0]).toBe('run,metric,epoch,value,smoothed');
    expect(lines).toHaveLength(1 + 2 * 2 * 3);
    expect(Number(lines[1].split(',')[3])).toBeCloseTo(seeded.losses[0][0], 6);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      curves.getByRole('button', { name: /as PNG/ }).click(),
    ]);
    expect([...readFileSync((await png.path())!).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

    // Per-film validation loss comes from the same runs.
    await inside.getByRole('checkbox', { name: 'validation loss · Night Shift' }).check();
    await expect.poll(async () => (await legendLabels(curves)).length).toBe(12);

    // The run summary table holds numbers.
    const table = inside.getByTestId('metric-table').first();
    await expect.poll(() => table.locator('td.num').count()).toBeGreaterThan(4);
    expect(await table.locator('tbody').textContent()).toMatch(/\d\.\d{4}/);

    // Reconstructions for every movie at the three checkpoints.
    await inside.getByRole('button', { name: 'Reconstruct' }).click();
    const recon = inside.getByTestId('reconstructions');
    await recon.or(page.getByRole('alert')).first().waitFor({ timeout: 240_000 });
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    await expect
      .poll(async () => (await canvasStats(recon)).colours, { timeout: 30_000 })
      .toBeGreaterThan(50);
    // The epoch-3 reconstruction of the first movie (fourth column) is a picture, not a blank.
    // Columns are painted incrementally: wait for this one rather than read it once.
    const epoch3 = () => canvasStats(recon, { x: 130 + 3 * (192 + 6), y: 20, w: 192, h: 108 });
    await expect.poll(async () => (await epoch3()).colours, { timeout: 60_000 }).toBeGreaterThan(3);
    expect((await epoch3()).mean).toBeGreaterThan(20);
    const errors = await inside.getByTestId('recon-errors').textContent();
    expect(errors).toMatch(/Harbour Run: epoch 1 0\.\d{4}, epoch 2 0\.\d{4}, epoch 3 0\.\d{4}/);
    await inside.getByTestId('recon-frame').fill('12');
    await recon.screenshot({ path: screenshotPath('inside-reconstructions.png') });

    // The trained model's own activations.
    await expect.poll(() => inside.getByTestId('views-model').inputValue()).toMatch(/@3$/);
    await inside.getByRole('button', { name: 'Show activations' }).click();
    const grid = inside.getByTestId('heatmap-grid');
    await expect
      .poll(() => grid.locator('strong').textContent(), { timeout: 240_000 })
      .toContain('tiny_autoencoder');
    expect(await inside.getByTestId('untrained-label').count()).toBe(0);
    expect(session.errors).toEqual([]);
  });
});
