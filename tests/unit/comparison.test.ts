// Result tables: the difference is variant − baseline and "better" follows the metric's direction.
import { describe, expect, it } from 'vitest';
import {
  METRICS,
  compareMetric,
  comparisonCsv,
  formatResultRow,
  groupedResultTable,
  resultTable,
  resultTableCsv,
} from '../../src/lib/experiments/comparison';

describe('comparison', () => {
  it('judges by the direction of the metric', () => {
    expect(compareMetric(METRICS.f1, 0.5, 0.6).verdict).toBe('better');
    expect(compareMetric(METRICS.f1, 0.6, 0.5).verdict).toBe('worse');
    expect(compareMetric(METRICS.mae, 0.2, 0.15).verdict).toBe('better');
    expect(compareMetric(METRICS.mae, 0.15, 0.2).verdict).toBe('worse');
    expect(compareMetric(METRICS.mae, 0.2, 0.2).verdict).toBe('same');
    expect(compareMetric(METRICS.mae, 0.2, 0.2005, 0.001).verdict).toBe('same');
    expect(compareMetric(METRICS.mae, 0.2, NaN).verdict).toBe('same');
    const row = compareMetric(METRICS.mae, 0.19, 0.17);
    expect(row.difference).toBeCloseTo(-0.02, 12);
  });

  it('builds a table of the metrics both runs have, and one line per row', () => {
    const rows = resultTable(
      [METRICS.f1, METRICS.precision, METRICS.mae],
      { 'weighted F1': 0.547, 'weighted precision': 0.625 },
      { 'weighted F1': 0.565, 'weighted precision': 0.607 },
    );
    expect(rows.map((r) => [r.metric, r.verdict])).toEqual([
      ['weighted F1', 'better'],
      ['weighted precision', 'worse'],
    ]);
    expect(formatResultRow(rows[0])).toBe('weighted F1: 0.5470 → 0.5650 (+0.0180, better)');
    expect(formatResultRow(rows[1], 3)).toBe('weighted precision: 0.625 → 0.607 (−0.018, worse)');
  });

  it('gives per-group rows and their mean', () => {
    const rows = groupedResultTable(
      METRICS.mae,
      new Map([
        ['Buddy', 0.2],
        ['Hobbit', 0.3],
      ]),
      new Map([
        ['Buddy', 0.1],
        ['Hobbit', 0.35],
        ['Mitty', 0.1],
      ]),
    );
    expect(rows.map((r) => [r.group, r.verdict])).toEqual([
      ['Buddy', 'better'],
      ['Hobbit', 'worse'],
      ['mean', 'better'],
    ]);
    expect(rows[2].baseline).toBeCloseTo(0.25, 12);
    expect(rows[2].variant).toBeCloseTo(0.225, 12);
    expect(formatResultRow(rows[0])).toContain('[Buddy]');
  });

  it('exports CSV with quoting and the run pair on every line', () => {
    const rows = [compareMetric(METRICS.mae, 0.25, 0.125, 0, 'Movie, "The"')];
    expect(resultTableCsv(rows)).toBe(
      'metric,group,direction,baseline,variant,difference,verdict\n' +
        'MAE,"Movie, ""The""",lower,0.25,0.125,-0.125,better\n',
    );
    const csv = comparisonCsv({
      id: 'c1',
      projectId: 'p',
      experiment: 'switch-unpooling',
      split: 'last 20 % of each movie',
      baseline: { runId: 'r1', label: 'nearest-neighbour' },
      variant: { runId: 'r2', label: 'switch unpooling' },
      rows: [compareMetric(METRICS.reconstruction, 0.5, 0.25)],
      createdAt: 0,
    });
    expect(csv.split('\n')[0]).toBe(
      'experiment,split,baseline,variant,metric,group,direction,baseline,variant,difference,verdict',
    );
    expect(csv.split('\n')[1]).toBe(
      'switch-unpooling,last 20 % of each movie,nearest-neighbour,switch unpooling,' +
        'reconstruction loss,,lower,0.5,0.25,-0.25,better',
    );
  });
});
