// Metrics against independent figures: the saved Keras audio classifier's validation outputs
// score weighted F1 0.547 / precision 0.625 / recall 0.502 (ORIGINAL_CODE.md, computed with
// scikit-learn), plus hand-checkable MAE cases.
import { describe, expect, it } from 'vitest';
import { multiLabelReport } from '../../src/lib/metrics/classification';
import { maeByGroup, meanAbsoluteError } from '../../src/lib/metrics/regression';
import { readNpy } from '../../src/lib/util/npy';
import { readReference } from '../reference';

describe('classification metrics', () => {
  it('reproduces scikit-learn weighted scores of the saved Keras audio model', () => {
    const y = readNpy(readReference('keras/audio_val_y.npy'));
    const p = readNpy(readReference('keras/labels_audio_val_prob.npy'));
    expect(y.shape).toEqual([263, 13]);
    const report = multiLabelReport(y.data, p.data, 13);
    expect(report.weighted.f1).toBeCloseTo(0.547, 3);
    expect(report.weighted.precision).toBeCloseTo(0.625, 3);
    expect(report.weighted.recall).toBeCloseTo(0.502, 3);
    expect(report.perLabel.reduce((s, l) => s + l.support, 0)).toBe(
      Array.from(y.data).filter((v) => v === 1).length,
    );
  });

  it('scores undefined ratios as 0, like scikit-learn', () => {
    const r = multiLabelReport([1, 0, 1, 0], [0.9, 0.1, 0.2, 0.1], 2);
    expect(r.perLabel[0]).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(r.perLabel[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.weighted.f1).toBeCloseTo(2 / 3);
  });
});

describe('regression metrics', () => {
  it('computes MAE overall, per output and per group', () => {
    const truth = [0, 1, 0.5, 0.5];
    const pred = [0.5, 1, 0.5, 0];
    expect(meanAbsoluteError(truth, pred, 2)).toEqual({ overall: 0.25, perOutput: [0.25, 0.25] });
    const groups = maeByGroup(truth, pred, 2, (i) => (i === 0 ? 'a' : 'b'));
    expect(groups.get('a')).toBe(0.25);
    expect(groups.get('b')).toBe(0.25);
  });
});
