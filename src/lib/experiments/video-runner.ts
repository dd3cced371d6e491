/**
 * The video experiments of issue 10 that train the autoencoder itself: switch unpooling vs the
 * paper's upsampling decoder, training with vs without augmentation, and 128×72 vs 64×36 frames.
 * Both arms train on the same split of the project's stored sequences, one after the other, in the
 * training worker (WebGPU, else CPU: never wasm, whose conv3d gradients are wrong), and are saved
 * as a linked run pair with a result table. Arms store no weights (see run-pair.ts).
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
  type TrainingConfig,
  type TrainingEvent,
} from '../training/protocol';
import { DEFAULT_AUGMENT } from './augment';
import { METRICS, compareMetric, type ExperimentKind, type ResultRow } from './comparison';
import { savePair, type ArmRun, type StoredComparison } from './run-pair';
import { ExperimentStopped, type ExperimentProgress } from './runner';

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
};

/** Trains one arm, passing on its events; resolves once its final 'state' (or 'error') came. */
export type TrainVideoArm = (req: ArmRequest, onEvent: (e: TrainingEvent) => void) => Promise<void>;

/** Trains arms in the training worker, one worker per arm. */
export class WorkerArms {
  private client: TrainingClient | null = null;
  private finish: (() => void) | null = null;

  readonly train: TrainVideoArm = (req, onEvent) =>
    new Promise<void>((resolve) => {
      this.finish = resolve;
      this.client = new TrainingClient((e) => {
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
}

const VALIDATION_LOSS = {
  name: 'validation reconstruction loss',
  direction: 'lower',
} as const;

function last(arm: ArmOutcome, pick: (e: EpochResult) => unknown): number {
  const v = pick(arm.epochs.at(-1)!);
  return typeof v === 'number' ? v : NaN;
}

function meanSeconds(arm: ArmOutcome): number {
  return arm.epochs.reduce((s, e) => s + e.seconds, 0) / arm.epochs.length;
}

/** The result table: reconstruction loss, plus the costs for the resolution pair. */
export function videoRows(experiment: VideoExperiment, b: ArmOutcome, v: ArmOutcome): ResultRow[] {
  const loss = compareMetric(
    VALIDATION_LOSS,
    last(b, (e) => e.valLoss),
    last(v, (e) => e.valLoss),
  );
  if (experiment !== 'resolution') return [loss];
  const metric = (key: string) => [last(b, (e) => e.metrics[key]), last(v, (e) => e.metrics[key])];
  const [pb, pv] = metric('parameters');
  const [ab, av] = metric('activationBytes');
  const [mb, mv] = metric('memoryBytes');
  return [
    compareMetric({ name: 'parameters', direction: 'lower' }, pb, pv),
    compareMetric({ name: 'activation memory per sequence (bytes)', direction: 'lower' }, ab, av),
    compareMetric({ name: 'tensor memory between steps (bytes)', direction: 'lower' }, mb, mv),
    compareMetric(METRICS.epochSeconds, meanSeconds(b), meanSeconds(v)),
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
    if (settings.backends.some((b) => (b as string) === 'wasm')) {
      throw new Error('Video models never train on wasm: its conv3d gradients are wrong.');
    }
    const specs = armsOf(experiment);
    const outcomes: ArmOutcome[] = [];
    for (const [i, spec] of specs.entries()) {
      outcomes.push(await this.trainArm(projectId, spec, settings, i));
    }
    const [b, v] = outcomes;
    const facts = b.epochs[0].metrics;
    const split =
      `last 20 % of each movie's sequences validate (${String(facts.trainSequences)} train / ` +
      `${String(facts.validationSequences)} validation)`;
    const armRun = (spec: ArmSpec, o: ArmOutcome): ArmRun => ({
      label: spec.label,
      kind: 'autoencoder experiment',
      config: {
        ...spec.config,
        ...(spec.resolution ? { resolution: spec.resolution } : {}),
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        backend: o.backend,
      },
      epochs: o.epochs.map((e) => ({ ...e })),
      state: 'done',
    });
    return savePair(projectId, experiment, armRun(specs[0], b), armRun(specs[1], v), {
      experiment,
      split,
      rows: videoRows(experiment, b, v),
      settings: { ...settings, backend: b.backend },
    });
  }

  private async trainArm(
    projectId: string,
    spec: ArmSpec,
    settings: VideoSettings,
    index: number,
  ): Promise<ArmOutcome> {
    if (this.stopped) throw new ExperimentStopped();
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
    const outcome: ArmOutcome = { epochs: [], backend: null };
    let final: { state: RunRecord['state']; message?: string } | null = null;
    const total = 2 * settings.epochs;
    await this.train(
      {
        type: 'arm',
        projectId,
        config,
        ...(spec.resolution ? { resolution: spec.resolution } : {}),
        sequencesPerMovie: settings.sequencesPerMovie,
      },
      (e) => {
        if (e.type === 'backend') outcome.backend = e.info.name;
        else if (e.type === 'progress') {
          this.onProgress({
            fraction: (index * settings.epochs + e.epoch + e.batch / e.batches) / total,
            label: `${spec.label}: epoch ${e.epoch + 1} / ${settings.epochs}, batch ${e.batch} / ${e.batches} · loss ${e.loss.toFixed(4)}`,
          });
        } else if (e.type === 'epoch' && e.runId === ARM_RUN_ID) outcome.epochs.push(e.result);
        else if (e.type === 'state' && e.state !== 'running') {
          final = { state: e.state, message: e.message };
        } else if (e.type === 'error') final = { state: 'failed', message: e.message };
      },
    );
    const end = final as { state: RunRecord['state']; message?: string } | null;
    if (this.stopped || !end || end.state === 'stopped') throw new ExperimentStopped();
    if (end.state !== 'done') throw new Error(`${spec.label}: ${end.message ?? end.state}`);
    if (!outcome.epochs.length || outcome.epochs.some((e) => e.valLoss === null)) {
      throw new Error(`${spec.label}: no validation sequences; the project needs more sequences.`);
    }
    return outcome;
  }
}
