// The curves' hover read-out: each series' point nearest to the pointer, the value drawn (raw or
// smoothed), where it sits in the chart, and points a log axis cannot show skipped.
import { describe, expect, it } from 'vitest';
import {
  chartGeometry,
  emaSmooth,
  nearestValue,
  readoutAt,
  type Series,
} from '../../src/lib/views/curves';

const series: Series[] = [
  { label: 'a · loss', run: 'a', metric: 'loss', x: [1, 2, 3, 4], y: [0.8, 0.4, 0.2, 0.1] },
  { label: 'b · loss', run: 'b', metric: 'loss', x: [1, 3], y: [0, 0.5] },
];
const size = { width: 400, height: 200 };

describe('curve read-out', () => {
  it('finds the nearest x among the plotted values', () => {
    const g = chartGeometry(series, { ...size, logY: false, smoothing: 0 });
    expect(g.xValues).toEqual([1, 2, 3, 4]);
    expect(nearestValue(g.xValues, 2.4)).toBe(2);
    expect(nearestValue(g.xValues, 2.6)).toBe(3);
    expect(nearestValue([], 1)).toBeNull();
    // invertX undoes scaleX.
    expect(g.invertX(g.scaleX(3.25))).toBeCloseTo(3.25, 9);
  });

  it('reads each series at its own nearest point, where it is drawn', () => {
    const g = chartGeometry(series, { ...size, logY: false, smoothing: 0 });
    const rows = readoutAt(series, g, 2, { logY: false, smoothing: 0 });
    expect(rows.map((r) => [r.label, r.x, r.y])).toEqual([
      ['a · loss', 2, 0.4],
      ['b · loss', 1, 0],
    ]);
    expect(rows[0].px).toBeCloseTo(g.scaleX(2), 9);
    expect(rows[0].py).toBeCloseTo(g.scaleY(0.4), 9);
    expect(rows[0].colour).toBe(g.lines[0].colour);
    expect(rows[0].smoothed).toBeNull();
  });

  it('gives the smoothed value drawn and skips what a log axis drops', () => {
    const g = chartGeometry(series, { ...size, logY: true, smoothing: 0.5 });
    const rows = readoutAt(series, g, 1, { logY: true, smoothing: 0.5 });
    // b's value 0 cannot be drawn on a log axis: its nearest drawable point is x = 3.
    expect(rows.map((r) => [r.label, r.x])).toEqual([
      ['a · loss', 1],
      ['b · loss', 3],
    ]);
    expect(rows[1].y).toBe(0.5);
    expect(rows[1].smoothed).toBeCloseTo(emaSmooth([0, 0.5], 0.5)[1], 9);
    expect(rows[1].py).toBeCloseTo(g.scaleY(rows[1].smoothed!), 9);
  });
});
