/**
 * Which labels the study keeps: those used at least N times over all its labelled sequences
 * (paper: 20, which leaves 13 of 42), unless the researcher overrides a label either way.
 */
export interface LabelSource {
  movieId: string;
  names: readonly string[];
  rows: number;
  /** rows × names.length, 0/1. */
  matrix: Uint8Array;
}

export interface LabelCounts {
  /** Every label name over all sources, the first source's order first. */
  names: string[];
  /** Positives per name over the whole study. */
  total: number[];
  /** movieId → positives per name. */
  perMovie: Map<string, number[]>;
  /** Labelled sequences over the whole study. */
  sequences: number;
}

export function countLabels(sources: readonly LabelSource[]): LabelCounts {
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const s of sources) {
    for (const n of s.names) {
      if (!index.has(n)) {
        index.set(n, names.length);
        names.push(n);
      }
    }
  }
  const total = new Array<number>(names.length).fill(0);
  const perMovie = new Map<string, number[]>();
  let sequences = 0;
  for (const s of sources) {
    const counts = perMovie.get(s.movieId) ?? new Array<number>(names.length).fill(0);
    const k = s.names.length;
    const columns = s.names.map((n) => index.get(n)!);
    for (let r = 0; r < s.rows; r++) {
      for (let c = 0; c < k; c++) {
        if (s.matrix[r * k + c]) {
          counts[columns[c]]++;
          total[columns[c]]++;
        }
      }
    }
    perMovie.set(s.movieId, counts);
    sequences += s.rows;
  }
  return { names, total, perMovie, sequences };
}

/** name → true (keep) / false (drop), overriding the count rule. */
export type LabelOverrides = Record<string, boolean>;

/** Indices into `counts.names` of the kept labels, in that order. */
export function selectLabels(
  counts: LabelCounts,
  minCount: number,
  overrides: LabelOverrides = {},
): number[] {
  const kept: number[] = [];
  counts.names.forEach((name, i) => {
    const keep = overrides[name] ?? counts.total[i] >= minCount;
    if (keep) kept.push(i);
  });
  return kept;
}
