/**
 * What a training run stores about its model and data (`ModelRecord.meta`): the kind of network
 * and its settings, each sequence's rows, the fixed train / validation split and the heads'
 * targets; and what is derived from it: the network itself, the loop's plan and the per-epoch
 * task metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { maxBufferBytes } from '../compute/backend';
import { listMovies } from '../store/movies';
import { CHANNELS, FRAMES_PER_SEQUENCE } from '../shapes';
import {
  BN_EPSILON,
  BN_MOMENTUM,
  buildAutoencoder,
  encodedSize,
  type SequenceShape,
} from '../models/autoencoder';
import { buildSceneHead } from '../models/scene-head';
import { buildGasHead } from '../models/gas-head';
import { BatchNormalization } from '../models/layers';
import { buildSwitchAutoencoder } from '../models/switch-autoencoder';
import { multiLabelReport } from '../metrics/classification';
import {
  maeByGroup,
  meanAbsoluteError as maeReport,
  trainingMeanPrediction,
} from '../metrics/regression';
import type { GasDataset, LabelDataset, SequenceRef } from '../study/dataset';
import { binaryCrossentropy, meanAbsoluteError } from './losses';
import type { BatchLoader } from './loop';
import { getModel } from '../store/runs';
import type {
  AutoencoderDecoder,
  EncoderRef,
  HeadArmRequest,
  StartRequest,
  TrainingConfig,
  TrainingKind,
} from './protocol';

export interface ModelMeta {
  kind: TrainingKind;
  batchNorm?: boolean;
  /** Autoencoder: absent in the notebook's own runs (the paper's upsampling). */
  decoder?: AutoencoderDecoder;
  inputShape?: SequenceShape;
  outputs?: number;
  inputDim?: number;
  /** Heads: width of the hidden Dense layer (absent in runs from before it was a setting). */
  units?: number;
  bnMomentum?: number;
  /** Seed of the initial weights (the run's seed), so a run can be repeated exactly. */
  seed?: number;
  encoder?: EncoderRef;
  /** Each sequence's rows: which rows train and validate, fixed when the run starts. */
  rows: SequenceRef[];
  train: number[];
  validation: number[];
  /** Targets (heads), rows × outputs. */
  y?: number[];
  names?: string[];
}

export function buildModel(meta: ModelMeta): tf.LayersModel {
  if (meta.kind === 'autoencoder' && meta.decoder === 'switch') {
    const [frames, height, width] = meta.inputShape!;
    const normalize = (name: string) =>
      new BatchNormalization({ epsilon: BN_EPSILON, momentum: BN_MOMENTUM, name });
    return buildSwitchAutoencoder({
      resolution: { width, height },
      frames,
      seed: meta.seed,
      ...((meta.batchNorm ?? true) ? { normalize } : {}),
    }).autoencoder;
  }
  if (meta.kind === 'autoencoder') {
    return buildAutoencoder({
      batchNorm: meta.batchNorm ?? true,
      inputShape: meta.inputShape,
      seed: meta.seed,
    });
  }
  const opts = {
    inputDim: meta.inputDim,
    units: meta.units,
    bnMomentum: meta.bnMomentum,
    seed: meta.seed,
    maxBufferBytes: maxBufferBytes(),
  };
  return meta.kind === 'scenes'
    ? buildSceneHead(meta.outputs!, opts)
    : buildGasHead(meta.outputs!, opts);
}

/**
 * The autoencoder's rows: every decoded sequence of the project (or the first
 * `sequencesPerMovie` of each movie), each movie's last ones held out for validation.
 */
export async function autoencoderRows(
  req: Pick<StartRequest, 'projectId' | 'config'>,
  sequencesPerMovie = 0,
): Promise<ModelMeta> {
  const movies = (await listMovies(req.projectId)).filter((m) => m.sequencesDone > 0);
  if (!movies.length) throw new Error('No decoded movie in this project: add a movie first.');
  const { width, height } = movies[0].settings;
  if (movies.some((m) => m.settings.width !== width || m.settings.height !== height)) {
    throw new Error('All movies must have the same frame size to train one autoencoder.');
  }
  const fraction = req.config.validationFraction ?? 0.2;
  const rows: SequenceRef[] = [];
  const train: number[] = [];
  const validation: number[] = [];
  for (const m of movies) {
    const count =
      sequencesPerMovie > 0 ? Math.min(sequencesPerMovie, m.sequencesDone) : m.sequencesDone;
    const firstVal = count - Math.round(count * fraction);
    for (let i = 0; i < count; i++) {
      (i >= firstVal ? validation : train).push(rows.length);
      rows.push({ movieId: m.id, index: i });
    }
  }
  return {
    kind: 'autoencoder',
    batchNorm: req.config.batchNorm ?? true,
    decoder: req.config.decoder,
    inputShape: [FRAMES_PER_SEQUENCE, height, width, CHANNELS],
    seed: req.config.seed,
    rows,
    train,
    validation,
  };
}

