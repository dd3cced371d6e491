/**
 * Training curves (paper Figs. 10, 12, 13): metric series read from runs' per-epoch records,
 * exponential smoothing, linear or log axes with readable ticks, and the SVG geometry of several
 * runs overlaid. The chart component only draws what this computes.
 */
import type { RunRecord } from '../store/schema';
import { toCsv } from './csv';

export interface Series {
  /** Legend text, e.g. "run 2 · val_loss". */
  label: string;
  run: string;
  metric: string;
  x: number[];
  y: number[];
}

/**
 * An epoch record's numbers by dotted key: `{ loss, valLossPerMovie: { A: 0.2 } }` gives `loss` and
 * `valLossPerMovie.A`, so per-film curves (Fig. 13) need no special case. Non-numbers are skipped.
 */
export function flattenMetrics(record: Record<string, unknown>, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number' && Number.isFinite(value)) out.set(name, value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of flattenMetrics(value as Record<string, unknown>, name)) out.set(k, v);
    }
  }
  return out;
}

/** The field that numbers epochs, not a metric to plot. */
const EPOCH_KEY = 'epoch';

/** Every metric any of the runs recorded, sorted. */
export function metricKeys(runs: readonly RunRecord[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) {
    for (const epoch of run.epochs) for (const k of flattenMetrics(epoch).keys()) keys.add(k);
  }
  keys.delete(EPOCH_KEY);
  return [...keys].sort();
}

/**
 * The losses a runs view shows first. Video runs record `valLoss` (the training loop's field),
 * audio runs Keras's `val_loss` (their saved history reads like Keras's).
 */
const LOSS_KEYS = ['loss', 'valLoss', 'val_loss'];

/** The metrics to plot before the user picks: every loss recorded, else the first two keys. */
export function defaultMetrics(keys: readonly string[]): string[] {
  const losses = keys.filter((k) => LOSS_KEYS.includes(k));
  return losses.length ? losses : keys.slice(0, 2);
}

/** One metric of one run per epoch; epochs are numbered from 1 unless the record says otherwise. */
export function runSeries(run: RunRecord, metric: string, runLabel: string): Series {
  const x: number[] = [];
  const y: number[] = [];
  run.epochs.forEach((epoch, i) => {
    const values = flattenMetrics(epoch);
    const value = values.get(metric);
    if (value === undefined) return;
    x.push(values.get(EPOCH_KEY) ?? i + 1);
    y.push(value);
  });
  return { label: `${runLabel} · ${metric}`, run: runLabel, metric, x, y };
}

/**
 * Exponential moving average with TensorBoard's debiasing (so the first points are not pulled
 * towards zero). weight 0 returns the values, weight → 1 flattens them.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`Smoothing must be in [0, 1), not ${weight}.`);
  let last = 0;
  let debias = 1;
  return values.map((v) => {
    last = last * weight + (1 - weight) * v;
    debias *= weight;
    return last / (1 - debias);
  });
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * power;
}

/** About `count` round tick values covering [min, max]. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/** Powers of ten covering [min, max] (both > 0); 1-2-5 steps when the range spans two decades or less. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mantissas = hi - lo <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of mantissas) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks.length ? ticks : [min];
}

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

export interface ChartOptions {
  width: number;
  height: number;
  logY: boolean;
  /** EMA weight in [0, 1). */
  smoothing: number;
  margin?: { top: number; right: number; bottom: number; left: number };
}

export interface Tick {
  value: number;
  pos: number;
}

export interface ChartGeometry {
  plot: { left: number; top: number; width: number; height: number };
  lines: { label: string; colour: string; path: string; rawPath: string | null }[];
  xTicks: Tick[];
  yTicks: Tick[];
  /** Points left out because a log axis cannot show values ≤ 0. */
  dropped: number;
  /** Every x value of the plotted points, ascending and distinct (for the read-out). */
  xValues: number[];
  /** Data → SVG coordinates, and SVG x → data x. */
  scaleX: (x: number) => number;
  scaleY: (y: number) => number;
  invertX: (px: number) => number;
}

