/**
 * Multi-label classification metrics as the paper reports them: threshold 0.5, per-label
 * precision / recall / F1 / support, and their average weighted by support (scikit-learn's
 * `average='weighted'`, with 0 where a ratio is undefined — sklearn's zero_division default).
 */

export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface MultiLabelReport {
  perLabel: LabelScores[];
  weighted: Omit<LabelScores, 'support'>;
}

export const DEFAULT_THRESHOLD = 0.5;

/**
 * `truth` and `scores` are row-major n × k. A score above the threshold counts as a positive
 * prediction (as NumPy's `round` of a sigmoid output, which rounds 0.5 to 0).
 */
export function multiLabelReport(
  truth: ArrayLike<number>,
  scores: ArrayLike<number>,
  k: number,
  threshold = DEFAULT_THRESHOLD,
): MultiLabelReport {
  if (truth.length !== scores.length || truth.length % k !== 0) {
    throw new Error(
      `Metric inputs differ in size (${truth.length} vs ${scores.length}, k = ${k}).`,
    );
  }
  const n = truth.length / k;
  const perLabel: LabelScores[] = [];
  for (let j = 0; j < k; j++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const t = truth[i * k + j] >= 0.5;
      const p = scores[i * k + j] > threshold;
      if (p && t) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel.push({ precision, recall, f1, support: tp + fn });
  }
  const total = perLabel.reduce((s, l) => s + l.support, 0);
  const weigh = (key: 'precision' | 'recall' | 'f1') =>
    total ? perLabel.reduce((s, l) => s + l[key] * l.support, 0) / total : 0;
  return {
    perLabel,
    weighted: { precision: weigh('precision'), recall: weigh('recall'), f1: weigh('f1') },
  };
}
