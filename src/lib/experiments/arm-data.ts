/**
 * What an audio-feature experiment's arms train on and take from the project: the run's settings
 * and seeds, each arm's gas dataset (audio features → gases), its training configuration per seed, the study settings it
 * inherited (printed with the table), and the per-epoch curves averaged over seeds.
 */
import { AUDIO_FEATURES } from '../shapes';
import { listMovies } from '../store/movies';
import type { ExperimentKind } from './comparison';
import { buildGasDataset, gatherAudioFeatures } from '../study/studyStore';
import { getStudySettings } from '../study/settings';
import { GAS_NORMALISATIONS, MISSING_GAS_FILLS, type MissingGasFill } from '../study/gasTargets';
import type { SplitSpec } from '../study/dataset';
import type { AudioEpoch, AudioTrainConfig, AudioTrainData } from '../training/audio-trainer';
import { PAPER_AUDIO_CONFIG } from '../training/audio-trainer';
import { lagMinutes } from './response-lag';
import { mean } from './uncertainty';

export type RunnableExperiment = Extract<
  ExperimentKind,
  'missing-gas' | 'response-lag' | 'leave-one-movie-out' | 'audio-cnn'
>;

export interface ExperimentSettings {
  epochs: number;
  /** Response lag only: lags 0 … maxLag periods of 30 s. */
  maxLag: number;
  /** The first seed; arms train with seeds seed … seed + seeds − 1. */
  seed: number;
  /** Seeds per arm (k): 2 or more give a t interval over seeds, 1 a bootstrap over rows. */
  seeds: number;
}

export const DEFAULT_EXPERIMENT_SETTINGS: ExperimentSettings = {
  epochs: 100,
  maxLag: 4,
  seed: 1,
  seeds: 3,
};

/** The seeds of a run: seed … seed + seeds − 1. */
export function seedList(settings: Pick<ExperimentSettings, 'seed' | 'seeds'>): number[] {
  return Array.from(
    { length: Math.max(1, Math.floor(settings.seeds)) },
    (_, i) => settings.seed + i,
  );
}

/** Trainings a run makes (arms × seeds): what the section's cost line multiplies. */
export async function trainingsPerRun(
  experiment: RunnableExperiment,
  projectId: string,
  settings: ExperimentSettings,
): Promise<number> {
  const k = seedList(settings).length;
  if (experiment === 'response-lag') return (settings.maxLag + 1) * k;
  if (experiment === 'leave-one-movie-out') {
    const movies = new Set((await listMovies(projectId)).map((m) => m.id)).size;
    return (movies + 1) * k;
  }
  return 2 * k;
}

/** The dataset of one arm: gas targets of the clips that have audio features, and their rows. */
export interface GasArmData {
  data: AudioTrainData;
  rows: { movieId: string; index: number; screeningId: string }[];
  split: string;
}

export async function gasArmData(
  projectId: string,
  options: { missing?: MissingGasFill; lag?: number; split?: SplitSpec },
): Promise<GasArmData> {
  const built = await buildGasDataset(projectId, { ...options, sequences: 'audio' });
  if (!built.rows.length) {
    throw new Error(
      'No clip has both audio features and gas measurements: compute audio features (Audio) and import VOC screenings (Data) first.',
    );
  }
  if (!built.split.train.length || !built.split.validation.length) {
    throw new Error(
      `The split leaves ${built.split.train.length} training and ${built.split.validation.length} validation rows: both need some.`,
    );
  }
  const x = await gatherAudioFeatures(projectId, built.rows);
  return {
    data: {
      x,
      width: AUDIO_FEATURES,
      y: built.y,
      outputs: built.chemicals.length,
      train: built.split.train,
      validation: built.split.validation,
    },
    rows: built.rows,
    split:
      built.split.note ??
      `${built.split.train.length} train / ${built.split.validation.length} validation rows`,
  };
}

export function configFor(settings: ExperimentSettings, seed: number): AudioTrainConfig {
  return {
    ...PAPER_AUDIO_CONFIG,
    variant: 'improved',
    task: 'gases',
    epochs: settings.epochs,
    seed,
  };
}

function describeSpec(spec: SplitSpec): string {
  if (spec.kind === 'last-fraction')
    return `last ${Math.round(spec.fraction * 100)} % of each movie`;
  if (spec.kind === 'screening-out') return 'one screening per movie held out';
  return 'one movie held out';
}

/**
 * The study settings an experiment takes from the project (Study data), in words, so the table
 * says what the arms shared; what the experiment itself varies is named as such.
 */
export async function inheritedSettings(
  projectId: string,
  experiment: RunnableExperiment,
): Promise<Record<string, string>> {
  const s = await getStudySettings(projectId);
  const lag = `${s.lag} period${s.lag === 1 ? '' : 's'} (${lagMinutes(s.lag)} min, from Study data)`;
  const out: Record<string, string> = {
    split: `${describeSpec(s.split)} (from Study data)`,
    normalisation: `${GAS_NORMALISATIONS[s.normalisation]} (from Study data)`,
    'missing gas values': `${MISSING_GAS_FILLS[s.missing]} (from Study data)`,
    lag,
  };
  if (experiment === 'missing-gas') out['missing gas values'] = 'varied by the experiment';
  if (experiment === 'response-lag') out.lag = 'varied by the experiment (Study data’s lag unused)';
  if (experiment === 'leave-one-movie-out') {
    out.split = `baseline: ${describeSpec(s.split)} (from Study data); variant: one movie held out`;
  }
  if (experiment === 'audio-cnn') {
    delete out.lag;
    delete out.normalisation;
    delete out['missing gas values'];
  }
  return out;
}

/**
 * Per-epoch means over seeds (each seed's records must have the same epochs); numbers one level
 * down (e.g. MAE per movie) are averaged too. The runs' curves show these; the per-seed records
 * are kept beside them (seedCurves).
 */
export function meanCurves(
  perSeed: readonly Record<string, unknown>[][],
): Record<string, unknown>[] {
  if (perSeed.length === 1) return perSeed[0];
  const average = (records: readonly Record<string, unknown>[]): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...records[0] };
    for (const [key, value] of Object.entries(records[0])) {
      if (key === 'epoch') continue;
      if (typeof value === 'number') {
        out[key] = mean(
          records.map((r) => r[key]).filter((v): v is number => typeof v === 'number'),
        );
      } else if (value && typeof value === 'object' && !Array.isArray(value)) {
        out[key] = average(records.map((r) => (r[key] ?? {}) as Record<string, unknown>));
      }
    }
    return out;
  };
  return perSeed[0].map((_, e) => average(perSeed.map((s) => s[e] ?? {})));
}

/** Each seed's own curves, keyed by seed, for the run's config (thin lines around the mean). */
export function seedCurves(
  seeds: readonly number[],
  perSeed: readonly Record<string, unknown>[][],
): Record<string, Record<string, unknown>[]> {
  return Object.fromEntries(seeds.map((seed, i) => [String(seed), perSeed[i]]));
}

export function sceneEpochRecords(history: readonly AudioEpoch[]): Record<string, unknown>[] {
  return history.map((e) => ({
    epoch: e.epoch,
    loss: e.loss,
    val_loss: e.valLoss,
    f1: e.f1,
    precision: e.precision,
    recall: e.recall,
    ...('seconds' in e ? { seconds: e.seconds } : {}),
  }));
}

export function epochRecords(history: readonly AudioEpoch[]): Record<string, unknown>[] {
  return history.map((e) => ({ epoch: e.epoch, loss: e.loss, val_loss: e.valLoss, mae: e.mae }));
}
