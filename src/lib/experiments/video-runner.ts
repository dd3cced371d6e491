/**
 * The Beyond-the-paper video experiments that train the autoencoder itself: switch unpooling vs the
 * paper's upsampling decoder, training with vs without augmentation, and 128×72 vs 64×36 frames.
 * Both arms train on the same split of the project's stored sequences, one after the other, in the
 * training worker (WebGPU, else CPU: never wasm, whose conv3d gradients are wrong), and are saved
 * as a linked run pair with a result table.
 *
 * Switch unpooling and augmentation change how the encoder is trained, so their arms also keep
 * their autoencoder (model + final checkpoint, linked from the arm's run): each arm's frozen
 * encoder then encodes the project's labelled / measured sequences through the ordinary encoding
 * cache, and a scene head and a gas head train on each arm's own encodings (same split, seed and
 * settings), adding scene F1 and gas MAE to the table. The 128×72 arm keeps nothing: its frames are
 * resized on the fly, which the encoding cache does not do.
 */
import type { BackendName } from '../compute/backend';
import { RESOLUTIONS, type Resolution } from '../shapes';
import type { RunRecord } from '../store/schema';
import type { EpochResult } from '../training/loop';
import { PAPER_OPTIMIZER, type OptimizerConfig } from '../training/optimizer';
import { TrainingClient } from '../training/client';
import {
  ARM_RUN_ID,
  DEFAULT_TRAINING_CONFIG,
  type ArmRequest,
  type EncoderRef,
  type HeadArmRequest,
  type TrainingConfig,
  type TrainingEvent,
} from '../training/protocol';
import { buildGasDataset, buildLabelDataset } from '../study/studyStore';
import type { GasDataset, LabelDataset } from '../study/dataset';
import { discardModel } from '../store/runs';
import { DEFAULT_AUGMENT } from '../training/augment';
import {
  METRICS,
  compareExact,
  compareSamples,
  type ExperimentKind,
  type MetricDefinition,
  type ResultRow,
} from './comparison';
import { unpairedRowInterval } from './uncertainty';
import { savePair, type ArmRun, type StoredComparison } from './run-pair';
import { ExperimentStopped, type ExperimentProgress } from './arm-training';

export type VideoExperiment = Extract<
  ExperimentKind,
  'switch-unpooling' | 'augmentation' | 'resolution'
>;

export const VIDEO_EXPERIMENTS: readonly VideoExperiment[] = [
  'switch-unpooling',
  'augmentation',
  'resolution',
];

export function isVideoExperiment(kind: ExperimentKind): kind is VideoExperiment {
  return (VIDEO_EXPERIMENTS as readonly ExperimentKind[]).includes(kind);
}

export interface VideoSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  /** > 0: only the first sequences of each movie (a quick look); 0: all of them. */
  sequencesPerMovie: number;
  /**
   * The paper's batch norm. Off by default: its moving statistics (momentum 0.99) need hundreds of
   * steps, so after a few epochs the validation loss measures them, not the decoder.
   */
  batchNorm: boolean;
  optimizer: OptimizerConfig;
  /** Backends to try; never wasm. */
  backends: BackendName[];
  /** Switch unpooling, augmentation: epochs of each downstream head per arm (0: no heads). */
  headEpochs: number;
  /** Width of the heads' hidden Dense layer; 0: the paper's (1024 scenes, 512 gases). */
  headUnits: number;
}

/** Small enough for the demo project on a laptop; the paper trained far longer. */
export const DEFAULT_VIDEO_SETTINGS: VideoSettings = {
  epochs: 2,
  batchSize: 4,
  seed: 1,
  sequencesPerMovie: 0,
  batchNorm: false,
  optimizer: PAPER_OPTIMIZER,
  backends: ['webgpu', 'cpu'],
  headEpochs: 5,
  headUnits: 0,
};

