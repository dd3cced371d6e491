// The views' data helpers: colour map ends and bar, channel-order handling of frames and
// reconstructions, curve smoothing, runs to series and tables, CSV quoting.
import { describe, expect, it } from 'vitest';
import { COLOUR_TABLE, colourBarPixels, colourOf } from '../../src/lib/views/colormap';
import {
  frameRgba,
  frameStrip,
  reconstructionError,
  reorderChannels,
  swapRedBlue,
} from '../../src/lib/views/frames';
import {
  curvesCsv,
  emaSmooth,
  flattenMetrics,
  defaultMetrics,
  metricKeys,
  runSeries,
} from '../../src/lib/views/curves';
import { fileSlug, toCsv } from '../../src/lib/views/csv';
import { runSummaryTable, runTables, tableCsv } from '../../src/lib/views/tables';
import { multiLabelReport } from '../../src/lib/metrics/classification';
import { meanAbsoluteError } from '../../src/lib/metrics/regression';
import { defaultActivationChoice } from '../../src/lib/views/records';
import type { ModelRecord, RunRecord } from '../../src/lib/store/schema';

function run(epochs: Record<string, unknown>[], config: Record<string, unknown> = {}): RunRecord {
  return {
    id: 'r',
    projectId: 'p',
    kind: 'autoencoder',
    modelId: null,
    config,
    epochs,
    state: 'done',
    createdAt: 0,
  };
}

