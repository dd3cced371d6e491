/**
 * The result table of a comparison: one line per metric —
 * each arm's mean ± sd over seeds and the rows behind it, the 95 % interval of the paired
 * difference (variant − baseline), and a verdict only where that interval excludes zero — plus a
 * tidy CSV (one line per metric × arm × seed). Pure data; the notebook renders and stores it.
 */
import {
  mean,
  sampleSd,
  seedInterval,
  verdictOf,
  type Interval,
  type Verdict,
} from './uncertainty';

export type { Verdict } from './uncertainty';

/** Which way a metric improves. */
export type MetricDirection = 'higher' | 'lower';

export interface MetricDefinition {
  name: string;
  direction: MetricDirection;
  /** One line on what the figure measures, for the table's hover text. */
  about?: string;
}

export const METRICS = {
  f1: {
    name: 'weighted F1',
    direction: 'higher',
    about:
      'Scene labels on the validation clips at threshold 0.5: F1 per label, averaged weighted by how often each label occurs.',
  },
  precision: { name: 'weighted precision', direction: 'higher' },
  recall: { name: 'weighted recall', direction: 'higher' },
  mae: {
    name: 'MAE',
    direction: 'lower',
    about:
      'Mean absolute error of the normalised gas values (0–1) over every validation row and gas after the last epoch, each arm against its own targets (filled cells included).',
  },
  maeMeasured: {
    name: 'MAE where both targets agree',
    direction: 'lower',
    about:
      'MAE over the validation cells whose target is the same in both arms — the measured ones, and any gap no other screening could fill (0.5 in both); the fair score, since cells filled differently have different truths in the two arms.',
  },
  maeWeighted: {
    name: 'MAE, mean weighted by sequences',
    direction: 'lower',
    about:
      'MAE over every validation row of every movie pooled: each movie counts by its number of sequences.',
  },
  maeUnweighted: {
    name: 'MAE, unweighted mean of movies',
    direction: 'lower',
    about: 'The mean of the per-movie MAEs: every movie counts the same, however short.',
  },
  reconstruction: {
    name: 'validation reconstruction loss',
    direction: 'lower',
    about:
      'The autoencoder’s mean squared error between validation frames and their reconstructions, after the last epoch.',
  },
  loss: { name: 'validation loss', direction: 'lower' },
  headF1: {
    name: 'scene weighted F1 (frozen encoder)',
    direction: 'higher',
    about:
      'Weighted F1 of a scene head trained on this arm’s frozen encoder (same split, seed and settings in both arms).',
  },
  headMae: {
    name: 'gas MAE (frozen encoder)',
    direction: 'lower',
    about: 'Validation MAE of a gas head trained on this arm’s frozen encoder.',
  },
  parameters: {
    name: 'parameters',
    direction: 'lower',
    about: 'Trainable and non-trainable weights of the autoencoder (exact).',
  },
  activationBytes: {
    name: 'activation memory per sequence (bytes)',
    direction: 'lower',
    about: 'Bytes of every layer output for one sequence, from the model’s shapes (exact).',
  },
  memoryBytes: {
    name: 'tensor memory between steps (bytes)',
    direction: 'lower',
    about: 'Bytes the backend held in tensors between training steps (one measurement).',
  },
  epochSeconds: {
    name: 'epoch time (s)',
    direction: 'lower',
    about: 'Wall-clock seconds per training epoch, on this machine and backend.',
  },
} as const satisfies Record<string, MetricDefinition>;

export type ExperimentKind =
  | 'switch-unpooling'
  | 'augmentation'
  | 'missing-gas'
  | 'response-lag'
  | 'leave-one-movie-out'
  | 'resolution'
  | 'audio-cnn';

/** One arm's figure: a value per seed and the validation rows behind each. */
export interface ArmSample {
  values: readonly number[];
  /** Validation rows (sequences) each value is computed over; NaN where unknown. */
  rows: number;
}

export interface ResultRow {
  metric: string;
  direction: MetricDirection;
  about?: string;
  /** E.g. a movie for leave-one-movie-out; absent for an overall row. */
  group?: string;
  /** Means over seeds. */
  baseline: number;
  variant: number;
  /** variant − baseline (of the means). */
  difference: number;
  baselineSd: number | null;
  variantSd: number | null;
  /** One value per seed, in the order of the comparison's seeds. */
  baselineValues: number[];
  variantValues: number[];
  baselineRows: number;
  variantRows: number;
  /** 95 % interval of the paired difference; null where none can be drawn (one seed, no rows). */
  interval: Interval | null;
  verdict: Verdict;
}

