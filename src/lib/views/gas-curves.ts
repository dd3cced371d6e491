/**
 * Predicted vs measured gas curves over film time for one screening: the
 * gas head predicts one value per chemical from a sequence alone, so every screening of a movie
 * shares the prediction, while the measured curve is that screening's own normalised targets.
 * Pure: the worker supplies the predictions, the chart only draws the series made here.
 */
import { SECONDS_PER_SEQUENCE } from '../shapes';
import type { GasDataset } from '../study/dataset';
import { toCsv } from './csv';
import type { Series } from './curves';

export interface GasCurvePoint {
  /** Sequence number in the movie (0-based). */
  index: number;
  /** Film time at the start of the sequence, in seconds. */
  timeS: number;
  measured: number;
  predicted: number;
  /** Whether the row is in the validation split. */
  validation: boolean;
}

export interface GasCurve {
  screeningId: string;
  chemical: string;
  points: GasCurvePoint[];
  /** Mean absolute error over all points, and over the validation points (null when none). */
  mae: number;
  maeValidation: number | null;
}

/** The sequence numbers whose predictions a screening's curve needs, ascending. */
export function screeningIndices(dataset: Pick<GasDataset, 'rows'>, screeningId: string): number[] {
  const out = dataset.rows.filter((r) => r.screeningId === screeningId).map((r) => r.index);
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * One chemical of one screening: the dataset's targets beside the predictions, `predicted[i]`
 * holding all chemicals' outputs for sequence `indices[i]` (chemicals in the dataset's order).
 */
export function gasCurve(
  dataset: Pick<GasDataset, 'rows' | 'y' | 'split' | 'chemicals'>,
  screeningId: string,
  chemical: number,
  indices: readonly number[],
  predicted: Float32Array | readonly number[],
): GasCurve {
  const k = dataset.chemicals.length;
  if (!(chemical >= 0 && chemical < k)) throw new Error(`No chemical number ${chemical}.`);
  if (predicted.length !== indices.length * k) {
    throw new Error(
      `${predicted.length} predictions do not match ${indices.length} sequences × ${k} chemicals.`,
    );
  }
  const at = new Map(indices.map((index, i) => [index, i]));
  const validation = new Set(dataset.split.validation);
  const points: GasCurvePoint[] = [];
  dataset.rows.forEach((r, row) => {
    if (r.screeningId !== screeningId) return;
    const i = at.get(r.index);
    if (i === undefined) throw new Error(`No prediction for sequence ${r.index + 1}.`);
    points.push({
      index: r.index,
      timeS: r.index * SECONDS_PER_SEQUENCE,
      measured: dataset.y[row * k + chemical],
      predicted: predicted[i * k + chemical],
      validation: validation.has(row),
    });
  });
  points.sort((a, b) => a.index - b.index);
  const meanError = (ps: GasCurvePoint[]) =>
    ps.reduce((s, p) => s + Math.abs(p.predicted - p.measured), 0) / ps.length;
  const held = points.filter((p) => p.validation);
  return {
    screeningId,
    chemical: dataset.chemicals[chemical],
    points,
    mae: points.length ? meanError(points) : NaN,
    maeValidation: held.length ? meanError(held) : null,
  };
}

/** The two curves for the chart, x in minutes of film time. */
export function gasCurveSeries(curve: GasCurve): Series[] {
  const x = curve.points.map((p) => p.timeS / 60);
  const series = (metric: 'measured' | 'predicted'): Series => ({
    label: `${curve.chemical} · ${metric}`,
    run: curve.chemical,
    metric,
    x,
    y: curve.points.map((p) => p[metric]),
  });
  return [series('measured'), series('predicted')];
}

export function gasCurveCsv(curve: GasCurve, movie: string, screening: string): string {
  return toCsv(
    ['movie', 'screening', 'chemical', 'sequence', 'time_s', 'measured', 'predicted', 'split'],
    curve.points.map((p) => [
      movie,
      screening,
      curve.chemical,
      p.index + 1,
      p.timeS,
      p.measured,
      p.predicted,
      p.validation ? 'validation' : 'train',
    ]),
  );
}
