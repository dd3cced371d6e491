/**
 * The Beyond-the-paper experiments that the notebook runs end to end on a project: missing gas values
 * (0.5 vs the movie's other screenings), the response-lag scan, leave-one-movie-out, and the
 * spectrogram CNN against the 193-feature MLP on scene labels (the CNN trains in the same worker
 * on WebGPU, see audio-cnn-trainer.ts). Each gas experiment trains the gas MLP on the 193 audio
 * features of every 30-s clip in the audio training worker (cheap enough for a laptop, and for
 * the demo in a test). Every arm trains once per seed (k seeds, seed i the same in both arms), the
 * tables (gas-tables.ts) give mean ± sd and an interval of the paired difference, and the baseline
 * and variant are saved as a linked run pair whose curves are the mean over seeds.
 *
 * The video route (frozen autoencoder → gas head) needs a trained autoencoder and minutes per run
 * on a real GPU; the datasets built here are the same GasDataset the video head takes, so that
 * route can follow without changing the comparisons.
 */
import { AUDIO_FEATURES } from '../shapes';
import { listMovies } from '../store/movies';
import { buildLabelDataset, gatherAudioFeatures } from '../study/studyStore';
import { describeSplit } from '../study/splits';
import type { AudioEpoch, AudioTrainData } from '../training/audio-trainer';
import { METRICS } from './comparison';
import {
  cellsFilledDifferently,
  finalMae,
  leaveOneMovieOutRows,
  missingGasRows,
  sceneF1Row,
  unpairedMaeRow,
  type ArmResult,
  type MovieFoldData,
} from './gas-tables';
import { mean, sampleSd } from './uncertainty';
import { bestLag, lagMinutes, lagScan, type LagResult } from './response-lag';
import { savePair, type ArmRun, type StoredComparison } from './run-pair';
import { DEFAULT_CNN_CONFIG, type CnnTrainResult } from '../training/audio-cnn-trainer';
import { CNN_FRAMES, CNN_MEL_BANDS } from '../features/log-mel';
import {
  configFor,
  epochRecords,
  gasArmData,
  inheritedSettings,
  meanCurves,
  sceneEpochRecords,
  seedCurves,
  seedList,
  DEFAULT_EXPERIMENT_SETTINGS,
  type ExperimentSettings,
  type RunnableExperiment,
} from './arm-data';
import {
  ExperimentStopped,
  type ExperimentProgress,
  type TrainArm,
  type TrainCnn,
} from './arm-training';

export {
  ExperimentStopped,
  trainCnnInWorker,
  trainInWorker,
  type ExperimentProgress,
  type TrainArm,
  type TrainCnn,
} from './arm-training';

export type { ArmResult } from './gas-tables';
export {
  DEFAULT_EXPERIMENT_SETTINGS,
  seedList,
  trainingsPerRun,
  type ExperimentSettings,
  type RunnableExperiment,
} from './arm-data';

