// The chart wrapper: series aligned on one x column as uPlot draws them (log axes dropping what
// they cannot show), a one-point series drawn as a point in a widened range, the read-out of each
// series' nearest point, keyboard stops, curves with smoothing and their CSV, one name per metric.
import { describe, expect, it } from 'vitest';
import {
  alignSeries,
  chartOptions,
  MARKED_POINTS,
  nextStop,
  readoutAt,
  readoutText,
  seriesColour,
  xRange,
  type ChartSpec,
} from '../../src/lib/views/chart';
import {
  curveChartSeries,
  defaultMetrics,
  emaSmooth,
  faint,
  historySeries,
  metricKeys,
  runSeries,
} from '../../src/lib/views/curves';
import { canonicalMetric, metricLabel } from '../../src/lib/views/metric-names';
import { screeningSeries } from '../../src/lib/views/screening-curves';
import type { RunRecord } from '../../src/lib/store/schema';

const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  series: [
    { label: 'a · loss', x: [1, 2, 3, 4], y: [0.8, 0.4, 0.2, 0.1], colour: '#111111' },
    { label: 'b · loss', x: [1, 3], y: [0, 0.5], colour: '#222222', width: 1, dash: [4, 2] },
  ],
  xLabel: 'epoch',
  yLabel: 'loss',
  ...over,
});

function run(epochs: Record<string, unknown>[], kind = 'autoencoder'): RunRecord {
  return {
    id: 'r',
    projectId: 'p',
    kind,
    modelId: null,
    config: {},
    epochs,
    state: 'done',
    createdAt: 0,
  };
}

describe('chart data', () => {
  it('aligns series on the union of their x values, gaps as null', () => {
    const a = alignSeries(spec());
    expect(a.data).toEqual([
      [1, 2, 3, 4],
      [0.8, 0.4, 0.2, 0.1],
      [0, null, 0.5, null],
    ]);
    expect(a.counts).toEqual([4, 2]);
    expect(a.dropped).toBe(0);
  });

  it('drops what a log axis cannot show, and says how many', () => {
    const a = alignSeries(spec({ logY: true }));
    expect(a.data[2]).toEqual([null, null, 0.5, null]);
    expect(a.counts).toEqual([4, 1]);
    expect(a.dropped).toBe(1);
    const lag = alignSeries({
      series: [{ label: 'mae', x: [0, 1, 2], y: [0.3, 0.2, 0.25], colour: '#000000' }],
      xLabel: 'lag',
      yLabel: 'MAE',
      logX: true,
    });
    expect(lag.data).toEqual([
      [1, 2],
      [0.2, 0.25],
    ]);
  });

  it('gives a one-epoch run a range and a point to draw', () => {
    expect(xRange(1, 1, false)).toEqual([0, 2]);
    expect(xRange(4, 4, true)).toEqual([2, 8]);
    expect(xRange(1, 1000, true)).toEqual([1, 1000]);
    const one: ChartSpec = {
      series: [
        { label: 'short · loss', x: [1], y: [0.5], colour: '#000000' },
        {
          label: 'long · loss',
          x: Array.from({ length: 1000 }, (_, i) => i + 1),
          y: Array.from({ length: 1000 }, (_, i) => 1 / (i + 1)),
          colour: '#ff0000',
        },
      ],
      xLabel: 'epoch',
      yLabel: 'loss',
    };
    const aligned = alignSeries(one);
    const options = chartOptions(one, aligned, { width: 600, height: 300 });
    const [, short, long] = options.series;
    expect(short.points).toMatchObject({ show: true });
    expect(long.points).not.toMatchObject({ show: true });
    expect(aligned.counts[0]).toBeLessThanOrEqual(MARKED_POINTS);
  });

  it('passes titles, log scales and each series’ own colour, width and dash to uPlot', () => {
    const s = spec({ logX: true, logY: true });
    const options = chartOptions(s, alignSeries(s), { width: 500, height: 200 });
    expect(options.axes?.map((a) => a.label)).toEqual(['epoch', 'loss']);
    expect(options.scales?.x.distr).toBe(3);
    expect(options.scales?.y.distr).toBe(3);
    expect(options.series.slice(1).map((x) => [x.label, x.stroke, x.width, x.dash])).toEqual([
      ['a · loss', '#111111', 2, undefined],
      ['b · loss', '#222222', 1, [4, 2]],
    ]);
    const linear = chartOptions(spec(), alignSeries(spec()), { width: 500, height: 200 });
    expect(linear.scales?.x.distr).toBe(1);
  });
});

