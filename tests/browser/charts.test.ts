// The shared chart on a real canvas: a one-epoch run drawn beside a 1,000-epoch run is a visible
// point, a log epoch axis gives the first epochs room, drag-to-zoom narrows the x range and
// double-click restores it, and the read-out follows the pointer.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { colourPixels, legendLabels } from './charts';
import { SERIES_COLOURS } from '../../src/lib/views/chart';
import type { Series } from '../../src/lib/views/curves';

type Harness = { charts: { showCurves(series: Series[], title: string): void } };

const long: Series = {
  label: 'long run · validation loss',
  run: 'long run',
  metric: 'valLoss',
  x: Array.from({ length: 1000 }, (_, i) => i + 1),
  y: Array.from({ length: 1000 }, (_, i) => 0.7 / Math.sqrt(i + 1)),
};
const short: Series = {
  label: 'one epoch · validation loss',
  run: 'one epoch',
  metric: 'valLoss',
  x: [1],
  y: [0.4],
};

describe('the shared chart', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor();
  });

  async function show(series: Series[]) {
    await session.page.evaluate(
      (s) => (window as unknown as { harness: Harness }).harness.charts.showCurves(s, 'runs'),
      series,
    );
  }

  /** The epoch the read-out gives with the pointer at `fraction` of the plot's width. */
  async function epochAt(fraction: number): Promise<number> {
    const { page } = session;
    const box = (await page.locator('.u-over').boundingBox())!;
    await page.mouse.move(0, 0);
    await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
    const readout = page.getByTestId('chart-readout');
    await expect.poll(() => readout.textContent()).toMatch(/^\s*epoch/);
    return Number(/epoch (?:\(log scale\) )?(\d+):/.exec((await readout.textContent())!)![1]);
  }

  it('draws a one-epoch run as a point beside a 1,000-epoch run', async () => {
    await show([long, short]);
    const chart = session.page.getByTestId('curves');
    await expect
      .poll(() => legendLabels(chart))
      .toEqual(['long run · validation loss', 'one epoch · validation loss']);
    expect(await colourPixels(chart, SERIES_COLOURS[0])).toBeGreaterThan(100);
    expect(await colourPixels(chart, SERIES_COLOURS[1])).toBeGreaterThan(10);
    await show([long]);
    await expect.poll(() => legendLabels(chart)).toEqual(['long run · validation loss']);
    expect(await colourPixels(chart, SERIES_COLOURS[1])).toBe(0);
  });

  it('spreads the first epochs on a log axis, zooms by dragging and resets', async () => {
    const { page } = session;
    await show([long, short]);
    const mid = await epochAt(0.5);
    expect(mid).toBeGreaterThan(450);
    expect(mid).toBeLessThan(550);
    await page.getByRole('checkbox', { name: 'log epoch' }).check();
    const logMid = await epochAt(0.5);
    expect(logMid).toBeGreaterThan(20);
    expect(logMid).toBeLessThan(50);
    await page.getByRole('checkbox', { name: 'log epoch' }).uncheck();

    // Drag over the second quarter of the plot: its left edge is then about epoch 250.
    const box = (await page.locator('.u-over').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    const left = await epochAt(0.02);
    expect(left).toBeGreaterThan(200);
    expect(left).toBeLessThan(300);
    await page.locator('.u-over').dblclick();
    expect(await epochAt(0.02)).toBeLessThan(40);
    // The harness page has no favicon: its 404 is the only message allowed.
    expect(session.errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
