// A comparison's curves: both arms' mean curves of the table's metric, baseline first (so the two
// take the chart's first two colours), then each seed's own curve from the arm run's seedCurves.
import { describe, expect, it } from 'vitest';
import { comparisonCurves } from '../../src/lib/experiments/comparison-curves';
import type { ComparisonRecord } from '../../src/lib/experiments/comparison';
import type { RunRecord } from '../../src/lib/store/schema';

const run = (id: string, seeds: Record<string, number[]>): RunRecord => {
  const curves = Object.fromEntries(
    Object.entries(seeds).map(([s, ys]) => [
      s,
      ys.map((mae, i) => ({ epoch: i + 1, mae, loss: 1 })),
    ]),
  );
  const n = Object.values(seeds)[0].length;
  const mean = Array.from({ length: n }, (_, i) => {
    const ys = Object.values(seeds).map((v) => v[i]);
    return { epoch: i + 1, mae: ys.reduce((a, b) => a + b, 0) / ys.length, loss: 1 };
  });
  return {
    id,
    projectId: 'p',
    kind: 'gases (audio features)',
    modelId: null,
    config: { seeds: Object.keys(seeds).map(Number), seedCurves: curves },
    epochs: mean,
    state: 'done',
    createdAt: 0,
  };
};

describe('comparison curves', () => {
  it('gives the arms’ means of the table’s metric, baseline first, then each seed', () => {
    const comparison: ComparisonRecord = {
      id: 'c',
      projectId: 'p',
      experiment: 'missing-gas',
      split: '',
      baseline: { runId: 'b', label: '0.5 fill' },
      variant: { runId: 'v', label: 'other screenings' },
      seeds: [1, 2],
      rows: [],
      createdAt: 0,
    };
    const curves = comparisonCurves(comparison, [
      run('v', { '1': [0.4, 0.3], '2': [0.2, 0.1] }),
      run('b', { '1': [0.5, 0.45], '2': [0.3, 0.25] }),
      run('other', { '1': [9, 9] }),
    ]);
    expect(curves.map((c) => c.label)).toEqual([
      'baseline: 0.5 fill · mae',
      'variant: other screenings · mae',
      'baseline: 0.5 fill · seed 1 · mae',
      'baseline: 0.5 fill · seed 2 · mae',
      'variant: other screenings · seed 1 · mae',
      'variant: other screenings · seed 2 · mae',
    ]);
    expect(curves[0].y).toEqual([0.4, 0.35]);
    expect(curves[1].x).toEqual([1, 2]);
    expect(curves[5].y).toEqual([0.2, 0.1]);
    expect(curves.filter((c) => c.seed === null).map((c) => c.role)).toEqual([
      'baseline',
      'variant',
    ]);
  });
});
