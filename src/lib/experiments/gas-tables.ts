/**
 * The result tables of the audio-feature experiments, from what each arm's seeds measured: the
 * per-seed figures go to compareSamples, and with one seed the validation rows give a bootstrap
 * interval (paired where both arms score the same rows, unpaired where they do not, stratified by
 * movie for an unweighted mean of movies). Pure: the runner trains, this file only counts.
 */
import { multiLabelReport } from '../metrics/classification';
import type { AudioEpoch, AudioTrainData } from '../training/audio-trainer';
import { METRICS, compareSamples, type MetricDefinition, type ResultRow } from './comparison';
import {
  bootstrapInterval,
  pairedRowInterval,
  resampleRows,
  unpairedRowInterval,
} from './uncertainty';

/** One seed of one arm: its per-epoch metrics and the final model's validation outputs. */
export interface ArmResult {
  history: AudioEpoch[];
  scores: Float32Array;
  stopped: boolean;
}

/** The last epoch's validation MAE, as the arm's curve shows it. */
export function finalMae(result: ArmResult): number {
  return result.history.at(-1)?.mae ?? NaN;
}

/**
 * Each validation row's mean absolute error over the outputs where `keep` holds (NaN for a row
 * with none), in the order of `data.validation`.
 */
export function rowErrors(
  data: AudioTrainData,
  scores: Float32Array,
  keep: (row: number, output: number) => boolean = () => true,
): number[] {
  const k = data.outputs;
  return data.validation.map((r, i) => {
    let sum = 0;
    let n = 0;
    for (let c = 0; c < k; c++) {
      if (!keep(r, c)) continue;
      sum += Math.abs(scores[i * k + c] - data.y[r * k + c]);
      n++;
    }
    return n ? sum / n : NaN;
  });
}

/** MAE over the validation cells where `keep` holds (each cell counts once). */
export function cellMae(
  data: AudioTrainData,
  scores: Float32Array,
  keep: (row: number, output: number) => boolean = () => true,
): number {
  let sum = 0;
  let n = 0;
  data.validation.forEach((r, i) => {
    for (let c = 0; c < data.outputs; c++) {
      if (!keep(r, c)) continue;
      sum += Math.abs(scores[i * data.outputs + c] - data.y[r * data.outputs + c]);
      n++;
    }
  });
  return n ? sum / n : NaN;
}

/** Validation cells of `data` whose target differs from `other`'s (filled differently). */
export function cellsFilledDifferently(data: AudioTrainData, other: AudioTrainData): number {
  let n = 0;
  for (const r of data.validation) {
    for (let c = 0; c < data.outputs; c++) {
      if (data.y[r * data.outputs + c] !== other.y[r * other.outputs + c]) n++;
    }
  }
  return n;
}

/**
 * Missing gas values: MAE on the measured cells (the fair score: the same truth in both arms) and
 * MAE on every cell (each arm against its own filled truth), over the same validation rows.
 */
export function missingGasRows(
  base: AudioTrainData,
  variant: AudioTrainData,
  b: readonly ArmResult[],
  v: readonly ArmResult[],
  bootstrapSeed: number,
): ResultRow[] {
  const same = (r: number, c: number) =>
    base.y[r * base.outputs + c] === variant.y[r * variant.outputs + c];
  const rows = base.validation.length;
  const measured = compareSamples(
    METRICS.maeMeasured,
    { values: b.map((x) => cellMae(base, x.scores, same)), rows },
    { values: v.map((x) => cellMae(variant, x.scores, same)), rows },
    {
      rowInterval: () => {
        const eb = rowErrors(base, b[0].scores, same);
        const ev = rowErrors(variant, v[0].scores, same);
        const both = eb.map((_, i) => i).filter((i) => !Number.isNaN(eb[i]));
        return pairedRowInterval(
          both.map((i) => eb[i]),
          both.map((i) => ev[i]),
          bootstrapSeed,
        );
      },
    },
  );
  const all = compareSamples(
    METRICS.mae,
    { values: b.map(finalMae), rows },
    { values: v.map(finalMae), rows },
    {
      rowInterval: () =>
        pairedRowInterval(
          rowErrors(base, b[0].scores),
          rowErrors(variant, v[0].scores),
          bootstrapSeed,
        ),
    },
  );
  return [measured, all];
}

/** Two arms on different rows (e.g. two lags): their MAE per seed, unpaired rows with one seed. */
export function unpairedMaeRow(
  metric: MetricDefinition,
  base: AudioTrainData,
  variant: AudioTrainData,
  b: readonly ArmResult[],
  v: readonly ArmResult[],
  bootstrapSeed: number,
  group?: string,
): ResultRow {
  return compareSamples(
    metric,
    { values: b.map(finalMae), rows: base.validation.length },
    { values: v.map(finalMae), rows: variant.validation.length },
    {
      group,
      rowInterval: () =>
        unpairedRowInterval(
          rowErrors(base, b[0].scores),
          rowErrors(variant, v[0].scores),
          bootstrapSeed,
        ),
    },
  );
}

