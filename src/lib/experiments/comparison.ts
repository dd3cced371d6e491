/**
 * Side-by-side results of a baseline run and a variant run on the same split (issue 10): one line
 * per metric — baseline, variant, difference, and whether the variant is better given which way
 * the metric improves — plus CSV export. Pure data; the notebook renders and stores it.
 */

/** Which way a metric improves. */
export type MetricDirection = 'higher' | 'lower';

export interface MetricDefinition {
  name: string;
  direction: MetricDirection;
}

export const METRICS = {
  f1: { name: 'weighted F1', direction: 'higher' },
  precision: { name: 'weighted precision', direction: 'higher' },
  recall: { name: 'weighted recall', direction: 'higher' },
  mae: { name: 'MAE', direction: 'lower' },
  reconstruction: { name: 'reconstruction loss', direction: 'lower' },
  loss: { name: 'validation loss', direction: 'lower' },
  epochSeconds: { name: 'epoch time (s)', direction: 'lower' },
  memoryBytes: { name: 'peak memory (bytes)', direction: 'lower' },
} as const satisfies Record<string, MetricDefinition>;

export type ExperimentKind =
  | 'switch-unpooling'
  | 'augmentation'
  | 'missing-gas'
  | 'response-lag'
  | 'leave-one-movie-out'
  | 'resolution'
  | 'audio-cnn';

export type Verdict = 'better' | 'worse' | 'same';

export interface ResultRow {
  metric: string;
  direction: MetricDirection;
  /** E.g. a movie for leave-one-movie-out; absent for the overall row. */
  group?: string;
  baseline: number;
  variant: number;
  /** variant − baseline. */
  difference: number;
  verdict: Verdict;
}

/** A saved run pair: both runs trained on the same split, and their result table. */
export interface ComparisonRecord {
  id: string;
  projectId: string;
  experiment: ExperimentKind;
  /** Human description of the shared split, e.g. "last 20 % of each movie". */
  split: string;
  baseline: { runId: string; label: string };
  variant: { runId: string; label: string };
  rows: ResultRow[];
  createdAt: number;
}

/** |difference| ≤ tolerance counts as the same. */
export function compareMetric(
  metric: MetricDefinition,
  baseline: number,
  variant: number,
  tolerance = 0,
  group?: string,
): ResultRow {
  const difference = variant - baseline;
  let verdict: Verdict = 'same';
  if (!Number.isFinite(difference)) verdict = 'same';
  else if (Math.abs(difference) > tolerance) {
    verdict = difference > 0 === (metric.direction === 'higher') ? 'better' : 'worse';
  }
  return {
    metric: metric.name,
    direction: metric.direction,
    ...(group === undefined ? {} : { group }),
    baseline,
    variant,
    difference,
    verdict,
  };
}

/** One row per metric present in both result sets, in the order of `metrics`. */
export function resultTable(
  metrics: readonly MetricDefinition[],
  baseline: Readonly<Record<string, number>>,
  variant: Readonly<Record<string, number>>,
  tolerance = 0,
): ResultRow[] {
  return metrics
    .filter((m) => m.name in baseline && m.name in variant)
    .map((m) => compareMetric(m, baseline[m.name], variant[m.name], tolerance));
}

/** Per-group rows (e.g. one per held-out movie) followed by the mean over groups. */
export function groupedResultTable(
  metric: MetricDefinition,
  baseline: ReadonlyMap<string, number>,
  variant: ReadonlyMap<string, number>,
  tolerance = 0,
): ResultRow[] {
  const groups = [...baseline.keys()].filter((g) => variant.has(g));
  if (!groups.length) return [];
  const rows = groups.map((g) =>
    compareMetric(metric, baseline.get(g)!, variant.get(g)!, tolerance, g),
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  rows.push(
    compareMetric(
      metric,
      mean(rows.map((r) => r.baseline)),
      mean(rows.map((r) => r.variant)),
      tolerance,
      'mean',
    ),
  );
  return rows;
}

/** "MAE: 0.1900 → 0.1700 (−0.0200, better)". */
export function formatResultRow(row: ResultRow, digits = 4): string {
  const sign = row.difference > 0 ? '+' : row.difference < 0 ? '−' : '±';
  const where = row.group === undefined ? '' : ` [${row.group}]`;
  return (
    `${row.metric}${where}: ${row.baseline.toFixed(digits)} → ${row.variant.toFixed(digits)} ` +
    `(${sign}${Math.abs(row.difference).toFixed(digits)}, ${row.verdict})`
  );
}

function csvField(value: string | number | undefined): string {
  const s = value === undefined ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_COLUMNS = [
  'metric',
  'group',
  'direction',
  'baseline',
  'variant',
  'difference',
  'verdict',
] as const;

/**
 * CSV with a header row; numbers at full precision. `context` columns (e.g. the experiment and
 * the two run labels) come first, the same on every line.
 */
export function resultTableCsv(
  rows: readonly ResultRow[],
  context: Readonly<Record<string, string>> = {},
): string {
  const names = Object.keys(context);
  const lines = [[...names, ...CSV_COLUMNS].map(csvField).join(',')];
  for (const row of rows) {
    const fields = [...names.map((n) => context[n]), ...CSV_COLUMNS.map((c) => row[c])];
    lines.push(fields.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** A saved comparison as CSV, its run pair on every line. */
export function comparisonCsv(record: ComparisonRecord): string {
  return resultTableCsv(record.rows, {
    experiment: record.experiment,
    split: record.split,
    baseline: record.baseline.label,
    variant: record.variant.label,
  });
}