/**
 * The heads' batch-norm momentum for a run of `steps` batches: the moving statistics average about
 * the last tenth of the run (Keras's 0.99 from 1,000 steps on, at least 0.5). With Keras's 0.99 a
 * short run leaves them near their initial values, and validation would measure them, not the
 * encoder.
 */
export function headBnMomentum(steps: number): number {
  return Math.min(0.99, Math.max(0.5, 1 - 10 / steps));
}

/** The experiments whose arms train different encoders, so the heads can tell them apart. */
function hasDownstream(experiment: VideoExperiment): boolean {
  return experiment !== 'resolution';
}

/** One head's dataset, the same for both arms. */
interface HeadData {
  kind: 'scenes' | 'gases';
  dataset: LabelDataset | GasDataset;
  split: string;
}

/**
 * The scene and gas datasets the heads train on, limited like the arms to the first sequences of
 * each movie; a head whose data the project lacks (no labels, no screenings, nothing to validate)
 * is left out.
 */
async function headData(projectId: string, settings: VideoSettings): Promise<HeadData[]> {
  if (settings.headEpochs < 1) return [];
  const options = { sequencesPerMovie: settings.sequencesPerMovie };
  const labels = await buildLabelDataset(projectId, options);
  const gases = await buildGasDataset(projectId, options);
  const out: HeadData[] = [];
  const usable = (d: LabelDataset | GasDataset) =>
    d.rows.length > 0 && d.split.train.length > 0 && d.split.validation.length > 0;
  if (usable(labels) && labels.names.length) {
    const { names, rows, y, split } = labels;
    out.push({
      kind: 'scenes',
      dataset: { names, rows, y, split },
      split: `${split.train.length} train / ${split.validation.length} validation`,
    });
  }
  if (usable(gases)) {
    const { chemicals, rows, y, split } = gases;
    out.push({
      kind: 'gases',
      dataset: { chemicals, rows, y, split },
      split: `${split.train.length} train / ${split.validation.length} validation`,
    });
  }
  return out;
}

/** Progress over a run's jobs, in epochs: `report` within the current job, `finish` ends it. */
class Progress {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress: (p: ExperimentProgress) => void,
  ) {}

  report(epochs: number, label: string): void {
    this.onProgress({ fraction: (this.done + epochs) / this.total, label });
  }

  finish(epochs: number): void {
    this.done += epochs;
  }
}

/**
 * Trains one arm (or a head on an arm's encoder), passing on its events; resolves once its final
 * 'state' (or 'error') came.
 */
export type TrainVideoArm = (
  req: ArmRequest | HeadArmRequest,
  onEvent: (e: TrainingEvent) => void,
) => Promise<void>;

/** Trains arms in the training worker, one worker per arm. */
export class WorkerArms {
  private client: TrainingClient | null = null;
  private finish: (() => void) | null = null;

  readonly train: TrainVideoArm = (req, onEvent) =>
    new Promise<void>((resolve) => {
      this.finish = resolve;
      this.client = new TrainingClient((e) => {
        if (e.type === 'estimate') return;
        if (e.type === 'cancelled') return resolve();
        onEvent(e);
        if ((e.type === 'state' && e.state !== 'running') || e.type === 'error') resolve();
      });
      this.client.arm(req);
    });

  /** The worker is told to stop and terminated if it does not; the arm's promise then settles. */
  stop(): void {
    this.client?.stop();
    const finish = this.finish;
    setTimeout(() => finish?.(), 2000);
  }
}

interface ArmSpec {
  label: string;
  config: Partial<TrainingConfig>;
  resolution?: Resolution;
}

