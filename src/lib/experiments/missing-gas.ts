/**
 * Missing gas values (`?` in the ARFF files). The paper set them to 0.5 and wished for the mean of
 * the same movie's other screenings at that period (§III-A, §V); both are here so the two can be
 * compared. Works on values already min-max normalised per screening and chemical, where 0.5 and
 * the other screenings' values are on the same scale.
 */
import { MISSING_VOC_VALUE } from '../study/chemicals';

export type MissingGasFill = 'constant' | 'other-screenings';

/** One screening's normalised values: rows (30-s periods) × k chemicals, NaN where missing. */
export interface ScreeningValues {
  movieId: string;
  values: Float32Array;
}

export interface FilledScreenings {
  /** One array per input screening, same order and size, no NaN left. */
  values: Float32Array[];
  /** Cells filled with the mean of other screenings of the same movie. */
  fromOthers: number;
  /** Cells filled with the constant (no other screening had a value there). */
  fromConstant: number;
}

export function fillMissingGas(
  screenings: readonly ScreeningValues[],
  k: number,
  fill: MissingGasFill = 'other-screenings',
  constant = MISSING_VOC_VALUE,
): FilledScreenings {
  for (const s of screenings) {
    if (s.values.length % k !== 0) {
      throw new Error(
        `A screening of ${s.movieId} has ${s.values.length} values, not rows × ${k}.`,
      );
    }
  }
  let fromOthers = 0;
  let fromConstant = 0;
  const values = screenings.map((s, si) =>
    s.values.map((v, cell) => {
      if (!Number.isNaN(v)) return v;
      if (fill === 'other-screenings') {
        let sum = 0;
        let n = 0;
        screenings.forEach((o, oi) => {
          if (oi === si || o.movieId !== s.movieId || cell >= o.values.length) return;
          const w = o.values[cell];
          if (!Number.isNaN(w)) {
            sum += w;
            n++;
          }
        });
        if (n) {
          fromOthers++;
          return sum / n;
        }
      }
      fromConstant++;
      return constant;
    }),
  );
  return { values, fromOthers, fromConstant };
}