/** What every training job tells runEpochs: model, loss, split, batches and epochs to run. */
export function epochPlan(
  meta: Pick<ModelMeta, 'kind' | 'train' | 'validation'>,
  config: TrainingConfig,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  load: BatchLoader,
  fromEpoch = 0,
) {
  return {
    model,
    optimizer,
    loss: meta.kind === 'gases' ? meanAbsoluteError : binaryCrossentropy,
    load,
    train: meta.train,
    validation: meta.validation,
    batchSize: config.batchSize,
    shuffle: config.shuffle,
    seed: config.seed,
    fromEpoch,
    toEpoch: config.epochs,
  };
}

/**
 * Values per sequence at the output of the autoencoder's encoder: the heads' input width, which
 * depends on the frame size the autoencoder was trained on (64,512 only at 64×36).
 */
export async function encoderInputDim(ref: EncoderRef): Promise<number> {
  const record = await getModel(ref.modelId);
  if (!record) throw new Error('The autoencoder for the encoder is no longer stored.');
  const shape = (record.meta as unknown as ModelMeta).inputShape;
  if (!shape) {
    throw new Error(
      `“${record.name}” was not trained in this notebook: its encoder cannot feed a head here.`,
    );
  }
  return encodedSize(shape);
}

export function headRows(
  req: Pick<HeadArmRequest, 'kind' | 'config' | 'encoder' | 'dataset'>,
  inputDim: number,
): ModelMeta {
  const d: LabelDataset | GasDataset = req.dataset;
  const names = 'names' in d ? d.names : d.chemicals;
  return {
    kind: req.kind,
    outputs: names.length,
    names,
    inputDim,
    units: req.config.units || undefined,
    bnMomentum: req.config.bnMomentum ?? undefined,
    seed: req.config.seed,
    encoder: req.encoder,
    rows: d.rows.map((r) => ({ movieId: r.movieId, index: r.index })),
    train: d.split.train,
    validation: d.split.validation,
    y: Array.from(d.y),
  };
}

/** Movie names by id for per-movie metrics; a name shared by two movies keeps its id beside it. */
export async function namesOfMovies(projectId: string): Promise<Map<string, string>> {
  const movies = await listMovies(projectId);
  const count = new Map<string, number>();
  for (const m of movies) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  return new Map(
    movies.map((m) => [m.id, count.get(m.name)! > 1 ? `${m.name} (${m.id})` : m.name]),
  );
}

/** The heads' task metrics on the validation predictions (the autoencoder has none). */
export function evaluate(
  meta: ModelMeta,
  predictions: Float32Array,
  rows: readonly number[],
  movieNames: ReadonlyMap<string, string>,
) {
  if (meta.kind === 'autoencoder' || !meta.y) return {};
  const k = meta.outputs!;
  const truth = new Float32Array(rows.length * k);
  rows.forEach((r, i) => truth.set(meta.y!.slice(r * k, (r + 1) * k), i * k));
  if (meta.kind === 'scenes') {
    const report = multiLabelReport(truth, predictions, k);
    return { ...report.weighted, perLabel: report.perLabel, names: meta.names };
  }
  const mae = maeReport(truth, predictions, k);
  const movieOf = (i: number) => {
    const id = meta.rows[rows[i]].movieId;
    return movieNames.get(id) ?? id;
  };
  const perMovie = maeByGroup(truth, predictions, k, movieOf);
  const baseline = trainingMeanPrediction(meta.y, k, meta.train, rows.length);
  return {
    mae: mae.overall,
    baselineMae: maeReport(truth, baseline, k).overall,
    perChemical: mae.perOutput,
    names: meta.names,
    perMovie: Object.fromEntries(perMovie),
  };
}