/** Where every series and tick goes in an SVG of the given size. */
export function chartGeometry(series: readonly Series[], options: ChartOptions): ChartGeometry {
  const margin = options.margin ?? { top: 10, right: 16, bottom: 32, left: 56 };
  const plot = {
    left: margin.left,
    top: margin.top,
    width: options.width - margin.left - margin.right,
    height: options.height - margin.top - margin.bottom,
  };
  let dropped = 0;
  const prepared = series.map((s) => {
    const smooth = options.smoothing > 0 ? emaSmooth(s.y, options.smoothing) : s.y;
    const keep = (v: number) => Number.isFinite(v) && (!options.logY || v > 0);
    const pts = (ys: readonly number[]) =>
      s.x.map((x, i) => [x, ys[i]] as const).filter(([, y]) => keep(y));
    const raw = pts(s.y);
    dropped += s.y.length - raw.length;
    return { s, raw, smooth: pts(smooth) };
  });
  const xs = prepared.flatMap((p) => p.raw.map(([x]) => x));
  const ys = prepared.flatMap((p) => [...p.raw, ...p.smooth].map(([, y]) => y));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  let yMin = ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMin === yMax) {
    const pad = options.logY ? yMin / 2 : Math.abs(yMin) / 2 || 0.5;
    yMin -= pad;
    yMax += pad;
  }
  const xTicksRaw = linearTicks(xMin, xMax === xMin ? xMin + 1 : xMax, 6).filter(Number.isInteger);
  const fx = (x: number) =>
    plot.left + (xMax === xMin ? plot.width / 2 : ((x - xMin) / (xMax - xMin)) * plot.width);
  const ty = (y: number) => (options.logY ? Math.log10(y) : y);
  const [tMin, tMax] = [ty(yMin), ty(yMax)];
  const fy = (y: number) => plot.top + plot.height - ((ty(y) - tMin) / (tMax - tMin)) * plot.height;
  const path = (pts: readonly (readonly [number, number])[]) =>
    pts.map(([x, y], i) => `${i ? 'L' : 'M'}${fx(x).toFixed(1)},${fy(y).toFixed(1)}`).join('');
  return {
    plot,
    lines: prepared.map((p, i) => ({
      label: p.s.label,
      colour: SERIES_COLOURS[i % SERIES_COLOURS.length],
      path: path(p.smooth),
      rawPath: options.smoothing > 0 ? path(p.raw) : null,
    })),
    xTicks: xTicksRaw.map((value) => ({ value, pos: fx(value) })),
    yTicks: (options.logY ? logTicks(yMin, yMax) : linearTicks(yMin, yMax)).map((value) => ({
      value,
      pos: fy(value),
    })),
    dropped,
    xValues: [...new Set(xs)].sort((a, b) => a - b),
    scaleX: fx,
    scaleY: fy,
    invertX: (px) =>
      xMax === xMin ? xMin : xMin + ((px - plot.left) / plot.width) * (xMax - xMin),
  };
}

export interface ReadoutRow {
  label: string;
  colour: string;
  x: number;
  y: number;
  /** The smoothed value drawn as the line, when smoothing is on. */
  smoothed: number | null;
  /** Where the point is in the SVG. */
  px: number;
  py: number;
}

/**
 * The hover read-out: for each series, its point nearest to `x` (points a log axis cannot show
 * are skipped), with the value drawn and where it sits in the chart.
 */
export function readoutAt(
  series: readonly Series[],
  geometry: ChartGeometry,
  x: number,
  options: Pick<ChartOptions, 'logY' | 'smoothing'>,
): ReadoutRow[] {
  const rows: ReadoutRow[] = [];
  series.forEach((s, i) => {
    const smooth = options.smoothing > 0 ? emaSmooth(s.y, options.smoothing) : null;
    let best = -1;
    s.x.forEach((xi, j) => {
      const drawn = smooth ? smooth[j] : s.y[j];
      if (!Number.isFinite(drawn) || (options.logY && (drawn <= 0 || s.y[j] <= 0))) return;
      if (best < 0 || Math.abs(xi - x) < Math.abs(s.x[best] - x)) best = j;
    });
    if (best < 0) return;
    const drawn = smooth ? smooth[best] : s.y[best];
    rows.push({
      label: s.label,
      colour: geometry.lines[i]?.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length],
      x: s.x[best],
      y: s.y[best],
      smoothed: smooth ? smooth[best] : null,
      px: geometry.scaleX(s.x[best]),
      py: geometry.scaleY(drawn),
    });
  });
  return rows;
}

/** The x value nearest to `x` among `values` (ascending), or null when there are none. */
export function nearestValue(values: readonly number[], x: number): number | null {
  let best: number | null = null;
  for (const v of values) if (best === null || Math.abs(v - x) < Math.abs(best - x)) best = v;
  return best;
}

/** The curves as one long table: one row per run, metric and epoch, raw and smoothed. */
export function curvesCsv(series: readonly Series[], smoothing: number): string {
  const rows = series.flatMap((s) => {
    const smooth = emaSmooth(s.y, smoothing);
    return s.x.map((x, i) => [s.run, s.metric, x, s.y[i], smooth[i]]);
  });
  return toCsv(['run', 'metric', 'epoch', 'value', 'smoothed'], rows);
}
