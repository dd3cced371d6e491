/**
 * The line-chart wrapper every chart in the notebook shares (training curves, gas curves,
 * screening curves, experiment arms). Series become uPlot's aligned data and options: axis
 * titles, linear or log axes, a legend that reads the values under the cursor, drag-to-zoom
 * (double-click resets). Each series has its own colour, width and dash, so several series per
 * arm (thin seed lines around a thicker mean) need nothing more. Chart.svelte owns the uPlot
 * instance; this module is the pure part, plus the hover/keyboard read-out text.
 */
import type uPlot from 'uplot';
import { formatTick, formatValue } from './numbers';

export interface ChartSeries {
  /** Legend and read-out text. */
  label: string;
  x: readonly number[];
  y: readonly (number | null)[];
  /** Any CSS colour; rgba for faint lines. */
  colour: string;
  /** Line width in CSS pixels (default 2). */
  width?: number;
  /** Canvas line dash, e.g. [6, 3]. */
  dash?: number[];
}

export interface ChartSpec {
  series: readonly ChartSeries[];
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
}

/** Series with this many points or fewer mark each point, so short runs (and one epoch) show. */
export const MARKED_POINTS = 12;

export const SERIES_COLOURS = [
  '#2357c6',
  '#d1495b',
  '#1e7a3c',
  '#edae49',
  '#6a4c93',
  '#00798c',
  '#8d6a4f',
  '#e377c2',
];

export function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length];
}

export interface AlignedChart {
  /** uPlot's columns: the union of x values, then each series' y at those x (null where absent). */
  data: uPlot.AlignedData;
  /** Points left out because a log axis cannot show values ≤ 0. */
  dropped: number;
  /** Points drawn per series. */
  counts: number[];
}

function drawable(v: number | null | undefined, log: boolean): v is number {
  return v != null && Number.isFinite(v) && (!log || v > 0);
}

/** The series on one shared x column, as uPlot draws them. */
export function alignSeries(spec: ChartSpec): AlignedChart {
  const logX = !!spec.logX;
  const logY = !!spec.logY;
  const xs = [...new Set(spec.series.flatMap((s) => s.x.filter((x) => drawable(x, logX))))].sort(
    (a, b) => a - b,
  );
  const column = new Map(xs.map((x, i) => [x, i]));
  let dropped = 0;
  const counts: number[] = [];
  const ys = spec.series.map((s) => {
    const y: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    let count = 0;
    s.x.forEach((x, i) => {
      const at = column.get(x);
      const v = s.y[i];
      if (at === undefined || !drawable(v, logY)) {
        if (v != null && Number.isFinite(v)) dropped++;
        return;
      }
      y[at] = v;
      count++;
    });
    counts.push(count);
    return y;
  });
  return { data: [xs, ...ys] as uPlot.AlignedData, dropped, counts };
}

/**
 * The x range: the data's own (so short runs fill the chart), widened around a single value so
 * that a one-epoch run is a point in the middle rather than an empty range.
 */
export function xRange(min: number, max: number, log: boolean): [number, number] {
  if (min < max) return [min, max];
  return log ? [min / 2, min * 2] : [min - 1, max + 1];
}

export interface ChartHooks {
  /** The x value under the cursor (hover or keyboard), or null when it leaves. */
  onCursor?: (x: number | null) => void;
}

/** Tick labels; a log axis passes null for the ticks it leaves unlabelled. */
function tickLabels(_u: uPlot, ticks: (number | null)[]): string[] {
  return ticks.map((t) => (t == null ? '' : formatTick(t)));
}