/** One held-out movie: its rows in the paper split's validation and in its own fold. */
export interface MovieFoldData {
  name: string;
  /** Positions in the baseline's `validation` that belong to this movie. */
  baselinePositions: number[];
  fold: AudioTrainData;
  /** The fold's seeds, in the comparison's seed order. */
  results: readonly ArmResult[];
}

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Leave-one-movie-out: per movie, the paper split's MAE on that movie's validation rows against
 * the fold's MAE on all of them; then the mean over movies weighted by sequences (every validation
 * row pooled) and the unweighted mean of the movies, each labelled.
 */
export function leaveOneMovieOutRows(
  base: AudioTrainData,
  b: readonly ArmResult[],
  movies: readonly MovieFoldData[],
  bootstrapSeed: number,
): ResultRow[] {
  const baseErrors = b.map((x) => rowErrors(base, x.scores));
  const foldErrors = movies.map((m) => m.results.map((x) => rowErrors(m.fold, x.scores)));
  const seeds = b.length;
  const seedIndex = Array.from({ length: seeds }, (_, s) => s);
  const baseMovie = (m: number, s: number) =>
    meanOf(movies[m].baselinePositions.map((p) => baseErrors[s][p]));
  const perMovie = movies.map((m, mi) =>
    compareSamples(
      METRICS.mae,
      { values: seedIndex.map((s) => baseMovie(mi, s)), rows: m.baselinePositions.length },
      { values: seedIndex.map((s) => meanOf(foldErrors[mi][s])), rows: m.fold.validation.length },
      {
        group: m.name,
        rowInterval: () =>
          unpairedRowInterval(
            m.baselinePositions.map((p) => baseErrors[0][p]),
            foldErrors[mi][0],
            bootstrapSeed,
          ),
      },
    ),
  );
  const pooledBase = (s: number) =>
    meanOf(movies.flatMap((m) => m.baselinePositions.map((p) => baseErrors[s][p])));
  const pooledFolds = (s: number) => meanOf(foldErrors.flatMap((f) => f[s]));
  const baseRows = movies.reduce((n, m) => n + m.baselinePositions.length, 0);
  const foldRows = movies.reduce((n, m) => n + m.fold.validation.length, 0);
  const weighted = compareSamples(
    METRICS.maeWeighted,
    { values: seedIndex.map(pooledBase), rows: baseRows },
    { values: seedIndex.map(pooledFolds), rows: foldRows },
    {
      group: 'all movies',
      rowInterval: () =>
        unpairedRowInterval(
          movies.flatMap((m) => m.baselinePositions.map((p) => baseErrors[0][p])),
          foldErrors.flatMap((f) => f[0]),
          bootstrapSeed,
        ),
    },
  );
  // Resampled within each movie, so every movie keeps its weight of one.
  const stratified = (random: () => number) => {
    const movieMean = (xs: readonly number[]) => {
      let s = 0;
      for (const r of resampleRows(xs.length, random)) s += xs[r];
      return s / xs.length;
    };
    const bm = movies.map((m) => movieMean(m.baselinePositions.map((p) => baseErrors[0][p])));
    const vm = foldErrors.map((f) => movieMean(f[0]));
    return meanOf(vm) - meanOf(bm);
  };
  const unweighted = compareSamples(
    METRICS.maeUnweighted,
    {
      values: seedIndex.map((s) => meanOf(movies.map((_, mi) => baseMovie(mi, s)))),
      rows: baseRows,
    },
    {
      values: seedIndex.map((s) => meanOf(foldErrors.map((f) => meanOf(f[s])))),
      rows: foldRows,
    },
    { group: 'all movies', rowInterval: () => bootstrapInterval(stratified, bootstrapSeed) },
  );
  return [...perMovie, weighted, unweighted];
}

/** Weighted F1 of two arms scored on the same validation rows; paired rows with one seed. */
export function sceneF1Row(
  data: AudioTrainData,
  baseline: { values: number[]; scores: Float32Array },
  variant: { values: number[]; scores: Float32Array },
  bootstrapSeed: number,
): ResultRow {
  const k = data.outputs;
  const n = data.validation.length;
  const truth = new Float32Array(n * k);
  data.validation.forEach((r, i) => truth.set(data.y.subarray(r * k, (r + 1) * k), i * k));
  const f1On = (scores: Float32Array, rows: Int32Array) => {
    const t = new Float32Array(rows.length * k);
    const s = new Float32Array(rows.length * k);
    rows.forEach((r, i) => {
      t.set(truth.subarray(r * k, (r + 1) * k), i * k);
      s.set(scores.subarray(r * k, (r + 1) * k), i * k);
    });
    return multiLabelReport(t, s, k).weighted.f1;
  };
  return compareSamples(
    METRICS.f1,
    { values: baseline.values, rows: n },
    { values: variant.values, rows: n },
    {
      rowInterval: () =>
        bootstrapInterval((random) => {
          const rows = resampleRows(n, random);
          return f1On(variant.scores, rows) - f1On(baseline.scores, rows);
        }, bootstrapSeed),
    },
  );
}