describe('chart read-out', () => {
  it('reads each series at its own nearest drawn point', () => {
    expect(readoutAt(spec(), 2).map((r) => [r.label, r.x, r.y])).toEqual([
      ['a · loss', 2, 0.4],
      ['b · loss', 1, 0],
    ]);
    // b's value 0 cannot be drawn on a log axis: its nearest drawable point is x = 3.
    expect(readoutAt(spec({ logY: true }), 1).map((r) => [r.label, r.x])).toEqual([
      ['a · loss', 1],
      ['b · loss', 3],
    ]);
    expect(readoutText(spec(), 2)).toBe('epoch 2: a · loss 0.4000; b · loss 0 at 1');
  });

  it('moves between x values from the keyboard', () => {
    const stops = [1, 2, 3];
    expect(nextStop(stops, null, 'ArrowRight')).toBe(1);
    expect(nextStop(stops, 1, 'ArrowRight')).toBe(2);
    expect(nextStop(stops, 3, 'ArrowRight')).toBe(3);
    expect(nextStop(stops, null, 'ArrowLeft')).toBe(3);
    expect(nextStop(stops, 2, 'Home')).toBe(1);
    expect(nextStop(stops, 2, 'End')).toBe(3);
    expect(nextStop(stops, 2, 'Escape')).toBeNull();
    expect(nextStop(stops, 2, 'a')).toBeUndefined();
    expect(nextStop([], 2, 'Home')).toBeUndefined();
  });
});

describe('curves for the chart', () => {
  it('draws smoothed lines over faint raw ones, keeping caller styles', () => {
    const s = runSeries(run([{ loss: 1 }, { loss: 0.5 }, { loss: 0.7 }]), 'loss', 'run 1');
    expect(curveChartSeries([s], 0)).toEqual([
      { label: 'run 1 · training loss', x: [1, 2, 3], y: [1, 0.5, 0.7], colour: seriesColour(0) },
    ]);
    const [raw, smooth] = curveChartSeries([{ ...s, colour: '#102030', width: 3 }], 0.5);
    expect(raw).toMatchObject({ label: 'run 1 · training loss (raw)', width: 1 });
    expect(raw.colour).toBe('rgba(16, 32, 48, 0.25)');
    expect(smooth).toMatchObject({ colour: '#102030', width: 3, y: emaSmooth([1, 0.5, 0.7], 0.5) });
    expect(faint('steelblue')).toBe('steelblue');
  });

  it('draws several series per arm (seeds around a mean) with their own styles', () => {
    const seeds = [0.5, 0.7].map((f, i) =>
      historySeries(
        [
          { epoch: 1, val_loss: f },
          { epoch: 2, val_loss: f / 2 },
        ],
        'valLoss',
        `variant seed ${i + 1}`,
        { colour: '#102030', width: 1 },
      ),
    );
    const mean = historySeries([{ valLoss: 0.6 }, { valLoss: 0.3 }], 'valLoss', 'variant mean', {
      colour: '#102030',
      width: 3,
    });
    const drawn = curveChartSeries([...seeds, mean], 0);
    expect(drawn.map((d) => [d.label, d.width, d.colour])).toEqual([
      ['variant seed 1 · validation loss', 1, '#102030'],
      ['variant seed 2 · validation loss', 1, '#102030'],
      ['variant mean · validation loss', 3, '#102030'],
    ]);
    expect(drawn[1].y).toEqual([0.7, 0.35]);
  });
});

describe('metric names', () => {
  it('reads every spelling of a metric as one name with one label', () => {
    expect(canonicalMetric('val_loss')).toBe('valLoss');
    expect(canonicalMetric('valLoss')).toBe('valLoss');
    expect(canonicalMetric('metrics.f1')).toBe('f1');
    expect(canonicalMetric('f1')).toBe('f1');
    expect(canonicalMetric('valLossPerFilm.Night Shift')).toBe('valLossPerFilm.Night Shift');
    expect(metricLabel('valLoss')).toBe('validation loss');
    expect(metricLabel('valLossPerFilm.Night Shift')).toBe('validation loss · Night Shift');
    expect(metricLabel('r2')).toBe('r2');
  });

  it('offers one checkbox per metric across video, audio and experiment runs', () => {
    const video = run([{ epoch: 1, loss: 0.5, valLoss: 0.6, metrics: { f1: 0.3 } }]);
    const audio = run([{ epoch: 1, loss: 0.4, val_loss: 0.5, f1: 0.7 }], 'audio-scenes');
    expect(metricKeys([video, audio])).toEqual(['f1', 'loss', 'valLoss']);
    expect(defaultMetrics(metricKeys([video, audio]))).toEqual(['loss', 'valLoss']);
    expect(runSeries(audio, 'valLoss', 'a').y).toEqual([0.5]);
    expect(runSeries(video, 'f1', 'v').y).toEqual([0.3]);
  });
});

describe('screening curves', () => {
  it('gives each screening one chemical’s curve over film minutes', () => {
    const values = Float32Array.from([0, 1, 0.5, 0.25, 1, 0]); // 3 rows × 2 chemicals
    const [s] = screeningSeries([{ label: 'screening 1', values, rows: 3 }], 1, 2);
    expect(s.x).toEqual([0, 0.5, 1]);
    expect(s.y).toEqual([1, 0.25, 0]);
    expect(s.label).toBe('screening 1');
  });
});
