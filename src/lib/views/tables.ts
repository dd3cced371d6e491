/**
 * Metric tables: per-label precision / recall / F1 / support, MAE per chemical and per movie, and a
 * summary of runs. Reports are found in runs' epoch records by their shape (a MultiLabelReport or a
 * MaeReport under any key), so training code records them as it likes and the tables follow.
 */
import type { LabelScores, MultiLabelReport } from '../metrics/classification';
import type { MaeReport } from '../metrics/regression';
import type { RunRecord } from '../store/schema';
import { CHEMICALS } from '../study/chemicals';
import { toCsv, type Cell } from './csv';
import { epochMetrics } from './curves';

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
}

export function tableCsv(table: Table): string {
  return toCsv(table.columns, table.rows);
}

function isLabelScores(v: unknown): v is LabelScores {
  const o = v as Partial<LabelScores> | null;
  return (
    typeof o?.precision === 'number' && typeof o.recall === 'number' && typeof o.f1 === 'number'
  );
}

export function isMultiLabelReport(v: unknown): v is MultiLabelReport {
  const o = v as Partial<MultiLabelReport> | null;
  return (
    Array.isArray(o?.perLabel) &&
    o.perLabel.every(isLabelScores) &&
    isLabelScores({ ...o.weighted })
  );
}

export function isMaeReport(v: unknown): v is MaeReport {
  const o = v as Partial<MaeReport> | null;
  return typeof o?.overall === 'number' && Array.isArray(o.perOutput);
}

export function labelScoresTable(
  report: MultiLabelReport,
  names: readonly string[],
  title: string,
): Table {
  const rows: Cell[][] = report.perLabel.map((l, i) => [
    names[i] ?? `label ${i + 1}`,
    l.precision,
    l.recall,
    l.f1,
    l.support,
  ]);
  const support = report.perLabel.reduce((s, l) => s + l.support, 0);
  rows.push([
    'weighted average',
    report.weighted.precision,
    report.weighted.recall,
    report.weighted.f1,
    support,
  ]);
  return { title, columns: ['label', 'precision', 'recall', 'F1', 'support'], rows };
}

export function maeTable(report: MaeReport, names: readonly string[], title: string): Table {
  const rows: Cell[][] = report.perOutput.map((v, i) => [names[i] ?? `output ${i + 1}`, v]);
  rows.push(['all', report.overall]);
  return { title, columns: ['chemical', 'MAE'], rows };
}

export function maeByMovieTable(byMovie: ReadonlyMap<string, number>, title: string): Table {
  return {
    title,
    columns: ['movie', 'MAE'],
    rows: [...byMovie].map(([movie, mae]) => [movie, mae]),
  };
}

function stringList(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : null;
}

/** The tables a run's latest epoch holds: label reports, MAE reports and per-movie MAE maps. */
export function runTables(run: RunRecord, runLabel: string): Table[] {
  const last = run.epochs.at(-1);
  if (!last) return [];
  const epoch = run.epochs.length;
  const labels = stringList(run.config.labels) ?? [];
  const chemicals = stringList(run.config.chemicals) ?? CHEMICALS.map((c) => c.name);
  const tables: Table[] = [];
  for (const [key, value] of Object.entries(last)) {
    const title = `${runLabel} · ${key} (epoch ${epoch})`;
    if (isMultiLabelReport(value)) tables.push(labelScoresTable(value, labels, title));
    else if (isMaeReport(value)) tables.push(maeTable(value, chemicals, title));
    else if (/mae/i.test(key) && /movie|film/i.test(key) && value && typeof value === 'object') {
      const entries = Object.entries(value).filter(([, v]) => typeof v === 'number');
      if (entries.length)
        tables.push(maeByMovieTable(new Map(entries as [string, number][]), title));
    }
  }
  return tables;
}

/** One row per run: its kind, state, epochs and the last value of each chosen metric. */
export function runSummaryTable(
  runs: readonly { run: RunRecord; label: string }[],
  metrics: readonly string[],
): Table {
  return {
    title: 'Runs',
    columns: ['run', 'kind', 'state', 'epochs', ...metrics],
    rows: runs.map(({ run, label }) => {
      const last = epochMetrics(run.epochs.at(-1) ?? {});
      return [label, run.kind, run.state, run.epochs.length, ...metrics.map((m) => last.get(m))];
    }),
  };
}
