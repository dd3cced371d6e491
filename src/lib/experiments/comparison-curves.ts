/**
 * The curves of one comparison for the runs chart: its two arms' mean curves (baseline first, so
 * the two always take the chart's first two colours) of the metric its table reports, and each
 * seed's own curve (from the arm run's `seedCurves`) for a chart that draws them as thin lines.
 */
import type { RunRecord } from '../store/schema';
import type { ComparisonRecord, ExperimentKind } from './comparison';

/** The per-epoch key of the metric a comparison's table reports, as its runs record it. */
export const CURVE_METRIC: Record<ExperimentKind, string> = {
  'missing-gas': 'mae',
  'response-lag': 'mae',
  'leave-one-movie-out': 'mae',
  'audio-cnn': 'f1',
  augmentation: 'valLoss',
  'switch-unpooling': 'valLoss',
  resolution: 'valLoss',
};

export interface ComparisonCurve {
  role: 'baseline' | 'variant';
  /** null: the mean over the arm's seeds (the run's own epochs). */
  seed: number | null;
  label: string;
  run: string;
  metric: string;
  x: number[];
  y: number[];
}

function curve(
  records: readonly Record<string, unknown>[],
  metric: string,
): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  records.forEach((e, i) => {
    const v = e[metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    x.push(typeof e.epoch === 'number' ? e.epoch : i + 1);
    y.push(v);
  });
  return { x, y };
}

/** Mean curves of both arms first (baseline, variant), then every seed's, arm by arm. */
export function comparisonCurves(
  comparison: ComparisonRecord,
  runs: readonly RunRecord[],
): ComparisonCurve[] {
  const metric = CURVE_METRIC[comparison.experiment];
  const arms = (['baseline', 'variant'] as const).map((role) => ({
    role,
    label: comparison[role].label,
    run: runs.find((r) => r.id === comparison[role].runId),
  }));
  const means: ComparisonCurve[] = [];
  const seeds: ComparisonCurve[] = [];
  for (const { role, label, run } of arms) {
    if (!run) continue;
    const name = `${role}: ${label}`;
    means.push({
      role,
      seed: null,
      label: `${name} · ${metric}`,
      run: name,
      metric,
      ...curve(run.epochs, metric),
    });
    const perSeed = (run.config.seedCurves ?? {}) as Record<string, Record<string, unknown>[]>;
    for (const [seed, records] of Object.entries(perSeed)) {
      seeds.push({
        role,
        seed: Number(seed),
        label: `${name} · seed ${seed} · ${metric}`,
        run: name,
        metric,
        ...curve(records, metric),
      });
    }
  }
  return [...means, ...seeds].filter((c) => c.y.length);
}
