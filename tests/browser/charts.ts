// Reading the notebook's charts (uPlot canvases) from a test: the legend's series, how many canvas
// pixels a series' colour covers (a series that is not drawn covers none), and the text read-out
// that the keyboard drives.
import type { Page } from './chromium';

type Locator = ReturnType<Page['locator']>;

/** The series labels in the charts' legends (uPlot lists the x series first; it is left out). */
export async function legendLabels(charts: Locator): Promise<string[]> {
  const legends = await charts
    .locator('.u-legend')
    .evaluateAll((tables) =>
      tables.map((t) => [...t.querySelectorAll('.u-series .u-label')].map((l) => l.textContent!)),
    );
  return legends.flatMap((labels) => labels.slice(1));
}

/** Pixels of the chart's canvas within `tolerance` of a #rrggbb colour in every channel. */
export async function colourPixels(
  chart: Locator,
  colour: string,
  tolerance = 24,
): Promise<number> {
  return chart
    .locator('canvas')
    .first()
    .evaluate(
      (el: HTMLCanvasElement, [hex, tol]: [string, number]) => {
        const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        const { data } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (
            data[i + 3] > 200 &&
            Math.abs(data[i] - want[0]) <= tol &&
            Math.abs(data[i + 1] - want[1]) <= tol &&
            Math.abs(data[i + 2] - want[2]) <= tol
          ) {
            n++;
          }
        }
        return n;
      },
      [colour, tolerance] as [string, number],
    );
}

/** Focuses the chart, presses the keys in turn and returns the read-out text after the last. */
export async function readWithKeys(page: Page, chart: Locator, keys: string[]): Promise<string> {
  await chart.getByTestId('chart').focus();
  for (const key of keys) await page.keyboard.press(key);
  return ((await chart.getByTestId('chart-readout').textContent()) ?? '').trim();
}

/** The value a read-out gives a series ("… <label> 0.1234; …"). */
export function readoutValue(text: string, label: string): number {
  const entries = text.slice(text.indexOf(': ') + 2).split('; ');
  const entry = entries.find(
    (e) => e.startsWith(`${label} `) && /^[-\d]/.test(e.slice(label.length + 1)),
  );
  if (!entry) throw new Error(`No ${label} in the read-out “${text}”.`);
  return Number(entry.slice(label.length + 1).split(' ')[0]);
}
