/**
 * Leave-one-movie-out cross-validation: one fold per movie, which validates on every row of that
 * movie and trains on all others — the honest test of whether a model generalises to a film it
 * has never seen (the paper validated on the last 20 % of films it trained on).
 */
import type { SequenceRef, Split } from '../study/dataset';

export interface MovieFold extends Split {
  movieId: string;
}

/** Folds in the order movies first appear in `rows`; row numbers index `rows`. */
export function leaveOneMovieOut(rows: readonly SequenceRef[]): MovieFold[] {
  const movies = [...new Set(rows.map((r) => r.movieId))];
  if (movies.length < 2) {
    throw new Error('Leaving one movie out needs rows from at least two movies.');
  }
  return movies.map((movieId) => {
    const fold: MovieFold = { movieId, train: [], validation: [] };
    rows.forEach((r, i) => (r.movieId === movieId ? fold.validation : fold.train).push(i));
    return fold;
  });
}
