// The data side of the experiments: the response lag shifts gas targets by exactly N rows within
// each movie and screening, missing gas values come from the same movie's other screenings, and
// leave-one-movie-out folds cover every row once.
import { describe, expect, it } from 'vitest';
import {
  bestLag,
  lagMinutes,
  lagScan,
  lagTargets,
  remapSplit,
} from '../../src/lib/experiments/response-lag';
import { fillMissingGas } from '../../src/lib/experiments/missing-gas';
import { leaveOneMovieOut } from '../../src/lib/experiments/folds';

/** Movie A screenings s1 (5 rows) and s2 (3 rows), movie B s3 (4 rows); y = [100·row, row]. */
function gasRows() {
  const rows = [
    ...[0, 1, 2, 3, 4].map((index) => ({ movieId: 'A', screeningId: 's1', index })),
    ...[0, 1, 2].map((index) => ({ movieId: 'A', screeningId: 's2', index })),
    ...[0, 1, 2, 3].map((index) => ({ movieId: 'B', screeningId: 's3', index })),
  ];
  const y = Float32Array.from(rows.flatMap((_, i) => [100 * i, i]));
  return { rows, y };
}

describe('lagTargets', () => {
  it('is the identity at lag 0', () => {
    const { rows, y } = gasRows();
    const out = lagTargets(rows, y, 2, 0);
    expect(out.rows).toEqual(rows);
    expect([...out.y]).toEqual([...y]);
  });

  it('pairs sequence i with measurement i + N of the same screening, dropping the rest', () => {
    const { rows, y } = gasRows();
    const out = lagTargets(rows, y, 2, 2);
    // A/s1 keeps indices 0–2, A/s2 keeps 0, B/s3 keeps 0–1.
    expect(out.rows.map((r) => `${r.screeningId}:${r.index}`)).toEqual([
      's1:0',
      's1:1',
      's1:2',
      's2:0',
      's3:0',
      's3:1',
    ]);
    expect(out.kept).toEqual([0, 1, 2, 5, 8, 9]);
    // Every kept row carries the targets of the row exactly 2 further on.
    expect(out.target).toEqual(out.kept.map((k) => k + 2));
    expect([...out.y]).toEqual(out.target.flatMap((t) => [100 * t, t]));
  });

  it('shifts the other way for a negative lag and drops everything past the end', () => {
    const { rows, y } = gasRows();
    const back = lagTargets(rows, y, 2, -1);
    expect(back.kept).toEqual([1, 2, 3, 4, 6, 7, 9, 10, 11]);
    expect(back.target).toEqual(back.kept.map((k) => k - 1));
    expect(lagTargets(rows, y, 2, 5).rows).toEqual([]);
  });

  it('keeps each lagged row on its input side of the split', () => {
    const { rows, y } = gasRows();
    const out = lagTargets(rows, y, 2, 1);
    const split = remapSplit(
      { train: [0, 1, 2, 5, 6, 8, 9], validation: [3, 4, 7, 10, 11] },
      out.kept,
    );
    expect(out.kept).toEqual([0, 1, 2, 3, 5, 6, 8, 9, 10]);
    expect(split).toEqual({ train: [0, 1, 2, 4, 5, 6, 7], validation: [3, 8] });
  });

  it('checks its input', () => {
    const { rows, y } = gasRows();
    expect(() => lagTargets(rows, y, 3, 1)).toThrow(/not 12 rows × 3/);
    expect(() => lagTargets(rows, y, 2, 0.5)).toThrow(/whole number/);
    expect(lagMinutes(4)).toBe(2);
  });

  it('scans lags 0 … N and finds the one with the lowest MAE', () => {
    expect(lagScan(3)).toEqual([0, 1, 2, 3]);
    expect(() => lagScan(-1)).toThrow(/0 or more/);
    const results = [
      { lag: 0, mae: 0.2 },
      { lag: 1, mae: 0.15 },
      { lag: 2, mae: NaN },
      { lag: 3, mae: 0.15 },
    ];
    expect(bestLag(results)).toEqual({ lag: 1, mae: 0.15 });
    expect(bestLag([])).toBeNull();
  });
});

describe('fillMissingGas', () => {
  const N = NaN;
  const screenings = () => [
    // Movie A, 3 rows × 2 chemicals.
    { movieId: 'A', values: Float32Array.from([0.1, N, N, 0.4, N, 0.6]) },
    { movieId: 'A', values: Float32Array.from([0.3, 0.2, 0.5, N, N, 0.8]) },
    { movieId: 'A', values: Float32Array.from([0.5, 0.4]) }, // shorter screening
    // Movie B: its values must never leak into A.
    { movieId: 'B', values: Float32Array.from([0.9, 0.9, 0.9, 0.9, 0.9, 0.9]) },
    { movieId: 'B', values: Float32Array.from([N, N, 0.7, 0.7, N, N]) },
  ];

  it("uses the mean of the same movie's other screenings at that period", () => {
    const out = fillMissingGas(screenings(), 2);
    const close = (a: Float32Array, b: number[]) =>
      [...a].forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
    close(out.values[0], [0.1, 0.3, 0.5, 0.4, 0.5, 0.6]);
    close(out.values[1], [0.3, 0.2, 0.5, 0.4, 0.5, 0.8]);
    close(out.values[4], [0.9, 0.9, 0.7, 0.7, 0.9, 0.9]);
    // Row 2 chemical 0 is missing in both long A screenings and A/3 has no row 2: 0.5.
    expect(out.fromConstant).toBe(2);
    expect(out.fromOthers).toBe(7);
  });

  it("falls back to 0.5 when no other screening has a value, and keeps the paper's constant fill", () => {
    const paper = fillMissingGas(screenings(), 2, 'constant');
    expect([...paper.values[0]].map((v) => +v.toFixed(6))).toEqual([0.1, 0.5, 0.5, 0.4, 0.5, 0.6]);
    expect(paper.fromOthers).toBe(0);
    const alone = fillMissingGas([{ movieId: 'C', values: Float32Array.from([N, 0.2]) }], 2);
    expect([...alone.values[0]].map((v) => +v.toFixed(6))).toEqual([0.5, 0.2]);
    expect(() => fillMissingGas([{ movieId: 'C', values: new Float32Array(3) }], 2)).toThrow(
      /rows × 2/,
    );
  });

  it('leaves its input untouched', () => {
    const input = screenings();
    fillMissingGas(input, 2);
    expect(Number.isNaN(input[0].values[1])).toBe(true);
  });
});

describe('leaveOneMovieOut', () => {
  it('makes one fold per movie that validates on exactly its rows', () => {
    const rows = ['A', 'B', 'A', 'C', 'B', 'A'].map((movieId, index) => ({ movieId, index }));
    const folds = leaveOneMovieOut(rows);
    expect(folds.map((f) => f.movieId)).toEqual(['A', 'B', 'C']);
    expect(folds[0]).toEqual({ movieId: 'A', train: [1, 3, 4], validation: [0, 2, 5] });
    for (const fold of folds) {
      expect([...fold.train, ...fold.validation].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(fold.train.every((i) => rows[i].movieId !== fold.movieId)).toBe(true);
    }
    // Each row validates exactly once over all folds.
    expect(folds.flatMap((f) => f.validation).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('needs two movies', () => {
    expect(() => leaveOneMovieOut([{ movieId: 'A', index: 0 }])).toThrow(/two movies/);
  });
});