/** Where one seed cannot give a t interval: a bootstrap over validation rows, if the rows are known. */
export interface CompareOptions {
  group?: string;
  rowInterval?: () => Interval | null;
}

/**
 * Compares arms trained with the same seeds: a t interval over the per-seed differences with two
 * or more seeds, else `rowInterval` (a bootstrap over validation rows), else no interval.
 */
export function compareSamples(
  metric: MetricDefinition,
  baseline: ArmSample,
  variant: ArmSample,
  options: CompareOptions = {},
): ResultRow {
  const b = [...baseline.values];
  const v = [...variant.values];
  const interval =
    b.length >= 2 ? seedInterval(b, v) : b.length === 1 ? (options.rowInterval?.() ?? null) : null;
  return row(
    metric,
    options.group,
    { values: b, rows: baseline.rows },
    { values: v, rows: variant.rows },
    interval,
  );
}

/** A deterministic figure (a count, a planned size): its difference is exact. */
export function compareExact(
  metric: MetricDefinition,
  baseline: number,
  variant: number,
  group?: string,
): ResultRow {
  const d = variant - baseline;
  const interval: Interval | null = Number.isFinite(d)
    ? { low: d, high: d, method: 'exact' }
    : null;
  return row(
    metric,
    group,
    { values: [baseline], rows: NaN },
    { values: [variant], rows: NaN },
    interval,
  );
}

function row(
  metric: MetricDefinition,
  group: string | undefined,
  baseline: ArmSample,
  variant: ArmSample,
  interval: Interval | null,
): ResultRow {
  const b = mean(baseline.values);
  const v = mean(variant.values);
  return {
    metric: metric.name,
    direction: metric.direction,
    ...(metric.about ? { about: metric.about } : {}),
    ...(group === undefined ? {} : { group }),
    baseline: b,
    variant: v,
    difference: v - b,
    baselineSd: sampleSd(baseline.values),
    variantSd: sampleSd(variant.values),
    baselineValues: [...baseline.values],
    variantValues: [...variant.values],
    baselineRows: baseline.rows,
    variantRows: variant.rows,
    interval,
    verdict: verdictOf(interval, metric.direction),
  };
}

/**
 * A row as stored before seeds and intervals (one value per arm, a zero-tolerance verdict) read as one seed
 * with no interval: no verdict is claimed for it.
 */
export function restoreRow(stored: ResultRow | Record<string, unknown>): ResultRow {
  const r = stored as Partial<ResultRow> & Pick<ResultRow, 'metric' | 'direction'>;
  if (Array.isArray(r.baselineValues) && Array.isArray(r.variantValues)) return r as ResultRow;
  const b = Number(r.baseline);
  const v = Number(r.variant);
  return row(
    { name: r.metric, direction: r.direction },
    r.group,
    { values: [b], rows: NaN },
    { values: [v], rows: NaN },
    null,
  );
}

/** A saved run pair: its seeds, settings and result table. */
export interface ComparisonRecord {
  id: string;
  projectId: string;
  experiment: ExperimentKind;
  /** Human description of each arm's split, e.g. "last 20 % of each movie". */
  split: string;
  baseline: { runId: string; label: string };
  variant: { runId: string; label: string };
  /** The seeds each arm trained with (seed i of both arms starts from the same draw). */
  seeds?: number[];
  /** Study settings the arms took from the project, in words (lag, split, normalisation…). */
  inherited?: Record<string, string>;
  rows: ResultRow[];
  createdAt: number;
}

/** Decimals for a row: about four significant digits of its larger mean, none for whole numbers. */
export function rowDecimals(row: ResultRow): number {
  const values = [...row.baselineValues, ...row.variantValues].filter(Number.isFinite);
  if (values.length && values.every(Number.isInteger)) return 0;
  const top = Math.max(...values.map(Math.abs), 0);
  if (!(top > 0)) return 4;
  return Math.min(8, Math.max(0, 3 - Math.floor(Math.log10(top))));
}

