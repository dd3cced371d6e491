/**
 * The reproduction table: for each figure of the paper the notebook reproduces, the paper's value
 * beside ours, computed from the project's stored runs — the latest finished run per seed of the
 * longest schedule trained — as mean ± sd over seeds with a 95 % t interval of our mean. Pure: the
 * notebook passes the runs in.
 */
import type { RunRecord } from '../store/schema';
import { mean, sampleSd, tQuantile975 } from './uncertainty';

export interface PaperFigure {
  figure: string;
  /** The paper's value (§IV) and, where one exists, a faithful retrain's. */
  paper: number;
  reference?: string;
  /** Which stored runs reproduce it, and their figure. */
  matches: (run: RunRecord) => boolean;
  value: (run: RunRecord) => number;
  note?: string;
}

const lastEpoch = (run: RunRecord) => run.epochs.at(-1) ?? {};
/** A top-level number of the last epoch (audio runs) or one of its metrics (video runs). */
function final(key: string): (run: RunRecord) => number {
  return (run) => {
    const e = lastEpoch(run) as Record<string, unknown>;
    const v = e[key] ?? (e.metrics as Record<string, unknown> | undefined)?.[key];
    return typeof v === 'number' ? v : NaN;
  };
}

const audio = (task: 'scenes' | 'gases') => (run: RunRecord) =>
  run.kind === `audio-${task}` && run.config.variant === 'paper';
const autoencoder = (batchNorm: boolean) => (run: RunRecord) =>
  run.kind === 'autoencoder' && !!run.config.batchNorm === batchNorm;

export const PAPER_FIGURES: readonly PaperFigure[] = [
  {
    figure: 'audio scenes: weighted F1',
    paper: 0.55,
    reference: 'faithful Keras retrain 0.565 ± 0.007',
    matches: audio('scenes'),
    value: final('f1'),
  },
  {
    figure: 'audio scenes: weighted precision',
    paper: 0.63,
    reference: 'retrain 0.607 ± 0.005',
    matches: audio('scenes'),
    value: final('precision'),
  },
  {
    figure: 'audio scenes: weighted recall',
    paper: 0.5,
    reference: 'retrain 0.561 ± 0.006',
    matches: audio('scenes'),
    value: final('recall'),
  },
  {
    figure: 'audio gases: validation MAE',
    paper: 0.21,
    matches: audio('gases'),
    value: final('mae'),
    note: 'the study’s VOC files are not public: ours is on this project’s screenings',
  },
  {
    figure: 'video scenes (frozen encoder): weighted F1',
    paper: 0.42,
    matches: (run) => run.kind === 'scenes',
    value: final('f1'),
  },
  {
    figure: 'video gases (frozen encoder): validation MAE',
    paper: 0.19,
    matches: (run) => run.kind === 'gases',
    value: final('mae'),
    note: 'paper: last 20 % of each movie validates',
  },
  {
    figure: 'autoencoder with batch norm: validation loss',
    paper: 0.4145,
    matches: autoencoder(true),
    value: (run) => Number(run.epochs.at(-1)?.valLoss ?? NaN),
    note: 'paper: after 50 epochs (Fig. 10)',
  },
  {
    figure: 'autoencoder without batch norm: validation loss',
    paper: 0.4196,
    matches: autoencoder(false),
    value: (run) => Number(run.epochs.at(-1)?.valLoss ?? NaN),
    note: 'paper: after 50 epochs (Fig. 10)',
  },
];

export interface ReproductionRow {
  figure: string;
  paper: number;
  reference?: string;
  note?: string;
  /** Our runs behind the figure: one per seed, of the longest schedule stored. */
  seeds: number[];
  epochs: number | null;
  values: number[];
  mean: number;
  sd: number | null;
  /** 95 % t interval of our mean over seeds (null with fewer than two). */
  interval: { low: number; high: number } | null;
  /** Whether the paper's value lies in that interval. */
  paperInside: boolean | null;
}

/** One row per paper figure; a figure no stored run reproduces has no seeds. */
export function reproductionRows(
  runs: readonly RunRecord[],
  figures: readonly PaperFigure[] = PAPER_FIGURES,
): ReproductionRow[] {
  return figures.map((f) => {
    const finished = runs.filter(
      (r) => f.matches(r) && r.state === 'done' && Number.isFinite(f.value(r)),
    );
    const epochs = finished.length ? Math.max(...finished.map((r) => r.epochs.length)) : null;
    const bySeed = new Map<number, RunRecord>();
    for (const r of finished.filter((r) => r.epochs.length === epochs)) {
      const seed = Number(r.config.seed ?? 1);
      const seen = bySeed.get(seed);
      if (!seen || r.createdAt > seen.createdAt) bySeed.set(seed, r);
    }
    const seeds = [...bySeed.keys()].sort((a, b) => a - b);
    const values = seeds.map((s) => f.value(bySeed.get(s)!));
    const m = mean(values);
    const sd = sampleSd(values);
    const half =
      sd === null ? null : (tQuantile975(values.length - 1) * sd) / Math.sqrt(values.length);
    const interval = half === null ? null : { low: m - half, high: m + half };
    return {
      figure: f.figure,
      paper: f.paper,
      ...(f.reference ? { reference: f.reference } : {}),
      ...(f.note ? { note: f.note } : {}),
      seeds,
      epochs,
      values,
      mean: m,
      sd,
      interval,
      paperInside: interval ? interval.low <= f.paper && f.paper <= interval.high : null,
    };
  });
}
