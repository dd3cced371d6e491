/**
 * Regression metrics for the gas heads: mean absolute error overall, per output (chemical), and
 * per group of rows (e.g. per movie).
 */

export interface MaeReport {
  overall: number;
  perOutput: number[];
}

export function meanAbsoluteError(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  k: number,
): MaeReport {
  if (truth.length !== predicted.length || truth.length % k !== 0) {
    throw new Error(
      `MAE inputs differ in size (${truth.length} vs ${predicted.length}, k = ${k}).`,
    );
  }
  const n = truth.length / k;
  const perOutput = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) perOutput[j] += Math.abs(truth[i * k + j] - predicted[i * k + j]);
  }
  const overall = n ? perOutput.reduce((a, b) => a + b, 0) / (n * k) : NaN;
  return { overall, perOutput: perOutput.map((s) => (n ? s / n : NaN)) };
}

/** MAE over all outputs for each group of rows; `groupOf(i)` names row i's group. */
export function maeByGroup(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  k: number,
  groupOf: (row: number) => string,
): Map<string, number> {
  const sums = new Map<string, { sum: number; count: number }>();
  const n = truth.length / k;
  for (let i = 0; i < n; i++) {
    const g = groupOf(i);
    const acc = sums.get(g) ?? { sum: 0, count: 0 };
    for (let j = 0; j < k; j++) acc.sum += Math.abs(truth[i * k + j] - predicted[i * k + j]);
    acc.count += k;
    sums.set(g, acc);
  }
  return new Map([...sums].map(([g, { sum, count }]) => [g, sum / count]));
}

/**
 * Each output's mean over the training rows, repeated for `rows` rows: the trivial predictor a gas
 * head must beat (its MAE is the baseline shown beside the head's).
 */
export function trainingMeanPrediction(
  y: ArrayLike<number>,
  k: number,
  train: readonly number[],
  rows: number,
): Float32Array {
  const mean = new Array<number>(k).fill(0);
  for (const r of train) for (let j = 0; j < k; j++) mean[j] += y[r * k + j] / train.length;
  const out = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) out.set(mean, i * k);
  return out;
}
