/**
 * How sure a comparison is: the mean ± sd of a figure over seeds, a 95 % interval of the PAIRED
 * difference (variant − baseline), and a verdict only where that interval excludes zero. With two
 * or more seeds per arm the interval is Student's t over the per-seed differences (seed i of both
 * arms starts from the same draw); with one seed it is a percentile bootstrap over validation
 * rows, drawn by the caller so that paired, unpaired and stratified designs share one routine.
 * Pure and framework-free; every draw comes from the seeded generator, so a table is reproducible.
 */
import { seededRandom } from '../util/random';
import type { MetricDirection } from './comparison';

export type Verdict = 'better' | 'worse' | 'no clear difference';

export type IntervalMethod =
  /** Student's t over per-seed differences (two or more seeds per arm). */
  | 't over seeds'
  /** Percentile bootstrap over validation rows (one seed per arm). */
  | 'bootstrap over rows'
  /** A deterministic measurement (parameter count, planned memory): the difference itself. */
  | 'exact';

/** A 95 % interval of variant − baseline. */
export interface Interval {
  low: number;
  high: number;
  method: IntervalMethod;
}

export const CONFIDENCE = 0.95;
export const BOOTSTRAP_RESAMPLES = 2000;

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); null for fewer than two values. */
export function sampleSd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

// Two-sided 97.5 % quantiles of Student's t for 1 … 30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** t quantile for a two-sided 95 % interval; beyond 30 df, Cornish–Fisher's first terms. */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new Error('A t interval needs at least one degree of freedom.');
  if (df <= 30) return T975[Math.round(df) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * 95 % t interval of the mean of variant[i] − baseline[i] (same seed i in both arms); null with
 * fewer than two seeds or a non-finite value.
 */
export function seedInterval(
  baseline: readonly number[],
  variant: readonly number[],
): Interval | null {
  if (baseline.length !== variant.length) {
    throw new Error(`Seeds differ between arms (${baseline.length} vs ${variant.length}).`);
  }
  const diffs = variant.map((v, i) => v - baseline[i]);
  if (diffs.length < 2 || !diffs.every(Number.isFinite)) return null;
  const m = mean(diffs);
  const half = (tQuantile975(diffs.length - 1) * sampleSd(diffs)!) / Math.sqrt(diffs.length);
  return { low: m - half, high: m + half, method: 't over seeds' };
}

/** n row numbers drawn with replacement from 0 … n − 1. */
export function resampleRows(n: number, random: () => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * n);
  return out;
}

/**
 * Percentile bootstrap: `draw` takes the generator, resamples its rows (see resampleRows) and
 * returns variant − baseline on that resample. Resamples whose statistic is not finite are skipped;
 * null when fewer than half of them are usable.
 */
export function bootstrapInterval(
  draw: (random: () => number) => number,
  seed = 1,
  resamples = BOOTSTRAP_RESAMPLES,
): Interval | null {
  const random = seededRandom(seed);
  const stats: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const s = draw(random);
    if (Number.isFinite(s)) stats.push(s);
  }
  if (stats.length < resamples / 2) return null;
  stats.sort((a, b) => a - b);
  const at = (q: number) => stats[Math.min(stats.length - 1, Math.floor(q * stats.length))];
  const tail = (1 - CONFIDENCE) / 2;
  return { low: at(tail), high: at(1 - tail), method: 'bootstrap over rows' };
}

/** Bootstrap of the mean paired difference, both arms scored on the same rows. */
export function pairedRowInterval(
  baseline: readonly number[],
  variant: readonly number[],
  seed = 1,
): Interval | null {
  if (baseline.length !== variant.length) {
    throw new Error(`Paired rows differ in number (${baseline.length} vs ${variant.length}).`);
  }
  const diffs = variant.map((v, i) => v - baseline[i]);
  if (!diffs.length) return null;
  return bootstrapInterval((random) => {
    const rows = resampleRows(diffs.length, random);
    let s = 0;
    for (const r of rows) s += diffs[r];
    return s / rows.length;
  }, seed);
}

/** Bootstrap of mean(variant) − mean(baseline) for arms scored on different rows. */
export function unpairedRowInterval(
  baseline: readonly number[],
  variant: readonly number[],
  seed = 1,
): Interval | null {
  if (!baseline.length || !variant.length) return null;
  const resampledMean = (xs: readonly number[], random: () => number) => {
    let s = 0;
    for (const r of resampleRows(xs.length, random)) s += xs[r];
    return s / xs.length;
  };
  return bootstrapInterval(
    (random) => resampledMean(variant, random) - resampledMean(baseline, random),
    seed,
  );
}

/** Better or worse only where the interval of variant − baseline excludes zero. */
export function verdictOf(interval: Interval | null, direction: MetricDirection): Verdict {
  if (!interval || !(interval.low > 0 || interval.high < 0)) return 'no clear difference';
  const up = interval.low > 0;
  return up === (direction === 'higher') ? 'better' : 'worse';
}