/** Fixed-point with thousands separated: every cell of a table is in this one notation. */
export function formatFigure(
  v: number | null | undefined,
  decimals: number,
  signed = false,
): string {
  if (v == null || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const text = Math.abs(v).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  const zero = Number(Math.abs(v).toFixed(decimals)) === 0;
  const sign = v < 0 && !zero ? '−' : signed && !zero ? '+' : '';
  return sign + text;
}

/** "MAE: 0.1900 → 0.1700 (−0.0200; 95 % CI −0.0300 … −0.0100; better)". */
export function formatResultRow(row: ResultRow, decimals = rowDecimals(row)): string {
  const where = row.group === undefined ? '' : ` [${row.group}]`;
  const f = (v: number, signed = false) => formatFigure(v, decimals, signed);
  const ci = row.interval
    ? `; 95 % CI ${f(row.interval.low, true)} … ${f(row.interval.high, true)}`
    : '';
  return `${row.metric}${where}: ${f(row.baseline)} → ${f(row.variant)} (${f(row.difference, true)}${ci}; ${row.verdict})`;
}

function csvField(value: string | number | null | undefined): string {
  const s =
    value == null || (typeof value === 'number' && Number.isNaN(value)) ? '' : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The tidy CSV's columns: context, then one observation (metric × arm × seed) per line. */
export const CSV_COLUMNS = [
  'experiment',
  'split',
  'metric',
  'group',
  'direction',
  'arm',
  'arm_label',
  'seed',
  'value',
  'validation_rows',
  'arm_mean',
  'arm_sd',
  'difference_of_means',
  'difference_ci_low',
  'difference_ci_high',
  'interval_method',
  'verdict',
] as const;

/**
 * Tidy CSV (pandas reads it as is): one line per metric × arm × seed with its value and the rows
 * behind it; each line also carries its arm's mean ± sd and the row's difference, interval and
 * verdict, repeated, so a filter on one metric keeps everything about it. Numbers at full precision.
 */
export function comparisonCsv(record: ComparisonRecord): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const stored of record.rows) {
    const r = restoreRow(stored);
    const seeds = record.seeds ?? r.baselineValues.map((_, i) => i + 1);
    for (const arm of ['baseline', 'variant'] as const) {
      const values = arm === 'baseline' ? r.baselineValues : r.variantValues;
      values.forEach((value, i) => {
        const line: Record<(typeof CSV_COLUMNS)[number], string | number | null | undefined> = {
          experiment: record.experiment,
          split: record.split,
          metric: r.metric,
          group: r.group,
          direction: r.direction,
          arm,
          arm_label: record[arm].label,
          seed: r.interval?.method === 'exact' ? null : seeds[i],
          value,
          validation_rows: arm === 'baseline' ? r.baselineRows : r.variantRows,
          arm_mean: arm === 'baseline' ? r.baseline : r.variant,
          arm_sd: arm === 'baseline' ? r.baselineSd : r.variantSd,
          difference_of_means: r.difference,
          difference_ci_low: r.interval?.low,
          difference_ci_high: r.interval?.high,
          interval_method: r.interval?.method ?? 'none',
          verdict: r.verdict,
        };
        lines.push(CSV_COLUMNS.map((c) => csvField(line[c])).join(','));
      });
    }
  }
  return lines.join('\n') + '\n';
}

/** A result row as the notebook prints it: every figure of the row in the row's one format. */
export interface RowCells {
  baseline: string;
  variant: string;
  difference: string;
  interval: string;
  n: string;
}

export function rowCells(row: ResultRow): RowCells {
  const d = rowDecimals(row);
  const f = (v: number, signed = false) => formatFigure(v, d, signed);
  const arm = (m: number, sd: number | null) => (sd === null ? f(m) : `${f(m)} ± ${f(sd)}`);
  const seeds = row.baselineValues.length;
  const exact = row.interval?.method === 'exact';
  const rows =
    Number.isNaN(row.baselineRows) && Number.isNaN(row.variantRows)
      ? ''
      : row.baselineRows === row.variantRows
        ? ` · ${row.baselineRows} rows each`
        : ` · ${formatFigure(row.baselineRows, 0)} / ${formatFigure(row.variantRows, 0)} rows`;
  return {
    baseline: arm(row.baseline, row.baselineSd),
    variant: arm(row.variant, row.variantSd),
    difference: f(row.difference, true),
    interval: !row.interval
      ? 'none'
      : exact
        ? 'exact'
        : `${f(row.interval.low, true)} … ${f(row.interval.high, true)}`,
    n: exact ? 'exact' : `${seeds} seed${seeds === 1 ? '' : 's'}${rows}`,
  };
}