function armsOf(experiment: VideoExperiment): [ArmSpec, ArmSpec] {
  if (experiment === 'switch-unpooling') {
    return [
      { label: 'upsampling decoder', config: { decoder: 'upsampling' } },
      { label: 'switch unpooling', config: { decoder: 'switch' } },
    ];
  }
  if (experiment === 'augmentation') {
    return [
      { label: 'no augmentation', config: {} },
      { label: 'augmented batches', config: { augment: { ...DEFAULT_AUGMENT } } },
    ];
  }
  return [
    { label: '64×36', config: {}, resolution: RESOLUTIONS['64x36'] },
    { label: '128×72', config: {}, resolution: RESOLUTIONS['128x72'] },
  ];
}

interface ArmOutcome {
  epochs: EpochResult[];
  backend: string | null;
  /** The kept autoencoder, whose encoder the heads train on. */
  encoder: EncoderRef | null;
  /** Each head's last epoch on this arm's encoder. */
  heads: Partial<Record<HeadData['kind'], EpochResult>>;
}

/** A head's final validation metric, NaN when that head did not run. */
function headMetric(arm: ArmOutcome, kind: HeadData['kind'], key: 'f1' | 'mae'): number {
  const v = arm.heads[kind]?.metrics[key];
  return typeof v === 'number' ? v : NaN;
}

/** What the arm's encoder gave downstream, kept in its run's config. */
function downstreamOf(arm: ArmOutcome): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(arm.heads).map(([kind, e]) => [
      kind,
      { epoch: e.epoch, loss: e.loss, valLoss: e.valLoss, ...e.metrics },
    ]),
  );
}

/**
 * One seed's figure per arm: no interval (the video arms train one seed each, and the worker
 * reports no per-row values), so no verdict is claimed.
 */
function oneSeed(metric: MetricDefinition, b: number, v: number, rows: number): ResultRow {
  return compareSamples(metric, { values: [b], rows }, { values: [v], rows });
}

function last(arm: ArmOutcome, pick: (e: EpochResult) => unknown): number {
  const v = pick(arm.epochs.at(-1)!);
  return typeof v === 'number' ? v : NaN;
}

function meanSeconds(arm: ArmOutcome): number {
  return arm.epochs.reduce((s, e) => s + e.seconds, 0) / arm.epochs.length;
}

/**
 * The result table: reconstruction loss, then the downstream heads' scene F1 and gas MAE when
 * they ran, or the costs for the resolution pair.
 */
export function videoRows(
  experiment: VideoExperiment,
  b: ArmOutcome,
  v: ArmOutcome,
  headRows: Partial<Record<HeadData['kind'], number>> = {},
): ResultRow[] {
  const validationRows = Number(b.epochs[0]?.metrics.validationSequences ?? NaN);
  const loss = oneSeed(
    METRICS.reconstruction,
    last(b, (e) => e.valLoss),
    last(v, (e) => e.valLoss),
    validationRows,
  );
  if (experiment !== 'resolution') {
    const rows = [loss];
    if (b.heads.scenes && v.heads.scenes) {
      const n = headRows.scenes ?? NaN;
      rows.push(
        oneSeed(METRICS.headF1, headMetric(b, 'scenes', 'f1'), headMetric(v, 'scenes', 'f1'), n),
      );
    }
    if (b.heads.gases && v.heads.gases) {
      const n = headRows.gases ?? NaN;
      rows.push(
        oneSeed(METRICS.headMae, headMetric(b, 'gases', 'mae'), headMetric(v, 'gases', 'mae'), n),
      );
    }
    return rows;
  }
  const metric = (key: string) => [last(b, (e) => e.metrics[key]), last(v, (e) => e.metrics[key])];
  const [pb, pv] = metric('parameters');
  const [ab, av] = metric('activationBytes');
  const [mb, mv] = metric('memoryBytes');
  const seconds = (arm: ArmOutcome) => arm.epochs.map((e) => e.seconds);
  return [
    compareExact(METRICS.parameters, pb, pv),
    compareExact(METRICS.activationBytes, ab, av),
    oneSeed(METRICS.memoryBytes, mb, mv, NaN),
    // Epoch times vary run to run: the interval resamples each arm's epochs.
    compareSamples(
      METRICS.epochSeconds,
      { values: [meanSeconds(b)], rows: NaN },
      { values: [meanSeconds(v)], rows: NaN },
      { rowInterval: () => unpairedRowInterval(seconds(b), seconds(v), 1) },
    ),
    loss,
  ];
}

