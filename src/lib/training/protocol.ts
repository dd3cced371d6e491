/**
 * The one message protocol between the page and the training worker. The page starts or resumes
 * a run and may ask it to stop; the worker reports the backend it got, batch progress with memory
 * in use, every finished epoch, and state changes. Stop is also enforced by the client terminating
 * the worker, so it is immediate even in the middle of a long step.
 */
import type { BackendInfo, BackendName } from '../compute/backend';
import type { LabelDataset, GasDataset } from '../study/dataset';
import type { OptimizerConfig } from './optimizer';
import type { BatchInfo, EpochResult } from './loop';
import type { RunRecord } from '../store/schema';
import type { EncoderRef } from '../store/runs';
import type { Resolution } from '../shapes';
import type { AugmentOptions } from './augment';

export type TrainingKind = 'autoencoder' | 'scenes' | 'gases';

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  shuffle: boolean;
  seed: number;
  /** Autoencoder only. */
  batchNorm?: boolean;
  /** Autoencoder only: fraction of each movie's last sequences held out for validation. */
  validationFraction?: number;
  /** Heads only: width of the hidden Dense layer (default: the paper's 1024 / 512). */
  units?: number;
  /**
   * Heads only: momentum of the batch norm's moving statistics (Keras's 0.99 by default). With few
   * batches per epoch they lag the batch statistics and validation suffers; a lower value helps.
   */
  bnMomentum?: number;
  /** Backends to try, in order (default webgpu → webgl → cpu). */
  backends?: BackendName[];
  /** Autoencoder only: the paper's nearest-neighbour upsampling decoder, or switch unpooling. */
  decoder?: AutoencoderDecoder;
  /** Autoencoder only: augments every training batch on the backend (never validation). */
  augment?: AugmentOptions;
}

export type AutoencoderDecoder = 'upsampling' | 'switch';

/**
 * One arm of a video experiment (Beyond the paper): an autoencoder trained like 'start' on the
 * same split, but nothing is stored — epochs stream back as 'epoch' events with runId ARM_RUN_ID,
 * and a final 'state' event ends it. Stored frames are resized on the backend when `resolution`
 * differs from theirs; `sequencesPerMovie` (> 0) keeps the first ones of each movie.
 */
export interface ArmRequest {
  type: 'arm';
  projectId: string;
  config: TrainingConfig;
  resolution?: Resolution;
  sequencesPerMovie?: number;
  /**
   * Keep the trained autoencoder: its model record and final checkpoint are stored (a 'kept' event
   * names them) so its frozen encoder can feed heads like any autoencoder's. Stored frame size only.
   */
  keep?: { name: string };
}

/**
 * A head trained like 'start' on the encodings of `encoder` (e.g. a kept experiment arm), but
 * nothing is stored except the encoding cache: epochs stream back with runId ARM_RUN_ID.
 */
export interface HeadArmRequest {
  type: 'head-arm';
  kind: 'scenes' | 'gases';
  projectId: string;
  config: TrainingConfig;
  encoder: EncoderRef;
  dataset: LabelDataset | GasDataset;
}

export const ARM_RUN_ID = 'experiment-arm';

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  epochs: 10,
  batchSize: 16,
  optimizer: { name: 'adadelta', learningRate: 1 },
  shuffle: false,
  seed: 1,
  batchNorm: true,
  validationFraction: 0.2,
};

/** Which autoencoder checkpoint the heads' frozen encoder comes from. */
export type { EncoderRef };

export type StartRequest =
  | { type: 'start'; kind: 'autoencoder'; projectId: string; name: string; config: TrainingConfig }
  | {
      type: 'start';
      kind: 'scenes';
      projectId: string;
      name: string;
      config: TrainingConfig;
      encoder: EncoderRef;
      dataset: LabelDataset;
    }
  | {
      type: 'start';
      kind: 'gases';
      projectId: string;
      name: string;
      config: TrainingConfig;
      encoder: EncoderRef;
      dataset: GasDataset;
    };

/**
 * The backends a job tries, as the page resolved them ("automatic" becomes the measured choice);
 * overrides `config.backends`, which keeps what the user chose.
 */
export interface BackendOverride {
  backends?: BackendName[];
}

export type TrainingRequest =
  | (StartRequest & BackendOverride)
  /** Continue a paused or stopped run from its last checkpoint (datasets as when it started). */
  | ({ type: 'resume'; runId: string; dataset?: LabelDataset | GasDataset } & BackendOverride)
  | (ArmRequest & BackendOverride)
  | (HeadArmRequest & BackendOverride)
  | { type: 'stop' };

export interface MemoryInfo {
  /** Bytes held by live tensors: in GPU buffers when `gpu`, else in the worker's heap. */
  bytes: number;
  /** GPU backends: bytes allocated, including tfjs's pool of free buffers kept for reuse. */
  allocated: number | null;
  gpu: boolean;
  tensors: number;
}

/**
 * Stages before training proper, in order: the page choosing (and perhaps measuring) the backend,
 * the worker starting it, reading the sequences, building the model, then the first batch, which
 * compiles the GPU programs. 'encoding' is the heads' frozen encoder filling its cache.
 */
export type TrainingPhase =
  'choosing-backend' | 'starting-backend' | 'loading' | 'building' | 'encoding' | 'first-batch';

export type TrainingEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'run'; run: RunRecord }
  /** What the job is doing before its first batch (and between a run's stages). */
  | { type: 'phase'; phase: TrainingPhase; text: string }
  | ({ type: 'progress'; memory: MemoryInfo } & BatchInfo)
  | { type: 'epoch'; runId: string; result: EpochResult }
  /** An experiment arm's autoencoder was stored (ArmRequest.keep). */
  | { type: 'kept'; encoder: EncoderRef }
  | { type: 'state'; runId: string; state: RunRecord['state']; message?: string }
  | { type: 'error'; message: string };
