// Result tables: each arm's mean ± sd over seeds and the rows behind it, the interval of the paired
// difference (t over seeds, else the caller's bootstrap over rows), a verdict only where that
// interval excludes zero, one fixed-point format per table, old stored rows read without a
// verdict, and a tidy CSV that a header-aware parser reads as one line per metric × arm × seed.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  METRICS,
  compareExact,
  compareSamples,
  comparisonCsv,
  formatFigure,
  formatResultRow,
  restoreRow,
  rowDecimals,
  type ComparisonRecord,
} from '../../src/lib/experiments/comparison';
import { pairedRowInterval } from '../../src/lib/experiments/uncertainty';

const record = (rows: ComparisonRecord['rows']): ComparisonRecord => ({
  id: 'c1',
  projectId: 'p',
  experiment: 'missing-gas',
  split: 'last 20 % of each movie, "paper"',
  baseline: { runId: 'r1', label: '0.5 fill' },
  variant: { runId: 'r2', label: 'other screenings' },
  seeds: [1, 2, 3],
  rows,
  createdAt: 0,
});

describe('comparison', () => {
  it('summarises seeds and judges by the interval and the metric’s direction', () => {
    const row = compareSamples(
      METRICS.mae,
      { values: [0.2, 0.21, 0.22], rows: 18 },
      { values: [0.15, 0.165, 0.17], rows: 18 },
    );
    expect(row.baseline).toBeCloseTo(0.21, 12);
    expect(row.variant).toBeCloseTo(0.161667, 5);
    expect(row.baselineSd).toBeCloseTo(0.01, 12);
    expect(row.baselineRows).toBe(18);
    expect(row.interval!.method).toBe('t over seeds');
    expect(row.interval!.high).toBeLessThan(0);
    expect(row.verdict).toBe('better');
    expect(row.about).toMatch(/absolute error/);

    // The case: +4.5e-4 of MAE that the seeds do not agree on is no verdict.
    const tiny = compareSamples(
      METRICS.mae,
      { values: [0.2, 0.19, 0.21], rows: 18 },
      { values: [0.2105, 0.1895, 0.201], rows: 18 },
    );
    expect(tiny.verdict).toBe('no clear difference');
    expect(
      compareSamples(METRICS.f1, { values: [0.5], rows: 10 }, { values: [0.6], rows: 10 }).verdict,
    ).toBe('no clear difference');
  });

  it('with one seed takes the caller’s bootstrap over rows', () => {
    const base = [0.3, 0.2, 0.25, 0.4, 0.35, 0.3, 0.28, 0.33];
    const variant = base.map((v) => v - 0.05);
    const row = compareSamples(
      METRICS.mae,
      { values: [0.30125], rows: base.length },
      { values: [0.25125], rows: base.length },
      { rowInterval: () => pairedRowInterval(base, variant) },
    );
    expect(row.interval!.method).toBe('bootstrap over rows');
    expect(row.verdict).toBe('better');
    expect(row.baselineSd).toBeNull();
  });

  it('calls exact figures by their difference, and reads old rows without a verdict', () => {
    expect(compareExact(METRICS.parameters, 1000, 4000).verdict).toBe('worse');
    expect(compareExact(METRICS.parameters, 1000, 1000).verdict).toBe('no clear difference');
    const old = restoreRow({
      metric: 'MAE',
      direction: 'lower',
      baseline: 0.19,
      variant: 0.1905,
      difference: 0.0005,
      verdict: 'worse',
    });
    expect(old.verdict).toBe('no clear difference');
    expect(old.baselineValues).toEqual([0.19]);
    expect(old.interval).toBeNull();
  });

  it('prints a row in one fixed-point format', () => {
    const row = compareSamples(
      METRICS.mae,
      { values: [0.19, 0.2, 0.21], rows: 18 },
      { values: [0.1904, 0.2003, 0.2107], rows: 18 },
    );
    expect(rowDecimals(row)).toBe(4);
    expect(formatFigure(4.52e-4, 4, true)).toBe('+0.0005');
    expect(formatFigure(-0.0025, 4, true)).toBe('−0.0025');
    expect(formatFigure(-0.00001, 4, true)).toBe('0.0000');
    expect(formatFigure(1234567, 0)).toBe('1,234,567');
    expect(formatResultRow(row)).toMatch(
      /^MAE: 0\.2000 → 0\.2005 \(\+0\.0005; 95 % CI −0\.\d{4} … \+0\.\d{4}; no clear difference\)$/,
    );
    expect(rowDecimals(compareExact(METRICS.parameters, 3e5, 1.2e6))).toBe(0);
    expect(rowDecimals(compareExact(METRICS.epochSeconds, 12.3, 45.6))).toBe(2);
  });

  it('exports a tidy CSV: one line per metric × arm × seed, distinct columns', () => {
    const rows = [
      compareSamples(
        METRICS.maeMeasured,
        { values: [0.2, 0.21, 0.22], rows: 18 },
        { values: [0.19, 0.2, 0.215], rows: 18 },
      ),
      compareSamples(
        METRICS.mae,
        { values: [0.25, 0.26, 0.24], rows: 18 },
        { values: [0.2, 0.21, 0.19], rows: 18 },
        { group: 'Movie, "The"' },
      ),
    ];
    const csv = comparisonCsv(record(rows));
    const parsed = Papa.parse<Record<string, string>>(csv.trim(), { header: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([...CSV_COLUMNS]);
    expect(new Set(parsed.meta.fields).size).toBe(parsed.meta.fields!.length);
    expect(parsed.data).toHaveLength(2 * 2 * 3);
    const line = parsed.data.find(
      (d) => d.metric === 'MAE' && d.arm === 'variant' && d.seed === '2',
    )!;
    expect(line).toMatchObject({
      group: 'Movie, "The"',
      arm_label: 'other screenings',
      value: '0.21',
      validation_rows: '18',
      verdict: rows[1].verdict,
      interval_method: 't over seeds',
    });
    expect(Number(line.difference_ci_low)).toBe(rows[1].interval!.low);
    expect(Number(line.arm_mean)).toBe(rows[1].variant);
  });
});
