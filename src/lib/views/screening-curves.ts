/**
 * The Data section's screening curves: one chemical's normalised curve per screening of a movie
 * over film time, every screening overlaid on one chart so a researcher sees whether screenings
 * agree (the study's central observation).
 */
import { SECONDS_PER_VOC_ROW } from '../shapes';
import { seriesColour, type ChartSeries } from './chart';

export interface ScreeningCurve {
  label: string;
  /** The screening's normalised, filled values, rows × chemicals (row-major). */
  values: Float32Array;
  rows: number;
}

/** Chemical `c` (of `chemicals`) of each screening, x in minutes of film time. */
export function screeningSeries(
  curves: readonly ScreeningCurve[],
  c: number,
  chemicals: number,
): ChartSeries[] {
  return curves.map((curve, i) => ({
    label: curve.label,
    x: Array.from({ length: curve.rows }, (_, r) => (r * SECONDS_PER_VOC_ROW) / 60),
    y: Array.from({ length: curve.rows }, (_, r) => curve.values[r * chemicals + c]),
    colour: seriesColour(i),
    width: 1.5,
  }));
}
