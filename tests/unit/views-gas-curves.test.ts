// Predicted vs measured gas curves for one screening: the right rows, times, split flags and
// errors, and a CSV that reads back the same numbers.
import { describe, expect, it } from 'vitest';
import {
  gasCurve,
  gasCurveCsv,
  gasCurveSeries,
  screeningIndices,
} from '../../src/lib/views/gas-curves';

// Movie m, two screenings (s1, s2) of three sequences, two chemicals; rows listed out of order.
const dataset = {
  chemicals: ['co2', 'isoprene'],
  rows: [
    { movieId: 'm', index: 0, screeningId: 's1' },
    { movieId: 'm', index: 2, screeningId: 's1' },
    { movieId: 'm', index: 1, screeningId: 's1' },
    { movieId: 'm', index: 0, screeningId: 's2' },
    { movieId: 'm', index: 1, screeningId: 's2' },
    { movieId: 'm', index: 2, screeningId: 's2' },
  ],
  // prettier-ignore
  y: Float32Array.from([
    0.1, 0.9,
    0.3, 0.7,
    0.2, 0.8,
    0.5, 0.5,
    0.6, 0.4,
    0.7, 0.3,
  ]),
  split: { train: [0, 2, 3, 4], validation: [1, 5] },
};
// Predictions for sequences 0, 1, 2 (both chemicals).
const predicted = Float32Array.from([0.2, 0.6, 0.2, 0.6, 0.5, 0.6]);

describe('gas curves', () => {
  it('lists the sequences a screening needs', () => {
    expect(screeningIndices(dataset, 's1')).toEqual([0, 1, 2]);
    expect(screeningIndices(dataset, 'none')).toEqual([]);
  });

  it('pairs one screening’s targets with the predictions over film time', () => {
    const curve = gasCurve(dataset, 's1', 0, [0, 1, 2], predicted);
    expect(curve.chemical).toBe('co2');
    expect(curve.points.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(curve.points.map((p) => p.timeS)).toEqual([0, 30, 60]);
    expect(curve.points.map((p) => p.measured)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(curve.points.map((p) => p.predicted)).toEqual([0.2, 0.2, 0.5].map(Math.fround));
    expect(curve.points.map((p) => p.validation)).toEqual([false, false, true]);
    expect(curve.mae).toBeCloseTo((0.1 + 0 + 0.2) / 3, 6);
    expect(curve.maeValidation).toBeCloseTo(0.2, 6);

    const other = gasCurve(dataset, 's2', 1, [0, 1, 2], predicted);
    expect(other.points.map((p) => p.measured)).toEqual([0.5, 0.4, 0.3].map(Math.fround));
    expect(other.points.map((p) => p.predicted)).toEqual([0.6, 0.6, 0.6].map(Math.fround));
    expect(other.mae).toBeCloseTo(0.2, 6);
  });

  it('refuses predictions that do not fit', () => {
    expect(() => gasCurve(dataset, 's1', 0, [0, 1], predicted)).toThrow(/do not match/);
    expect(() => gasCurve(dataset, 's1', 0, [0, 1, 5], predicted)).toThrow(/sequence 3/);
    expect(() => gasCurve(dataset, 's1', 2, [0, 1, 2], predicted)).toThrow(/chemical/);
  });

  it('gives two series in minutes and a CSV of the same numbers', () => {
    const curve = gasCurve(dataset, 's1', 1, [0, 1, 2], predicted);
    const [measured, pred] = gasCurveSeries(curve);
    expect(measured.x).toEqual([0, 0.5, 1]);
    expect(measured.metric).toBe('measured');
    expect(pred.y).toEqual(curve.points.map((p) => p.predicted));
    const lines = gasCurveCsv(curve, 'Film, the', 'screening 1').trim().split('\r\n');
    expect(lines[0]).toBe('movie,screening,chemical,sequence,time_s,measured,predicted,split');
    expect(lines).toHaveLength(4);
    const last = lines[3].split(',');
    expect(lines[3].startsWith('"Film, the",screening 1,isoprene,3,60,')).toBe(true);
    expect(Number(last.at(-3))).toBeCloseTo(0.7, 6);
    expect(Number(last.at(-2))).toBeCloseTo(0.6, 6);
    expect(last.at(-1)).toBe('validation');
  });
});
