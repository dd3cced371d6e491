/**
 * The experiments of issue 10 that the notebook runs end to end on a project: missing gas values
 * (0.5 vs the movie's other screenings), the response-lag scan, leave-one-movie-out, and the
 * spectrogram CNN against the 193-feature MLP on scene labels (the CNN trains in the same worker
 * on WebGPU, see audio-cnn-trainer.ts). Each gas experiment trains the gas MLP on the 193 audio
 * features of every 30-s clip in the audio training worker (cheap enough for a laptop, and for
 * the demo in a test), builds the result table and saves the baseline and variant as a linked
 * run pair.
 *
 * The video route (frozen autoencoder → gas head) needs a trained autoencoder and minutes per run
 * on a real GPU; the datasets built here are the same GasDataset the video head takes, so that
 * route can follow without changing the comparisons.
 */
import { AUDIO_FEATURES } from '../shapes';
import { listMovies } from '../store/movies';
import { buildGasDataset, buildLabelDataset, gatherAudioFeatures } from '../study/studyStore';
import { describeSplit } from '../study/splits';
import type { MissingGasFill } from '../study/gasTargets';
import type { SplitSpec } from '../study/dataset';
import { maeByGroup } from '../metrics/regression';
import type { AudioEpoch, AudioTrainConfig, AudioTrainData } from '../training/audio-trainer';
import type { AudioTrainClient } from '../training/audio-train-client';
import { PAPER_AUDIO_CONFIG } from '../training/audio-trainer';
import {
  METRICS,
  compareMetric,
  groupedResultTable,
  type ExperimentKind,
  type ResultRow,
} from './comparison';
import { bestLag, lagMinutes, lagScan, type LagResult } from './response-lag';
import { savePair, type ArmRun, type StoredComparison } from './run-pair';
import {
  DEFAULT_CNN_CONFIG,
  type CnnEpoch,
  type CnnJob,
  type CnnTrainResult,
} from '../training/audio-cnn-trainer';
import { CNN_FRAMES, CNN_MEL_BANDS } from '../features/log-mel';

export type RunnableExperiment = Extract<
  ExperimentKind,
  'missing-gas' | 'response-lag' | 'leave-one-movie-out' | 'audio-cnn'
>;

export interface ExperimentSettings {
  epochs: number;
  /** Response lag only: lags 0 … maxLag periods of 30 s. */
  maxLag: number;
  seed: number;
}

export const DEFAULT_EXPERIMENT_SETTINGS: ExperimentSettings = {
  epochs: 100,
  maxLag: 4,
  seed: 1,
};

/** One arm's training: its per-epoch metrics and the final model's validation outputs. */
export interface ArmResult {
  history: AudioEpoch[];
  scores: Float32Array;
  stopped: boolean;
}

/** Trains one configuration on one dataset (the audio worker in the app, in-process in tests). */
export type TrainArm = (
  data: AudioTrainData,
  config: AudioTrainConfig,
  onEpoch: (e: AudioEpoch) => void,
) => Promise<ArmResult>;

/** Trains arms in the audio training worker (wasm, else cpu), one worker run per arm. */
export function trainInWorker(client: AudioTrainClient): TrainArm {
  return async (data, config, onEpoch) => {
    const result: ArmResult = { history: [], scores: new Float32Array(0), stopped: false };
    await client.train(data, [config], (msg) => {
      if (msg.type === 'epoch') {
        result.history.push(msg.epoch);
        onEpoch(msg.epoch);
      } else if (msg.type === 'done') {
        result.scores = msg.validationScores;
        result.stopped = msg.stopped;
      }
    });
    return result;
  };
}

/** Trains the spectrogram CNN on a job's clips (the audio worker on WebGPU in the app). */
export type TrainCnn = (
  job: CnnJob,
  onEpoch: (e: CnnEpoch) => void,
  onSpectrograms: (done: number, total: number) => void,
) => Promise<CnnTrainResult & { backend?: string }>;

/** Trains the CNN in the audio training worker (WebGPU, else cpu). */
export function trainCnnInWorker(client: AudioTrainClient): TrainCnn {
  return async (job, onEpoch, onSpectrograms) => {
    let result: (CnnTrainResult & { backend?: string }) | null = null;
    let backend = '';
    await client.trainCnn(job, (msg) => {
      if (msg.type === 'backend') backend = msg.name;
      else if (msg.type === 'spectrograms') onSpectrograms(msg.done, msg.total);
      else if (msg.type === 'cnn-epoch') onEpoch(msg.epoch);
      else if (msg.type === 'cnn-done') result = { ...msg.result, backend };
    });
    if (!result) throw new Error('The spectrogram CNN run ended without a result.');
    return result;
  };
}