describe('colour map', () => {
  it('runs from dark blue to red, bluish below the middle and reddish above', () => {
    expect(colourOf(0)).toEqual([0, 0, 128]);
    expect(colourOf(1)).toEqual([255, 0, 0]);
    expect(colourOf(NaN)).toEqual([0, 0, 128]);
    expect(colourOf(2)).toEqual([255, 0, 0]);
    const [r1, , b1] = colourOf(0.2);
    const [r2, , b2] = colourOf(0.8);
    expect(b1).toBeGreaterThan(r1);
    expect(r2).toBeGreaterThan(b2);
    expect(COLOUR_TABLE.length).toBe(768);
  });

  it('draws the bar with the highest value on top', () => {
    const bar = colourBarPixels(2, 10);
    expect([...bar.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    expect([...bar.subarray(9 * 8, 9 * 8 + 4)]).toEqual([0, 0, 128, 255]);
  });
});

describe('frames', () => {
  const size = { width: 2, height: 1 };
  // Two frames of 2 pixels, BGR: pixel (b, g, r).
  const bgr = new Uint8Array([10, 20, 30, 40, 50, 60, 1, 2, 3, 4, 5, 6]);

  it('shows BGR frames in RGB and leaves RGB ones alone', () => {
    expect([...frameRgba(bgr, 1, size, 'bgr')]).toEqual([3, 2, 1, 255, 6, 5, 4, 255]);
    expect([...frameRgba(bgr, 1, size, 'rgb')]).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
    expect(() => frameRgba(bgr, 2, size, 'rgb')).toThrow(/not in this sequence/);
    const unit = new Float32Array([1, 0.5, 0, 0, 0, 0]);
    expect([...frameRgba(unit, 0, size, 'bgr', 1)].slice(0, 4)).toEqual([0, 128, 255, 255]);
  });

  it('reorders channels only when the orders differ', () => {
    expect(reorderChannels(bgr, 'rgb', 'rgb')).toBe(bgr);
    expect([...reorderChannels(bgr, 'bgr', 'rgb')].slice(0, 3)).toEqual([30, 20, 10]);
    expect(swapRedBlue(swapRedBlue(bgr))).toEqual(bgr);
  });

  it('lays frames side by side and measures reconstruction error', () => {
    const strip = frameStrip(bgr, [1, 0], size, 'rgb');
    expect(strip.width).toBe(4);
    expect([...strip.pixels.subarray(8, 12)]).toEqual([10, 20, 30, 255]);
    const perfect = Float32Array.from(bgr, (v) => v / 255);
    expect(reconstructionError(bgr, perfect)).toBeCloseTo(0, 6);
    expect(
      reconstructionError(
        bgr,
        perfect.map((v) => v + 0.1),
      ),
    ).toBeCloseTo(0.1, 5);
  });
});

describe('curves', () => {
  it('smooths with a debiased EMA', () => {
    expect(emaSmooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = emaSmooth([4, 4, 4, 0], 0.5);
    expect(s[0]).toBeCloseTo(4);
    expect(s[2]).toBeCloseTo(4);
    expect(s[3]).toBeCloseTo(1.75 / 0.9375);
    expect(s[3]).toBeLessThan(4);
    expect(s[3]).toBeGreaterThan(0);
    expect(() => emaSmooth([1], 1)).toThrow();
  });

  it('reads metric series from runs, nested per-film values included', () => {
    const r = run([
      { loss: 0.5, val_loss: 0.6, perFilm: { A: 0.7, B: 0.8 }, note: 'x' },
      { loss: 0.4, val_loss: 0.55, perFilm: { A: 0.6, B: 0.75 } },
      { loss: 0.3, perFilm: { A: 0.5 } },
    ]);
    expect(flattenMetrics(r.epochs[0]).get('perFilm.B')).toBe(0.8);
    expect(metricKeys([r])).toEqual(['loss', 'perFilm.A', 'perFilm.B', 'valLoss']);
    const s = runSeries(r, 'valLoss', 'run 1');
    expect(s).toMatchObject({ x: [1, 2], y: [0.6, 0.55], label: 'run 1 · validation loss' });
    expect(runSeries(run([{ epoch: 5, loss: 1 }]), 'loss', 'r').x).toEqual([5]);
  });

  it('shows the losses first, other metrics when no loss', () => {
    const video = run([{ epoch: 1, loss: 0.5, valLoss: 0.6, f1: 0.3 }]);
    const audio = run([{ epoch: 1, loss: 0.4, val_loss: 0.5, accuracy: 0.7 }]);
    expect(defaultMetrics(metricKeys([video, audio]))).toEqual(['loss', 'valLoss']);
    expect(defaultMetrics(metricKeys([run([{ f1: 0.3, mae: 0.1, r2: 0.2 }])]))).toEqual([
      'f1',
      'mae',
    ]);
  });

  it('exports curves as a long CSV', () => {
    const s = runSeries(run([{ loss: 1 }, { loss: 0.5 }]), 'loss', 'run, 1');
    expect(curvesCsv([s], 0)).toBe(
      'run,metric,epoch,value,smoothed\r\n"run, 1",loss,1,1,1\r\n"run, 1",loss,2,0.5,0.5\r\n',
    );
  });
});

describe('activation maps', () => {
  const model = (id: string, kind: string): ModelRecord => ({
    id,
    projectId: 'p',
    kind,
    name: id,
    createdAt: 0,
    topology: null,
    meta: {},
  });

  it('open on the latest autoencoder, not a later model without 3D layers', () => {
    const ae = { model: model('ae', 'autoencoder'), epochs: [1, 2, 3] };
    const audio = { model: model('audio_scenes', 'audio-scenes'), epochs: [1000] };
    expect(defaultActivationChoice([ae, audio])).toBe('ae@3');
    expect(defaultActivationChoice([audio])).toBe('audio_scenes@1000');
    expect(defaultActivationChoice([])).toBe('');
  });
});

describe('tables', () => {
  it('finds label and MAE reports in a run’s last epoch', () => {
    const labels = multiLabelReport([1, 0, 1, 1], [0.9, 0.2, 0.4, 0.8], 2);
    const mae = meanAbsoluteError([0, 1], [0.5, 0.5], 2);
    const r = run(
      [{ loss: 1 }, { loss: 0.5, report: labels, gases: mae, maePerMovie: { 'Harbour Run': 0.2 } }],
      { labels: ['suspense', 'action'] },
    );
    const tables = runTables(r, 'run 1');
    expect(tables.map((t) => t.title)).toEqual([
      'run 1 · report (epoch 2)',
      'run 1 · gases (epoch 2)',
      'run 1 · maePerMovie (epoch 2)',
    ]);
    expect(tables[0].rows[0]).toEqual(['suspense', 1, 0.5, 2 / 3, 2]);
    expect(tables[0].rows.at(-1)?.[0]).toBe('weighted average');
    expect(tables[1].rows[0]).toEqual(['CO₂', 0.5]);
    expect(tableCsv(tables[2])).toBe('movie,MAE\r\nHarbour Run,0.2\r\n');
    const summary = runSummaryTable([{ run: r, label: 'run 1' }], ['loss', 'report.weighted.f1']);
    expect(summary.rows[0]).toEqual(['run 1', 'autoencoder', 'done', 2, 0.5, labels.weighted.f1]);
  });

  it('quotes CSV fields and makes safe file names', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x"y', null],
          [1.5, NaN],
        ],
      ),
    ).toBe('a,b\r\n"x""y",\r\n1.5,\r\n');
    expect(fileSlug('Curves: loss / val_loss')).toBe('curves-loss-val_loss'.replace('_', '-'));
  });
});