/** Tick steps for whole-number axes: 1, 2, 5, 10, 20, 50, … */
const WHOLE_STEPS = Array.from({ length: 8 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

const AXIS_FONT = '12px system-ui, sans-serif';
const LABEL_FONT = 'bold 12px system-ui, sans-serif';

/** uPlot options for a spec at a size. */
export function chartOptions(
  spec: ChartSpec,
  aligned: AlignedChart,
  size: { width: number; height: number },
  hooks: ChartHooks = {},
): uPlot.Options {
  const axis = (label: string): uPlot.Axis => ({
    label,
    font: AXIS_FONT,
    labelFont: LABEL_FONT,
    stroke: '#5d6677',
    grid: { stroke: '#e4e7ee', width: 1 },
    ticks: { stroke: '#c3c8d2', width: 1 },
  });
  return {
    width: size.width,
    height: size.height,
    scales: {
      x: {
        time: false,
        distr: spec.logX ? 3 : 1,
        range: (_u, min, max) => xRange(min, max, !!spec.logX),
      },
      y: { distr: spec.logY ? 3 : 1 },
    },
    axes: [
      {
        ...axis(spec.xLabel),
        values: tickLabels,
        // Whole-number x (epochs, lags) gets whole-number ticks only.
        ...(aligned.data[0].every(Number.isInteger) ? { incrs: WHOLE_STEPS } : {}),
      },
      { ...axis(spec.yLabel), size: 64, values: tickLabels },
    ],
    series: [
      { label: spec.xLabel, value: (_u, v) => (v == null ? '—' : formatTick(v)) },
      ...spec.series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: s.colour,
        width: s.width ?? 2,
        dash: s.dash,
        spanGaps: true,
        value: (_u, v) => formatValue(v),
        points: aligned.counts[i] <= MARKED_POINTS ? { show: true, size: 7, fill: s.colour } : {},
      })),
    ],
    cursor: { drag: { x: true, y: false, setScale: true } },
    legend: { live: true },
    hooks: {
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          hooks.onCursor?.(idx == null ? null : (u.data[0][idx] ?? null));
        },
      ],
    },
  };
}

/**
 * What the uPlot options depend on besides the data: a chart whose key is unchanged takes new
 * data (an epoch arriving) without being rebuilt.
 */
export function chartStructure(spec: ChartSpec, aligned: AlignedChart): string {
  return JSON.stringify([
    spec.xLabel,
    spec.yLabel,
    !!spec.logX,
    !!spec.logY,
    spec.series.map((s, i) => [
      s.label,
      s.colour,
      s.width,
      s.dash,
      aligned.counts[i] <= MARKED_POINTS,
    ]),
  ]);
}

/** Every x a series draws, ascending: where ← → move the read-out. */
export function cursorStops(aligned: AlignedChart): number[] {
  return [...aligned.data[0]];
}

/** The next read-out stop for a key, or undefined when the key does not move it. */
export function nextStop(
  stops: readonly number[],
  at: number | null,
  key: string,
): number | null | undefined {
  if (!stops.length) return undefined;
  const i = at == null ? -1 : stops.indexOf(at);
  switch (key) {
    case 'ArrowRight':
      return stops[Math.min(stops.length - 1, i + 1)];
    case 'ArrowLeft':
      return stops[Math.max(0, i < 0 ? stops.length - 1 : i - 1)];
    case 'Home':
      return stops[0];
    case 'End':
      return stops[stops.length - 1];
    case 'Escape':
      return null;
    default:
      return undefined;
  }
}

export interface ReadoutRow {
  label: string;
  /** The series' point nearest to the cursor (series need not share x values). */
  x: number;
  y: number;
}

/** Each series' drawn point nearest to `x`; series with nothing drawable are left out. */
export function readoutAt(spec: ChartSpec, x: number): ReadoutRow[] {
  const rows: ReadoutRow[] = [];
  for (const s of spec.series) {
    let best = -1;
    s.x.forEach((xi, j) => {
      if (!drawable(xi, !!spec.logX) || !drawable(s.y[j], !!spec.logY)) return;
      if (best < 0 || Math.abs(xi - x) < Math.abs(s.x[best] - x)) best = j;
    });
    if (best >= 0) rows.push({ label: s.label, x: s.x[best], y: s.y[best]! });
  }
  return rows;
}

/** The read-out as one line of text: "epoch 3: run 1 · loss 0.1234; run 2 · loss 0.2 at 2". */
export function readoutText(spec: ChartSpec, x: number): string {
  const rows = readoutAt(spec, x)
    .map((r) => `${r.label} ${formatValue(r.y)}${r.x !== x ? ` at ${formatTick(r.x)}` : ''}`)
    .join('; ');
  return `${spec.xLabel} ${formatTick(x)}: ${rows}`;
}
