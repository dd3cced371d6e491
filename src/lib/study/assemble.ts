/**
 * Builds the datasets every model trains on from study data already in memory: label matrices and
 * screenings aligned with the sequences each movie has, labels selected, gases normalised and
 * filled, lag applied, split applied. The store-facing `buildLabelDataset` / `buildGasDataset`
 * load records and call these; tests and tools can call them directly.
 */
import type { GasDataset, LabelDataset, SequenceRef, SplitSpec } from './dataset';
import {
  fillMissing,
  normaliseScreening,
  type GasNormalisation,
  type MissingGasFill,
} from './gasTargets';
import {
  countLabels,
  selectLabels,
  type LabelCounts,
  type LabelOverrides,
  type LabelSource,
} from './labelSelection';
import { splitRows } from './splits';

/** How a movie's labels or screenings met its sequences. */
export interface Alignment {
  movieId: string;
  /** Rows in the label set or screening. */
  dataRows: number;
  /** Sequences the movie offers (frames, audio features, or the data itself). */
  sequences: number;
  kept: number;
  /** Label rows without a sequence plus sequences without a label row. */
  dropped: number;
}

export interface LabelInput extends LabelSource {
  /** Sequences available for this movie (Infinity: use every label row). */
  available: number;
}

export interface LabelDatasetOptions {
  minCount: number;
  overrides?: LabelOverrides;
  split: SplitSpec;
}

export interface BuiltLabelDataset extends LabelDataset {
  counts: LabelCounts;
  /** Indices into counts.names of the kept labels (= names). */
  kept: number[];
  alignment: Alignment[];
}

export function assembleLabelDataset(
  inputs: readonly LabelInput[],
  options: LabelDatasetOptions,
): BuiltLabelDataset {
  const counts = countLabels(inputs);
  const kept = selectLabels(counts, options.minCount, options.overrides);
  const names = kept.map((i) => counts.names[i]);
  const rows: SequenceRef[] = [];
  const values: number[] = [];
  const alignment: Alignment[] = [];
  for (const input of inputs) {
    const n = Math.min(input.rows, input.available);
    const k = input.names.length;
    const column = names.map((name) => input.names.indexOf(name));
    for (let r = 0; r < n; r++) {
      rows.push({ movieId: input.movieId, index: r });
      for (const c of column) values.push(c < 0 ? 0 : input.matrix[r * k + c]);
    }
    const sequences = Number.isFinite(input.available) ? input.available : input.rows;
    alignment.push({
      movieId: input.movieId,
      dataRows: input.rows,
      sequences,
      kept: n,
      dropped: input.rows - n + (sequences - n),
    });
  }
  const split = splitRows(rows, options.split);
  return { names, rows, y: Float32Array.from(values), split, counts, kept, alignment };
}

export interface ScreeningInput {
  id: string;
  movieId: string;
  screeningIndex: number;
  /** Chemical keys present, in the order of `values`' columns. */
  chemicals: readonly string[];
  rows: number;
  /** Raw, rows × chemicals.length, NaN = missing. */
  values: ArrayLike<number>;
}

export interface GasDatasetOptions {
  /** Chemical keys of the targets, in order. */
  chemicals: readonly string[];
  normalisation: GasNormalisation;
  missing: MissingGasFill;
  lag: number;
  split: SplitSpec;
}

export interface BuiltGasDataset extends GasDataset {
  alignment: (Alignment & { screeningId: string })[];
  /** Each screening's full normalised, filled curves (rows × chemicals), for plots. */
  curves: Map<string, Float32Array>;
}

/** Gas targets: sequence r of a movie pairs with row r + lag of each of its screenings. */
export function assembleGasDataset(
  screenings: readonly ScreeningInput[],
  available: ReadonlyMap<string, number>,
  options: GasDatasetOptions,
): BuiltGasDataset {
  const k = options.chemicals.length;
  const lag = Math.max(0, Math.floor(options.lag));
  const byMovie = new Map<string, ScreeningInput[]>();
  for (const s of [...screenings].sort((a, b) => a.screeningIndex - b.screeningIndex)) {
    byMovie.set(s.movieId, [...(byMovie.get(s.movieId) ?? []), s]);
  }
  const rows: GasDataset['rows'] = [];
  const values: number[] = [];
  const alignment: BuiltGasDataset['alignment'] = [];
  const curves = new Map<string, Float32Array>();
  const firstScreening = new Map<string, string>();
  for (const [movieId, list] of byMovie) {
    firstScreening.set(movieId, list[0].id);
    const normalised = list.map((s) => {
      const full = new Float32Array(s.rows * k).fill(NaN);
      const kc = s.chemicals.length;
      options.chemicals.forEach((key, c) => {
        const from = s.chemicals.indexOf(key);
        if (from < 0) return;
        for (let r = 0; r < s.rows; r++) full[r * k + c] = s.values[r * kc + from];
      });
      return normaliseScreening(full, s.rows, k, options.normalisation);
    });
    const filled = fillMissing(normalised, options.missing);
    const sequences = available.get(movieId) ?? Infinity;
    list.forEach((s, i) => {
      curves.set(s.id, filled[i]);
      const n = Math.max(0, Math.min(sequences, s.rows - lag));
      for (let r = 0; r < n; r++) {
        rows.push({ movieId, index: r, screeningId: s.id });
        for (let c = 0; c < k; c++) values.push(filled[i][(r + lag) * k + c]);
      }
      const seq = Number.isFinite(sequences) ? sequences : s.rows - lag;
      alignment.push({
        movieId,
        screeningId: s.id,
        dataRows: s.rows,
        sequences: seq,
        kept: n,
        dropped: s.rows - n + Math.max(0, seq - n),
      });
    });
  }
  const split = splitRows(rows, options.split, firstScreening);
  return {
    chemicals: [...options.chemicals],
    rows,
    y: Float32Array.from(values),
    split,
    alignment,
    curves,
  };
}
