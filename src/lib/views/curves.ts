/**
 * Training curves (paper Figs. 10, 12, 13): metric series read from runs' per-epoch records under
 * one name per metric, exponential smoothing, the chart series drawn for them (smoothed line over
 * the faint raw one) and their CSV. The chart wrapper (chart.ts) only draws what this makes.
 */
import type { RunRecord } from '../store/schema';
import type { ComparisonCurve } from '../experiments/comparison-curves';
import { seriesColour, type ChartSeries } from './chart';
import { toCsv } from './csv';
import { canonicalMetric, LOSS_METRICS, metricLabel } from './metric-names';

export interface Series {
  /** Legend text, e.g. "#2 tiny autoencoder · validation loss". */
  label: string;
  run: string;
  metric: string;
  x: number[];
  y: number[];
  /** Drawing overrides (e.g. thin seed lines around a thick mean); by default a colour per series. */
  colour?: string;
  width?: number;
  dash?: number[];
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

/** An epoch record's numbers under their canonical metric names (see metric-names.ts). */
export function epochMetrics(record: Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of flattenMetrics(record)) {
    const name = canonicalMetric(key);
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** Every metric any of the runs recorded, by canonical name, sorted. */
export function metricKeys(runs: readonly RunRecord[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) {
    for (const epoch of run.epochs) for (const k of epochMetrics(epoch).keys()) keys.add(k);
  }
  keys.delete(EPOCH_KEY);
  return [...keys].sort();
}

/** The metrics to plot before the user picks: every loss recorded, else the first two keys. */
export function defaultMetrics(keys: readonly string[]): string[] {
  const losses = LOSS_METRICS.filter((k) => keys.includes(k));
  return losses.length ? losses : keys.slice(0, 2);
}

/**
 * One metric (canonical name) of one run per epoch; epochs are numbered from 1 unless the record
 * says otherwise.
 */
export function runSeries(
  run: Pick<RunRecord, 'epochs'>,
  metric: string,
  runLabel: string,
): Series {
  const x: number[] = [];
  const y: number[] = [];
  run.epochs.forEach((epoch, i) => {
    const values = epochMetrics(epoch);
    const value = values.get(metric);
    if (value === undefined) return;
    x.push(values.get(EPOCH_KEY) ?? i + 1);
    y.push(value);
  });
  return { label: `${runLabel} · ${metricLabel(metric)}`, run: runLabel, metric, x, y };
}

export type CurveStyle = Pick<Series, 'colour' | 'width' | 'dash'>;

/**
 * A metric of a history still in memory (one object per epoch, e.g. an arm training now), drawn
 * in the arm's own style: how sections overlay arms, or seeds of an arm around their mean.
 */
export function historySeries(
  history: readonly object[],
  metric: string,
  arm: string,
  style: CurveStyle = {},
): Series {
  const epochs = history as readonly Record<string, unknown>[];
  return { ...runSeries({ epochs: [...epochs] }, metric, arm), ...style };
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

/**
 * What the chart draws for curves: each series in its colour, and when smoothing is on, the
 * smoothed line over the raw one kept faint behind it.
 */
export function curveChartSeries(series: readonly Series[], smoothing: number): ChartSeries[] {
  return series.flatMap((s, i) => {
    const colour = s.colour ?? seriesColour(i);
    const line: ChartSeries = {
      label: s.label,
      x: s.x,
      y: s.y,
      colour,
      width: s.width,
      dash: s.dash,
    };
    if (!(smoothing > 0)) return [line];
    return [
      { ...line, label: `${s.label} (raw)`, colour: faint(colour), width: 1 },
      { ...line, y: emaSmooth(s.y, smoothing) },
    ];
  });
}

/** A #rrggbb colour at a quarter opacity; other colour forms are kept as they are. */
export function faint(colour: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) return colour;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, 0.25)`;
}

/** The curves as one long table: one row per run, metric and epoch, raw and smoothed. */
export function curvesCsv(series: readonly Series[], smoothing: number): string {
  const rows = series.flatMap((s) => {
    const smooth = emaSmooth(s.y, smoothing);
    return s.x.map((x, i) => [s.run, s.metric, x, s.y[i], smooth[i]]);
  });
  return toCsv(['run', 'metric', 'epoch', 'value', 'smoothed'], rows);
}

/** The two arms of a comparison always in these colours: baseline blue, variant orange. */
export const ARM_COLOURS = { baseline: '#1f6fb4', variant: '#e8710a' } as const;

/** A comparison's curves as chart series: each arm's mean thick, its seeds thin, in its colour. */
export function comparisonSeries(curves: readonly ComparisonCurve[]): Series[] {
  return curves.map((c) => ({
    label: c.seed === null ? `${c.label} (mean)` : c.label,
    run: c.run,
    metric: c.metric,
    x: c.x,
    y: c.y,
    colour: ARM_COLOURS[c.role],
    width: c.seed === null ? 2.5 : 1,
  }));
}
