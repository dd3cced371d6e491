/**
 * The response-lag experiment (paper §V: does breath respond minutes after the scene?): pair each
 * sequence with the gas measured N periods (30 s each) LATER in the same screening, and drop the
 * sequences whose partner is past the end. A lag scan trains the gas regressor for N = 0 … max and
 * plots validation MAE against N.
 */
import { SECONDS_PER_VOC_ROW } from '../shapes';
import type { SequenceRef, Split } from '../study/dataset';

/** One gas row: a sequence of a movie, optionally measured in one screening of it. */
export type GasRowRef = SequenceRef & { screeningId?: string };

export interface LaggedTargets<R extends GasRowRef> {
  /** The input rows kept (sequence i of each movie/screening), in their original order. */
  rows: R[];
  /** rows.length × k: the targets of sequence index + lag of the same movie and screening. */
  y: Float32Array;
  /** kept[j]: the original row number of rows[j] (its input side). */
  kept: number[];
  /** target[j]: the original row number whose targets rows[j] now carries. */
  target: number[];
}

export function lagMinutes(lag: number): number {
  return (lag * SECONDS_PER_VOC_ROW) / 60;
}

/** Pairs sequence i with measurement i + lag (lag may be negative: breath before the scene). */
export function lagTargets<R extends GasRowRef>(
  rows: readonly R[],
  y: ArrayLike<number>,
  k: number,
  lag: number,
): LaggedTargets<R> {
  if (!Number.isInteger(lag)) throw new Error(`The lag must be a whole number of periods.`);
  if (y.length !== rows.length * k) {
    throw new Error(`Targets hold ${y.length} values, not ${rows.length} rows × ${k}.`);
  }
  const key = (r: GasRowRef, index: number) =>
    `${r.movieId}\u0000${r.screeningId ?? ''}\u0000${index}`;
  const byKey = new Map<string, number>();
  rows.forEach((r, i) => byKey.set(key(r, r.index), i));
  const kept: number[] = [];
  const target: number[] = [];
  rows.forEach((r, i) => {
    const partner = byKey.get(key(r, r.index + lag));
    if (partner === undefined) return;
    kept.push(i);
    target.push(partner);
  });
  const out = new Float32Array(kept.length * k);
  target.forEach((t, j) => {
    for (let c = 0; c < k; c++) out[j * k + c] = y[t * k + c];
  });
  return { rows: kept.map((i) => rows[i]), y: out, kept, target };
}

/** The split over the lagged rows: each keeps the side its input sequence was on. */
export function remapSplit(split: Split, kept: readonly number[]): Split {
  const side = new Map<number, 'train' | 'validation'>();
  split.train.forEach((r) => side.set(r, 'train'));
  split.validation.forEach((r) => side.set(r, 'validation'));
  const out: Split = { train: [], validation: [] };
  kept.forEach((original, j) => {
    const s = side.get(original);
    if (s) out[s].push(j);
  });
  return out;
}

/** The lags of a scan: 0 … maxLag periods. */
export function lagScan(maxLag: number): number[] {
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new Error('The largest lag must be a whole number of periods, 0 or more.');
  }
  return Array.from({ length: maxLag + 1 }, (_, i) => i);
}

export interface LagResult {
  lag: number;
  /** Validation MAE of the gas regressor trained at this lag (the mean over seeds). */
  mae: number;
  /** Its sd over seeds (null with one seed); absent in scans saved before seeds. */
  sd?: number | null;
  /** Validation rows at this lag. */
  rows?: number;
}

/** The lag with the lowest validation MAE (the earliest on ties), or null for an empty scan. */
export function bestLag(results: readonly LagResult[]): LagResult | null {
  let best: LagResult | null = null;
  for (const r of results) {
    if (Number.isFinite(r.mae) && (!best || r.mae < best.mae)) best = r;
  }
  return best;
}