export class ExperimentRunner {
  private stopped = false;
  /** Epochs trained and their wall-clock seconds, for the section's cost estimate. */
  private trained = { epochs: 0, seconds: 0 };

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
    this.trained = { epochs: 0, seconds: 0 };
    if (!(settings.epochs >= 1)) throw new Error('Train each arm for at least one epoch.');
    if (!(settings.seeds >= 1)) throw new Error('Train each arm with at least one seed.');
    const inherited = await inheritedSettings(projectId, experiment);
    const comparison =
      experiment === 'missing-gas'
        ? await this.missingGas(projectId, settings, inherited)
        : experiment === 'response-lag'
          ? await this.responseLag(projectId, settings, inherited)
          : experiment === 'audio-cnn'
            ? await this.audioCnn(projectId, settings, inherited)
            : await this.leaveOneMovieOut(projectId, settings, inherited);
    return comparison;
  }

  /**
   * Trains every arm once per seed, arm after arm, reporting progress over all of them; returns
   * arm × seed results.
   */
  private async trainAll(
    arms: { label: string; data: AudioTrainData }[],
    settings: ExperimentSettings,
  ): Promise<ArmResult[][]> {
    const seeds = seedList(settings);
    const out: ArmResult[][] = [];
    const total = arms.length * seeds.length * settings.epochs;
    let done = 0;
    for (const arm of arms) {
      const perSeed: ArmResult[] = [];
      for (const seed of seeds) {
        if (this.stopped) throw new ExperimentStopped();
        const where = seeds.length > 1 ? ` · seed ${seed}` : '';
        const t0 = performance.now();
        const result = await this.train(arm.data, configFor(settings, seed), (e) =>
          this.onProgress({
            fraction: (done + e.epoch) / total,
            label: `${arm.label}${where}: epoch ${e.epoch} / ${settings.epochs} · validation MAE ${e.mae?.toFixed(4)}`,
          }),
        );
        if (result.stopped || this.stopped) throw new ExperimentStopped();
        this.count(settings.epochs, t0);
        done += settings.epochs;
        perSeed.push(result);
      }
      out.push(perSeed);
    }
    return out;
  }

  private count(epochs: number, since: number): void {
    this.trained.epochs += epochs;
    this.trained.seconds += (performance.now() - since) / 1000;
  }

  /** Seconds per trained epoch so far (what the next run's cost line multiplies). */
  private secondsPerEpoch(): number {
    return this.trained.epochs ? this.trained.seconds / this.trained.epochs : NaN;
  }

  /** An arm's run: curves are the mean over its seeds (with each metric's sd beside it). */
  private arm(
    label: string,
    results: readonly ArmResult[],
    config: Record<string, unknown>,
    seeds: readonly number[],
  ): ArmRun {
    const perSeed = results.map((r) => epochRecords(r.history));
    return {
      label,
      kind: 'gases (audio features)',
      config: { input: 'audio features', ...config, seeds, seedCurves: seedCurves(seeds, perSeed) },
      epochs: meanCurves(perSeed),
      state: 'done',
    };
  }

  private async missingGas(
    projectId: string,
    settings: ExperimentSettings,
    inherited: Record<string, string>,
  ) {
    const [base, variant] = await Promise.all([
      gasArmData(projectId, { missing: 'constant' }),
      gasArmData(projectId, { missing: 'movie-mean' }),
    ]);
    const filled = cellsFilledDifferently(base.data, variant.data);
    const validationCells = base.data.validation.length * base.data.outputs;
    const [b, v] = await this.trainAll(
      [
        { label: '0.5 fill', data: base.data },
        { label: 'other screenings', data: variant.data },
      ],
      settings,
    );
    return savePair(
      projectId,
      'missing-gas',
      this.arm('0.5 fill', b, { missing: 'constant' }, seedList(settings)),
      this.arm('other screenings', v, { missing: 'movie-mean' }, seedList(settings)),
      {
        experiment: 'missing-gas',
        split: `both arms: ${base.split}`,
        seeds: seedList(settings),
        inherited,
        rows: missingGasRows(base.data, variant.data, b, v, settings.seed),
        settings: {
          ...settings,
          input: 'audio features',
          cellsFilledDifferently: filled,
          validationCells,
          secondsPerEpoch: this.secondsPerEpoch(),
        },
      },
    );
  }

  private async responseLag(
    projectId: string,
    settings: ExperimentSettings,
    inherited: Record<string, string>,
  ) {
    const lags = lagScan(settings.maxLag);
    if (lags.length < 2) throw new Error('Scan at least lags 0 and 1.');
    const arms = await Promise.all(lags.map((lag) => gasArmData(projectId, { lag })));
    const results = await this.trainAll(
      arms.map((a, i) => ({ label: `lag ${lags[i]}`, data: a.data })),
      settings,
    );
    const scan: LagResult[] = lags.map((lag, i) => {
      const maes = results[i].map(finalMae);
      return { lag, mae: mean(maes), sd: sampleSd(maes), rows: arms[i].data.validation.length };
    });
    // The variant is the best lag after 0 by mean MAE, so there is always a pair to compare.
    const best = bestLag(scan.slice(1))!;
    const label = (lag: number) => `lag ${lag} (${lagMinutes(lag)} min)`;
    const rows = [
      unpairedMaeRow(
        METRICS.mae,
        arms[0].data,
        arms[best.lag].data,
        results[0],
        results[best.lag],
        settings.seed,
      ),
    ];
    return savePair(
      projectId,
      'response-lag',
      this.arm(label(0), results[0], { lag: 0 }, seedList(settings)),
      this.arm(label(best.lag), results[best.lag], { lag: best.lag }, seedList(settings)),
      {
        experiment: 'response-lag',
        split: `each lag validates on its own lagged rows (lag 0: ${arms[0].split}; lag ${best.lag}: ${arms[best.lag].split})`,
        seeds: seedList(settings),
        inherited,
        rows,
        scan,
        settings: {
          ...settings,
          input: 'audio features',
          bestLag: bestLag(scan)?.lag,
          secondsPerEpoch: this.secondsPerEpoch(),
        },
      },
    );
  }

  private async leaveOneMovieOut(
    projectId: string,
    settings: ExperimentSettings,
    inherited: Record<string, string>,
  ) {
    const names = new Map((await listMovies(projectId)).map((m) => [m.id, m.name]));
    const base = await gasArmData(projectId, {});
    const movies = [...new Set(base.rows.map((r) => r.movieId))];
    if (movies.length < 2) throw new Error('Leaving one movie out needs at least two movies.');
    const folds = await Promise.all(
      movies.map((movieId) => gasArmData(projectId, { split: { kind: 'movie-out', movieId } })),
    );
    const nameOf = (id: string) => names.get(id) ?? id;
    const [b, ...foldResults] = await this.trainAll(
      [
        { label: 'paper split', data: base.data },
        ...folds.map((f, i) => ({ label: `without ${nameOf(movies[i])}`, data: f.data })),
      ],
      settings,
    );
    const movieData: MovieFoldData[] = movies.map((movieId, i) => ({
      name: nameOf(movieId),
      baselinePositions: base.data.validation
        .map((r, p) => (base.rows[r].movieId === movieId ? p : -1))
        .filter((p) => p >= 0),
      fold: folds[i].data,
      results: foldResults[i],
    }));
    const rows = leaveOneMovieOutRows(base.data, b, movieData, settings.seed);
    // The variant's curves: per epoch, the mean over folds (and seeds) and each held-out movie's MAE.
    const seeds = seedList(settings);
    const foldCurves = seeds.map((_, s) =>
      foldResults[0][s].history.map((_, e) => {
        const at = foldResults.map((f) => f[s].history[e]);
        const avg = (pick: (x: AudioEpoch) => number) =>
          at.reduce((sum, x) => sum + pick(x), 0) / at.length;
        return {
          epoch: e + 1,
          loss: avg((x) => x.loss),
          val_loss: avg((x) => x.valLoss),
          mae: avg((x) => x.mae ?? NaN),
          maePerMovie: Object.fromEntries(movies.map((m, i) => [nameOf(m), at[i].mae])),
        };
      }),
    );
    return savePair(
      projectId,
      'leave-one-movie-out',
      this.arm('paper split', b, { split: 'project' }, seeds),
      {
        label: 'each movie held out',
        kind: 'gases (audio features)',
        config: {
          input: 'audio features',
          split: 'movie-out',
          folds: movies.length,
          seeds,
          seedCurves: seedCurves(seeds, foldCurves),
        },
        epochs: meanCurves(foldCurves),
        state: 'done',
      },
      {
        experiment: 'leave-one-movie-out',
        split: `baseline: ${base.split}; variant: one fold per movie (${movies.length}), validating on all of it`,
        seeds,
        inherited,
        rows,
        settings: {
          ...settings,
          input: 'audio features',
          secondsPerEpoch: this.secondsPerEpoch(),
        },
      },
    );
  }

  /**
   * The 193-feature MLP (improved variant) against the spectrogram CNN, both on the scene labels
   * of the clips that have features and stored audio, split with the project's setting.
   */
  private async audioCnn(
    projectId: string,
    settings: ExperimentSettings,
    inherited: Record<string, string>,
  ) {
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
    const seeds = seedList(settings);
    const total = 2 * settings.epochs * seeds.length;
    const where = (seed: number) => (seeds.length > 1 ? ` · seed ${seed}` : '');
    const mlps: ArmResult[] = [];
    for (const [i, seed] of seeds.entries()) {
      const t0 = performance.now();
      const mlp = await this.train(mlpData, { ...configFor(settings, seed), task: 'scenes' }, (e) =>
        this.onProgress({
          fraction: (i * settings.epochs + e.epoch) / total,
          label: `193-feature MLP${where(seed)}: epoch ${e.epoch} / ${settings.epochs} · F1 ${e.f1?.toFixed(3)}`,
        }),
      );
      if (mlp.stopped || this.stopped) throw new ExperimentStopped();
      this.count(settings.epochs, t0);
      mlps.push(mlp);
    }
    const cnnConfig = { ...DEFAULT_CNN_CONFIG, task: 'scenes' as const, epochs: settings.epochs };
    const cnns: (CnnTrainResult & { backend?: string })[] = [];
    for (const [i, seed] of seeds.entries()) {
      const before = (seeds.length + i) * settings.epochs;
      const t0 = performance.now();
      const cnn = await this.trainCnn(
        {
          projectId,
          rows: labels.rows,
          y: labels.y,
          outputs,
          train,
          validation,
          config: { ...cnnConfig, seed },
        },
        (e) =>
          this.onProgress({
            fraction: (before + e.epoch) / total,
            label: `spectrogram CNN${where(seed)}: epoch ${e.epoch} / ${settings.epochs} · F1 ${e.f1?.toFixed(3)} · ${e.seconds.toFixed(1)} s`,
          }),
        (done, count) =>
          this.onProgress({
            fraction: before / total,
            label: `log-mel spectrograms: clip ${done} / ${count}`,
          }),
      ).catch((err: unknown) => {
        // a stop while spectrograms are computed ends the worker's job with an error
        throw this.stopped ? new ExperimentStopped() : err;
      });
      if (cnn.stopped || this.stopped) throw new ExperimentStopped();
      this.count(settings.epochs, t0);
      cnns.push(cnn);
    }
    const f1 = (h: readonly AudioEpoch[]) => h.at(-1)?.f1 ?? NaN;
    const rows = [
      sceneF1Row(
        mlpData,
        { values: mlps.map((m) => f1(m.history)), scores: mlps[0].scores },
        { values: cnns.map((c) => f1(c.history)), scores: cnns[0].scores },
        settings.seed,
      ),
    ];
    const epochSeconds = mean(cnns.flatMap((c) => c.history.map((e) => e.seconds)));
    const shape = [CNN_MEL_BANDS, CNN_FRAMES, 1];
    const mlpCurves = mlps.map((m) => sceneEpochRecords(m.history));
    const cnnCurves = cnns.map((c) => sceneEpochRecords(c.history));
    const cnnParameters = cnns[0].parameters;
    const backend = cnns[0].backend ?? null;
    return savePair(
      projectId,
      'audio-cnn',
      {
        label: '193-feature MLP (improved)',
        kind: 'scenes (audio features)',
        config: {
          input: 'audio features',
          labels: labels.names,
          seeds,
          seedCurves: seedCurves(seeds, mlpCurves),
        },
        epochs: meanCurves(mlpCurves),
        state: 'done',
      },
      {
        label: `log-mel CNN ${shape.join('×')}`,
        kind: 'scenes (log-mel CNN)',
        config: {
          input: `log-mel spectrogram ${shape.join(' × ')}`,
          labels: labels.names,
          backend,
          parameters: cnnParameters,
          seeds,
          seedCurves: seedCurves(seeds, cnnCurves),
        },
        epochs: meanCurves(cnnCurves),
        state: 'done',
      },
      {
        experiment: 'audio-cnn',
        split:
          'both arms: ' +
          describeSplit(labels.split) +
          (labels.split.note ? ` (${labels.split.note})` : ''),
        seeds,
        inherited,
        rows,
        settings: {
          ...settings,
          inputShape: shape,
          cnnParameters,
          cnnEpochSeconds: epochSeconds,
          backend,
          learningRate: cnnConfig.learningRate,
          batchSize: cnnConfig.batchSize,
          secondsPerEpoch: this.secondsPerEpoch(),
        },
      },
    );
  }
}
