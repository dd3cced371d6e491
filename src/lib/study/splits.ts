/**
 * The one split definition every model section uses: last fraction of each movie (paper: 20 %),
 * one screening out per movie (original code: each movie's first screening), or one movie out.
 */
import type { SequenceRef, Split, SplitSpec } from './dataset';

type Row = SequenceRef & { screeningId?: string };

/**
 * Splits dataset rows. `firstScreening` gives each movie's default held-out screening.
 * Scene labels have no screenings: a screening-out split falls back to the paper's last 20 %
 * and says so in `note`.
 */
export function splitRows(
  rows: readonly Row[],
  spec: SplitSpec,
  firstScreening: ReadonlyMap<string, string> = new Map(),
): Split {
  const train: number[] = [];
  const validation: number[] = [];
  let note: string | undefined;
  let isValidation: (row: Row) => boolean;
  if (spec.kind === 'screening-out' && rows.some((r) => r.screeningId === undefined)) {
    note = 'scene labels have no screenings: the last 20 % of each movie validate';
    return { ...splitRows(rows, { kind: 'last-fraction', fraction: 0.2 }), note };
  }
  if (spec.kind === 'last-fraction') {
    const indices = new Map<string, Set<number>>();
    for (const r of rows) {
      const set = indices.get(r.movieId) ?? new Set();
      set.add(r.index);
      indices.set(r.movieId, set);
    }
    // Validation starts at the floor((1 − f)·n)-th sequence of each movie (1039 / 263 on the
    // study's 1302 sequences, as the original code split them).
    const cut = new Map<string, number>();
    for (const [movie, set] of indices) {
      const sorted = [...set].sort((a, b) => a - b);
      const first = Math.floor((1 - spec.fraction) * sorted.length);
      cut.set(movie, first < sorted.length ? sorted[first] : Infinity);
    }
    isValidation = (r) => r.index >= cut.get(r.movieId)!;
  } else if (spec.kind === 'screening-out') {
    isValidation = (r) =>
      r.screeningId === (spec.screeningIds?.[r.movieId] ?? firstScreening.get(r.movieId));
  } else {
    if (!rows.some((r) => r.movieId === spec.movieId)) note = 'the held-out movie has no rows';
    isValidation = (r) => r.movieId === spec.movieId;
  }
  rows.forEach((r, i) => (isValidation(r) ? validation : train).push(i));
  return note ? { train, validation, note } : { train, validation };
}

export function describeSplit(split: Split): string {
  return `${split.train.length} train / ${split.validation.length} validation`;
}
