/**
 * Raw screening measurements → regression targets in [0, 1]: min-max per screening and per
 * chemical as the paper says (or the original code's one min/max over all six, offered only as a
 * labelled option), then missing values as 0.5 (paper) or the mean of the same movie's other
 * screenings at that period (the paper's suggested improvement).
 */
import { MISSING_VOC_VALUE } from './chemicals';

export type GasNormalisation = 'per-chemical' | 'original-global';
export type MissingGasFill = 'constant' | 'movie-mean';

export const GAS_NORMALISATIONS: Record<GasNormalisation, string> = {
  'per-chemical': 'per screening and chemical (paper)',
  'original-global': 'one min/max over all six per screening (original code)',
};
export const MISSING_GAS_FILLS: Record<MissingGasFill, string> = {
  constant: `${MISSING_VOC_VALUE} (paper, default)`,
  'movie-mean': "mean of the movie's other screenings at that period",
};

function range(
  values: ArrayLike<number>,
  rows: number,
  k: number,
  cols: number[],
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    for (const c of cols) {
      const v = values[r * k + c];
      if (Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * Scales one screening (rows × k, NaN = missing) into [0, 1]. A column without spread (constant or
 * all missing) maps to 0.5; missing values stay NaN.
 */
export function normaliseScreening(
  values: ArrayLike<number>,
  rows: number,
  k: number,
  mode: GasNormalisation,
): Float32Array {
  const out = new Float32Array(rows * k);
  const groups =
    mode === 'per-chemical' ? [...Array(k).keys()].map((c) => [c]) : [[...Array(k).keys()]];
  for (const cols of groups) {
    const [lo, hi] = range(values, rows, k, cols);
    const spread = hi - lo;
    for (let r = 0; r < rows; r++) {
      for (const c of cols) {
        const v = values[r * k + c];
        out[r * k + c] = Number.isNaN(v) ? NaN : spread > 0 ? (v - lo) / spread : 0.5;
      }
    }
  }
  return out;
}

/**
 * Fills the NaNs of a movie's normalised screenings (each rows_s × k, same k). With 'movie-mean', the mean
 * of the other screenings' values at that period and chemical, where they have one; else 0.5.
 */
export function fillMissing(
  screenings: readonly Float32Array[],
  mode: MissingGasFill,
): Float32Array[] {
  return screenings.map((s, i) => {
    const out = Float32Array.from(s);
    for (let j = 0; j < out.length; j++) {
      if (!Number.isNaN(out[j])) continue;
      let fill = MISSING_VOC_VALUE;
      if (mode === 'movie-mean') {
        let sum = 0;
        let n = 0;
        screenings.forEach((other, o) => {
          if (o !== i && j < other.length && !Number.isNaN(other[j])) {
            sum += other[j];
            n++;
          }
        });
        if (n > 0) fill = sum / n;
      }
      out[j] = fill;
    }
    return out;
  });
}