export class VideoExperimentRunner {
  private stopped = false;

  constructor(
    private readonly train: TrainVideoArm,
    private readonly onProgress: (p: ExperimentProgress) => void = () => undefined,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(
    experiment: VideoExperiment,
    projectId: string,
    settings: VideoSettings = DEFAULT_VIDEO_SETTINGS,
  ): Promise<StoredComparison> {
    this.stopped = false;
    if (!(settings.epochs >= 1)) throw new Error('Train each arm for at least one epoch.');
    if (!(settings.batchSize >= 1)) throw new Error('The batch size must be at least 1.');
    if (!(settings.headEpochs >= 0)) throw new Error('Head epochs must be 0 or more.');
    if (settings.backends.some((b) => (b as string) === 'wasm')) {
      throw new Error('Video models never train on wasm: its conv3d gradients are wrong.');
    }
    const specs = armsOf(experiment);
    const heads = hasDownstream(experiment) ? await headData(projectId, settings) : [];
    const progress = new Progress(
      2 * settings.epochs + 2 * heads.length * settings.headEpochs,
      this.onProgress,
    );
    const outcomes: ArmOutcome[] = [];
    try {
      for (const [role, spec] of (['baseline', 'variant'] as const).map(
        (r, i) => [r, specs[i]] as const,
      )) {
        const keep = heads.length ? { name: `${experiment} · ${role}: ${spec.label}` } : undefined;
        outcomes.push(await this.trainArm(projectId, spec, settings, progress, keep));
      }
      for (const [i, o] of outcomes.entries()) {
        for (const head of heads) {
          o.heads[head.kind] = await this.trainHead(
            projectId,
            specs[i].label,
            o,
            head,
            settings,
            progress,
          );
        }
      }
    } catch (err) {
      for (const o of outcomes) {
        if (o.encoder) await discardModel(o.encoder.modelId).catch(() => undefined);
      }
      throw err;
    }
    const [b, v] = outcomes;
    const facts = b.epochs[0].metrics;
    const split =
      `last 20 % of each movie's sequences validate (${String(facts.trainSequences)} train / ` +
      `${String(facts.validationSequences)} validation)` +
      heads.map((h) => `; ${h.kind === 'scenes' ? 'scene' : 'gas'} heads: ${h.split}`).join('');
    const armRun = (spec: ArmSpec, o: ArmOutcome): ArmRun => ({
      label: spec.label,
      kind: 'autoencoder experiment',
      config: {
        ...spec.config,
        ...(spec.resolution ? { resolution: spec.resolution } : {}),
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        backend: o.backend,
        ...(heads.length ? { downstream: downstreamOf(o) } : {}),
      },
      ...(o.encoder ? { modelId: o.encoder.modelId } : {}),
      epochs: o.epochs.map((e) => ({ ...e })),
      state: 'done',
    });
    try {
      return await savePair(projectId, experiment, armRun(specs[0], b), armRun(specs[1], v), {
        experiment,
        split,
        seeds: [settings.seed],
        rows: videoRows(
          experiment,
          b,
          v,
          Object.fromEntries(heads.map((h) => [h.kind, h.dataset.split.validation.length])),
        ),
        settings: { ...settings, backend: b.backend },
      });
    } catch (err) {
      for (const o of outcomes) {
        if (o.encoder) await discardModel(o.encoder.modelId).catch(() => undefined);
      }
      throw err;
    }
  }

  /** Runs one job in the worker; resolves with its epochs once it ended well, else throws. */
  private async job(
    req: ArmRequest | HeadArmRequest,
    label: string,
    epochs: number,
    progress: Progress,
  ): Promise<ArmOutcome> {
    if (this.stopped) throw new ExperimentStopped();
    const outcome: ArmOutcome = { epochs: [], backend: null, encoder: null, heads: {} };
    let final: { state: RunRecord['state']; message?: string } | null = null;
    await this.train(req, (e) => {
      if (e.type === 'backend') outcome.backend = e.info.name;
      else if (e.type === 'progress') {
        progress.report(
          e.epoch + e.batch / e.batches,
          `${label}: epoch ${e.epoch + 1} / ${epochs}, batch ${e.batch} / ${e.batches} · loss ${e.loss.toFixed(4)}`,
        );
      } else if (e.type === 'phase') progress.report(0, `${label}: ${e.text}`);
      else if (e.type === 'epoch' && e.runId === ARM_RUN_ID) outcome.epochs.push(e.result);
      else if (e.type === 'kept') outcome.encoder = e.encoder;
      else if (e.type === 'state' && e.state !== 'running') {
        final = { state: e.state, message: e.message };
      } else if (e.type === 'error') final = { state: 'failed', message: e.message };
    });
    progress.finish(epochs);
    const end = final as { state: RunRecord['state']; message?: string } | null;
    const stopped = this.stopped || !end || end.state === 'stopped';
    if (stopped || end.state !== 'done') {
      if (outcome.encoder) await discardModel(outcome.encoder.modelId).catch(() => undefined);
      if (stopped) throw new ExperimentStopped();
      throw new Error(`${label}: ${end.message ?? end.state}`);
    }
    if (!outcome.epochs.length || outcome.epochs.some((e) => e.valLoss === null)) {
      throw new Error(`${label}: no validation sequences; the project needs more sequences.`);
    }
    return outcome;
  }

  private async trainArm(
    projectId: string,
    spec: ArmSpec,
    settings: VideoSettings,
    progress: Progress,
    keep: ArmRequest['keep'],
  ): Promise<ArmOutcome> {
    const config: TrainingConfig = {
      ...DEFAULT_TRAINING_CONFIG,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      seed: settings.seed,
      shuffle: true,
      batchNorm: settings.batchNorm,
      optimizer: settings.optimizer,
      backends: settings.backends,
      ...spec.config,
    };
    const request: ArmRequest = {
      type: 'arm',
      projectId,
      config,
      ...(spec.resolution ? { resolution: spec.resolution } : {}),
      sequencesPerMovie: settings.sequencesPerMovie,
      ...(keep ? { keep } : {}),
    };
    const outcome = await this.job(request, spec.label, settings.epochs, progress);
    if (keep && !outcome.encoder) throw new Error(`${spec.label}: the autoencoder was not kept.`);
    return outcome;
  }

  /** The head of `data` on the arm's own frozen encoder; the same settings for every arm. */
  private async trainHead(
    projectId: string,
    armLabel: string,
    arm: ArmOutcome,
    data: HeadData,
    settings: VideoSettings,
    progress: Progress,
  ): Promise<EpochResult> {
    const request: HeadArmRequest = {
      type: 'head-arm',
      kind: data.kind,
      projectId,
      encoder: arm.encoder!,
      dataset: data.dataset,
      config: {
        ...DEFAULT_TRAINING_CONFIG,
        epochs: settings.headEpochs,
        batchSize: settings.batchSize,
        seed: settings.seed,
        shuffle: true,
        optimizer: settings.optimizer,
        backends: settings.backends,
        ...(settings.headUnits > 0 ? { units: settings.headUnits } : {}),
        bnMomentum: headBnMomentum(
          settings.headEpochs * Math.ceil(data.dataset.split.train.length / settings.batchSize),
        ),
      },
    };
    const label = `${data.kind === 'scenes' ? 'scene' : 'gas'} head on ${armLabel}`;
    const outcome = await this.job(request, label, settings.headEpochs, progress);
    return outcome.epochs.at(-1)!;
  }
}