export interface ExperimentProgress {
  fraction: number;
  label: string;
}

export class ExperimentStopped extends Error {
  override name = 'ExperimentStopped';
  constructor() {
    super('The experiment was stopped; nothing was saved.');
  }
}

/** The dataset of one arm: gas targets of the clips that have audio features, and their rows. */
interface GasArmData {
  data: AudioTrainData;
  rows: { movieId: string; index: number; screeningId: string }[];
  split: string;
}

async function gasArmData(
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

function configFor(settings: ExperimentSettings): AudioTrainConfig {
  return {
    ...PAPER_AUDIO_CONFIG,
    variant: 'improved',
    task: 'gases',
    epochs: settings.epochs,
    seed: settings.seed,
  };
}

function sceneEpochRecords(history: readonly AudioEpoch[]): Record<string, unknown>[] {
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

function epochRecords(history: readonly AudioEpoch[]): Record<string, unknown>[] {
  return history.map((e) => ({ epoch: e.epoch, loss: e.loss, val_loss: e.valLoss, mae: e.mae }));
}

/** MAE over the validation cells where `keep(row, output)` holds. */
function maskedMae(
  data: AudioTrainData,
  scores: Float32Array,
  keep: (row: number, output: number) => boolean,
): number {
  let sum = 0;
  let n = 0;
  data.validation.forEach((r, i) => {
    for (let c = 0; c < data.outputs; c++) {
      if (!keep(r, c)) continue;
      sum += Math.abs(scores[i * data.outputs + c] - data.y[r * data.outputs + c]);
      n++;
    }
  });
  return n ? sum / n : NaN;
}

function finalMae(result: ArmResult): number {
  return result.history.at(-1)?.mae ?? NaN;
}

export class ExperimentRunner {
  private stopped = false;

  constructor(
    private readonly train: TrainArm,
    private readonly onProgress: (p: ExperimentProgress) => void = () => undefined,
    private readonly trainCnn: TrainCnn | null = null,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(
    experiment: RunnableExperiment,
    projectId: string,
    settings: ExperimentSettings = DEFAULT_EXPERIMENT_SETTINGS,
  ): Promise<StoredComparison> {
    this.stopped = false;
    if (!(settings.epochs >= 1)) throw new Error('Train each arm for at least one epoch.');
    if (experiment === 'missing-gas') return this.missingGas(projectId, settings);
    if (experiment === 'response-lag') return this.responseLag(projectId, settings);
    if (experiment === 'audio-cnn') return this.audioCnn(projectId, settings);
    return this.leaveOneMovieOut(projectId, settings);
  }

  /** Trains every arm in `arms` one after another, reporting progress over all of them. */
  private async trainAll(
    arms: { label: string; data: AudioTrainData }[],
    settings: ExperimentSettings,
  ): Promise<ArmResult[]> {
    const out: ArmResult[] = [];
    const total = arms.length * settings.epochs;
    for (const [i, arm] of arms.entries()) {
      if (this.stopped) throw new ExperimentStopped();
      const result = await this.train(arm.data, configFor(settings), (e) =>
        this.onProgress({
          fraction: (i * settings.epochs + e.epoch) / total,
          label: `${arm.label}: epoch ${e.epoch} / ${settings.epochs} · validation MAE ${e.mae?.toFixed(4)}`,
        }),
      );
      if (result.stopped || this.stopped) throw new ExperimentStopped();
      out.push(result);
    }
    return out;
  }

  private arm(label: string, result: ArmResult, config: Record<string, unknown>): ArmRun {
    return {
      label,
      kind: 'gases (audio features)',
      config: { input: 'audio features', ...config },
      epochs: epochRecords(result.history),
      state: 'done',
    };
  }

  private async missingGas(projectId: string, settings: ExperimentSettings) {
    const [base, variant] = await Promise.all([
      gasArmData(projectId, { missing: 'constant' }),
      gasArmData(projectId, { missing: 'movie-mean' }),
    ]);
    // Cells filled differently have different truths in the two arms; the fair score is on the
    // cells whose target is the same in both (every measured value).
    const same = (r: number, c: number) =>
      base.data.y[r * base.data.outputs + c] === variant.data.y[r * variant.data.outputs + c];
    const filled = base.data.y.reduce((n, v, i) => n + (v === variant.data.y[i] ? 0 : 1), 0);
    const [b, v] = await this.trainAll(
      [
        { label: '0.5 fill', data: base.data },
        { label: 'other screenings', data: variant.data },
      ],
      settings,
    );
    const rows: ResultRow[] = [
      compareMetric(
        { name: 'MAE where both targets agree', direction: 'lower' },
        maskedMae(base.data, b.scores, same),
        maskedMae(variant.data, v.scores, same),
      ),
      compareMetric(METRICS.mae, finalMae(b), finalMae(v)),
    ];
    return savePair(
      projectId,
      'missing-gas',
      this.arm('0.5 fill', b, { missing: 'constant' }),
      this.arm('other screenings', v, { missing: 'movie-mean' }),
      {
        experiment: 'missing-gas',
        split: base.split,
        rows,
        settings: { ...settings, input: 'audio features', cellsFilledDifferently: filled },
      },
    );
  }

  private async responseLag(projectId: string, settings: ExperimentSettings) {
    const lags = lagScan(settings.maxLag);
    if (lags.length < 2) throw new Error('Scan at least lags 0 and 1.');
    const arms = await Promise.all(lags.map((lag) => gasArmData(projectId, { lag })));
    const results = await this.trainAll(
      arms.map((a, i) => ({ label: `lag ${lags[i]}`, data: a.data })),
      settings,
    );
    const scan: LagResult[] = lags.map((lag, i) => ({ lag, mae: finalMae(results[i]) }));
    // The variant is the best lag after 0, so there is always a pair to compare.
    const best = bestLag(scan.slice(1))!;
    const label = (lag: number) => `lag ${lag} (${lagMinutes(lag)} min)`;
    const rows = [compareMetric(METRICS.mae, scan[0].mae, best.mae)];
    return savePair(
      projectId,
      'response-lag',
      this.arm(label(0), results[0], { lag: 0 }),
      this.arm(label(best.lag), results[best.lag], { lag: best.lag }),
      {
        experiment: 'response-lag',
        split: `last 20 % of each movie's lagged rows; lag 0: ${arms[0].split}`,
        rows,
        scan,
        settings: { ...settings, input: 'audio features', bestLag: bestLag(scan)?.lag },
      },
    );
  }

  private async leaveOneMovieOut(projectId: string, settings: ExperimentSettings) {
    const names = new Map((await listMovies(projectId)).map((m) => [m.id, m.name]));
    const base = await gasArmData(projectId, {});
    const movies = [...new Set(base.rows.map((r) => r.movieId))];
    if (movies.length < 2) throw new Error('Leaving one movie out needs at least two movies.');
    const folds = await Promise.all(
      movies.map((movieId) => gasArmData(projectId, { split: { kind: 'movie-out', movieId } })),
    );
    const [b, ...foldResults] = await this.trainAll(
      [
        { label: 'paper split', data: base.data },
        ...folds.map((f, i) => ({ label: `without ${names.get(movies[i])}`, data: f.data })),
      ],
      settings,
    );
    const nameOf = (id: string) => names.get(id) ?? id;
    const k = base.data.outputs;
    const truth = new Float32Array(base.data.validation.length * k);
    base.data.validation.forEach((r, i) =>
      truth.set(base.data.y.subarray(r * k, (r + 1) * k), i * k),
    );
    const baseline = maeByGroup(truth, b.scores, k, (i) =>
      nameOf(base.rows[base.data.validation[i]].movieId),
    );
    const variant = new Map(movies.map((m, i) => [nameOf(m), finalMae(foldResults[i])]));
    const rows = groupedResultTable(METRICS.mae, baseline, variant);
    // The variant's curves: the mean over folds per epoch, and each held-out movie's MAE.
    const epochs = foldResults[0].history.map((_, e) => {
      const at = foldResults.map((f) => f.history[e]);
      const mean = (pick: (x: AudioEpoch) => number) =>
        at.reduce((s, x) => s + pick(x), 0) / at.length;
      return {
        epoch: e + 1,
        loss: mean((x) => x.loss),
        val_loss: mean((x) => x.valLoss),
        mae: mean((x) => x.mae ?? NaN),
        maePerMovie: Object.fromEntries(movies.map((m, i) => [nameOf(m), at[i].mae])),
      };
    });
    return savePair(
      projectId,
      'leave-one-movie-out',
      this.arm('last 20 % of each movie', b, { split: 'last-fraction' }),
      {
        label: 'each movie held out',
        kind: 'gases (audio features)',
        config: { input: 'audio features', split: 'movie-out', folds: movies.length },
        epochs,
        state: 'done',
      },
      {
        experiment: 'leave-one-movie-out',
        split: `baseline: ${base.split}; variant: one fold per movie (${movies.length})`,
        rows,
        settings: { ...settings, input: 'audio features' },
      },
    );
  }

  /**
   * The 193-feature MLP (improved variant) against the spectrogram CNN, both on the scene labels
   * of the clips that have features and stored audio, split with the project's setting.
   */
  private async audioCnn(projectId: string, settings: ExperimentSettings) {
    if (!this.trainCnn) throw new Error('This runner cannot train the spectrogram CNN.');
    const labels = await buildLabelDataset(projectId, { sequences: 'audio' });
    if (!labels.rows.length || !labels.names.length) {
      throw new Error(
        'No clip has both audio features and scene labels: compute audio features (Audio) and import labels (Data) first.',
      );
    }
    const { train, validation } = labels.split;
    if (!train.length || !validation.length) {
      throw new Error(`The split leaves ${describeSplit(labels.split)} rows: both need some.`);
    }
    const outputs = labels.names.length;
    const mlpData: AudioTrainData = {
      x: await gatherAudioFeatures(projectId, labels.rows),
      width: AUDIO_FEATURES,
      y: labels.y,
      outputs,
      train,
      validation,
    };
    const total = 2 * settings.epochs;
    const mlpConfig: AudioTrainConfig = { ...configFor(settings), task: 'scenes' };
    const mlp = await this.train(mlpData, mlpConfig, (e) =>
      this.onProgress({
        fraction: e.epoch / total,
        label: `193-feature MLP: epoch ${e.epoch} / ${settings.epochs} · F1 ${e.f1?.toFixed(3)}`,
      }),
    );
    if (mlp.stopped || this.stopped) throw new ExperimentStopped();
    const cnnConfig = {
      ...DEFAULT_CNN_CONFIG,
      task: 'scenes' as const,
      epochs: settings.epochs,
      seed: settings.seed,
    };
    const cnn = await this.trainCnn(
      { projectId, rows: labels.rows, y: labels.y, outputs, train, validation, config: cnnConfig },
      (e) =>
        this.onProgress({
          fraction: (settings.epochs + e.epoch) / total,
          label: `spectrogram CNN: epoch ${e.epoch} / ${settings.epochs} · F1 ${e.f1?.toFixed(3)} · ${e.seconds.toFixed(1)} s`,
        }),
      (done, count) =>
        this.onProgress({
          fraction: settings.epochs / total,
          label: `log-mel spectrograms: clip ${done} / ${count}`,
        }),
    ).catch((err: unknown) => {
      // a stop while spectrograms are computed ends the worker's job with an error
      throw this.stopped ? new ExperimentStopped() : err;
    });
    if (cnn.stopped || this.stopped) throw new ExperimentStopped();
    const f1 = (h: readonly AudioEpoch[]) => h.at(-1)?.f1 ?? NaN;
    const rows = [compareMetric(METRICS.f1, f1(mlp.history), f1(cnn.history))];
    const epochSeconds = cnn.history.reduce((s, e) => s + e.seconds, 0) / cnn.history.length;
    const shape = [CNN_MEL_BANDS, CNN_FRAMES, 1];
    const cnnParameters = cnn.parameters;
    return savePair(
      projectId,
      'audio-cnn',
      {
        label: '193-feature MLP (improved)',
        kind: 'scenes (audio features)',
        config: { input: 'audio features', labels: labels.names },
        epochs: sceneEpochRecords(mlp.history),
        state: 'done',
      },
      {
        label: `log-mel CNN ${shape.join('×')}`,
        kind: 'scenes (log-mel CNN)',
        config: {
          input: `log-mel spectrogram ${shape.join(' × ')}`,
          labels: labels.names,
          backend: cnn.backend ?? null,
          parameters: cnnParameters,
        },
        epochs: sceneEpochRecords(cnn.history),
        state: 'done',
      },
      {
        experiment: 'audio-cnn',
        split: describeSplit(labels.split) + (labels.split.note ? ` (${labels.split.note})` : ''),
        rows,
        settings: {
          ...settings,
          inputShape: shape,
          cnnParameters,
          cnnEpochSeconds: epochSeconds,
          backend: cnn.backend ?? null,
          learningRate: cnnConfig.learningRate,
          batchSize: cnnConfig.batchSize,
        },
      },
    );
  }
}
