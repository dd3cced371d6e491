/**
 * What the training worker does, kept free of worker plumbing: starts or resumes a run of the
 * autoencoder or a head, streams batches from IndexedDB (frames stay uint8 until they reach the
 * backend, where they become float32 / 255), caches the frozen encoder's output once per
 * (autoencoder checkpoint, sequence), checkpoints every epoch and turns GPU loss or exhaustion
 * into a paused run that can resume from its last checkpoint.
 *
 * WebGPU reports out-of-memory and validation errors as `uncapturederror` events on the device, not
 * as exceptions (tfjs pushes no error scopes): the op "succeeds" and its result is garbage. The
 * session listens for them and for `device.lost`, stops at the next batch boundary and never
 * checkpoints an epoch during which one happened, so the last checkpoint stays a sound one. The
 * loop is raced against the fault (a lost device may never answer a read-back), but the model and
 * optimizer are disposed only once the loop has really exited: disposing them under a loop that is
 * still stepping destroys buffers it is about to read ("Buffer was destroyed before mapping was
 * resolved").
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, maxBufferBytes, webgpuDevice, type BackendInfo } from '../compute/backend';
import { listMovies, getSequence } from '../store/movies';
import { getEncoding, hasEncoding, putEncodings } from '../store/encodings';
import type { ModelRecord, RunRecord } from '../store/schema';
import { newId } from '../util/id';
import { CHANNELS, FRAMES_PER_SEQUENCE, type Resolution } from '../shapes';
import {
  BN_EPSILON,
  BN_MOMENTUM,
  buildAutoencoder,
  encoderDepth,
  encodedSize,
  type SequenceShape,
} from '../models/autoencoder';
import { buildSceneHead } from '../models/scene-head';
import { buildGasHead } from '../models/gas-head';
import { activationBytes, countParams, encode } from '../models/forward';
import { BatchNormalization } from '../models/layers';
import { buildSwitchAutoencoder } from '../models/switch-autoencoder';
import { augmentTrainingBatch, batchSeed } from './augment';
import { multiLabelReport } from '../metrics/classification';
import {
  maeByGroup,
  meanAbsoluteError as maeReport,
  trainingMeanPrediction,
} from '../metrics/regression';
import type { GasDataset, LabelDataset, SequenceRef } from '../study/dataset';
import { binaryCrossentropy, meanAbsoluteError } from './losses';
import { makeOptimizer } from './optimizer';
import { restoreState, type TrainingState } from './checkpoint';
import { restoreWeights } from '../models/weights';
import { runEpochs, type Batch, type BatchLoader } from './loop';
import {
  checkpointState,
  createRun,
  encodingCacheKey,
  getModel,
  getRun,
  keepModel,
  saveEpoch,
  setRunState,
} from '../store/runs';
import { getCheckpoint, latestCheckpoint } from '../store/checkpoints';
import {
  ARM_RUN_ID,
  type ArmRequest,
  type AutoencoderDecoder,
  type EncoderRef,
  type HeadArmRequest,
  type MemoryInfo,
  type StartRequest,
  type TrainingConfig,
  type TrainingEvent,
  type TrainingKind,
} from './protocol';

interface ModelMeta {
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

/**
 * How long a fault waits for the loop to reach its next batch boundary before the run is reported
 * paused anyway (a lost device may never answer the read-back the loop is waiting for).
 */
const LOOP_EXIT_GRACE_MS = 5000;

const GPU_FAILURE = /device (was )?lost|out of memory|OOM|allocation|createBuffer/i;

/** The GPU reported a fault (lost device, out of memory, invalid work): results are unusable. */
export class GpuFault extends Error {}

/** A message for a failure that leaves the last checkpoint intact. */
export function describeFailure(err: unknown): { paused: boolean; message: string } {
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof GpuFault || GPU_FAILURE.test(text)) {
    return {
      paused: true,
      message: `The GPU failed (${text}). Training paused; the last checkpoint is intact — close other GPU-heavy tabs and Resume.`,
    };
  }
  return { paused: false, message: text };
}

export class TrainingSession {
  private stopRequested = false;
  /** The first fault the GPU reported, if any. */
  private gpuFault: string | null = null;
  private backend: BackendInfo | null = null;
  /**
   * Rejects at the first GPU fault. A lost device may never answer a pending read-back, so the
   * run races its loop against this instead of waiting for the next batch boundary.
   */
  private readonly faulted: Promise<never>;
  private rejectFaulted: (err: GpuFault) => void = () => {};
  /** Work raced against a fault (`untilFault`) that has not ended yet. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly emit: (e: TrainingEvent) => void) {
    this.faulted = new Promise<never>((_, reject) => (this.rejectFaulted = reject));
    this.faulted.catch(() => undefined);
  }

  stop(): void {
    this.stopRequested = true;
  }

  private async ensureBackend(order?: StartRequest['config']['backends']): Promise<BackendInfo> {
    if (this.backend) return this.backend;
    this.backend = await initBackend(order);
    if (this.backend.name === 'webgpu') this.watch(webgpuDevice());
    this.emit({ type: 'backend', info: this.backend });
    return this.backend;
  }

  /** Turns `device`'s loss and uncaptured errors into a fault of the current run. */
  watch(device: Pick<GPUDevice, 'lost' | 'addEventListener'> | null): void {
    if (!device) return;
    const fault = (text: string) => {
      this.gpuFault ??= text;
      this.rejectFaulted(new GpuFault(this.gpuFault));
    };
    void device.lost.then((info) =>
      fault(`GPU device lost (${info.reason ?? 'unknown'}): ${info.message || 'no detail'}`),
    );
    device.addEventListener('uncapturederror', (ev) => {
      const error = (ev as GPUUncapturedErrorEvent).error;
      const oom =
        typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError;
      fault(`${oom ? 'GPU out of memory' : 'GPU error'}: ${error.message}`);
    });
  }

  /** `work`, or a GpuFault as soon as the GPU reports one; `workEnded` waits for `work` itself. */
  private untilFault<T>(work: Promise<T>): Promise<T> {
    const ended = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(ended);
    void ended.then(() => this.pending.delete(ended));
    return Promise.race([work, this.faulted]);
  }

  /**
   * Resolves true once all raced work has ended, or false after `graceMs` while some still runs.
   */
  private async workEnded(graceMs = LOOP_EXIT_GRACE_MS): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = Promise.all([...this.pending]).then(() => true);
    const late = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), graceMs)),
    );
    try {
      return await Promise.race([ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws once the GPU has reported a fault. */
  private checkGpu(): void {
    if (this.gpuFault) throw new GpuFault(this.gpuFault);
  }

  async start(req: StartRequest): Promise<void> {
    await this.ensureBackend(req.config.backends);
    const meta =
      req.kind === 'autoencoder'
        ? await this.autoencoderRows(req)
        : headRows(req, await encoderInputDim(req.encoder));
    const model: ModelRecord = {
      id: newId(),
      projectId: req.projectId,
      kind: req.kind,
      name: req.name,
      createdAt: Date.now(),
      topology: null,
      meta: meta as unknown as Record<string, unknown>,
    };
    const built = this.build(meta);
    model.topology = built.toJSON(null, false);
    built.dispose();
    const run: RunRecord = {
      id: newId(),
      projectId: req.projectId,
      kind: req.kind,
      modelId: model.id,
      config: req.config as unknown as Record<string, unknown>,
      epochs: [],
      state: 'running',
      createdAt: Date.now(),
    };
    await createRun(model, run);
    this.emit({ type: 'run', run });
    await this.train(run.id);
  }

  async resume(runId: string): Promise<void> {
    const run = await getRun(runId);
    if (!run) throw new Error('That run no longer exists.');
    await this.ensureBackend(
      (run.config as { backends?: StartRequest['config']['backends'] }).backends,
    );
    await setRunState(runId, 'running');
    this.emit({ type: 'state', runId, state: 'running' });
    await this.train(runId);
  }

  private build(meta: ModelMeta): tf.LayersModel {
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

  private async autoencoderRows(
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

  private async train(runId: string): Promise<void> {
    const run = (await getRun(runId))!;
    const record = await getModel(run.modelId!);
    if (!record) throw new Error('The run’s model no longer exists.');
    const meta = record.meta as unknown as ModelMeta;
    const config = run.config as unknown as StartRequest['config'];
    this.stopRequested = false;
    const model = this.build(meta);
    const optimizer = makeOptimizer(config.optimizer);
    try {
      // A session whose GPU failed stays failed: the worker that owns it is replaced on Resume.
      this.checkGpu();
      const last = await latestCheckpoint(record.id);
      if (last) await restoreState(model, optimizer, checkpointState(last));
      const fromEpoch = last?.epoch ?? 0;
      const load =
        meta.kind === 'autoencoder'
          ? sequenceLoader(meta)
          : await this.untilFault(this.encodingLoader(meta));
      const movieNames = await namesOfMovies(run.projectId);
      const outcome = await this.untilFault(
        runEpochs({
          ...epochPlan(meta, config, model, optimizer, load, fromEpoch),
          shouldStop: this.shouldStop,
          onBatch: (b) => this.emit({ type: 'progress', ...b, memory: memoryInUse() }),
          evaluate: (p, rows) => evaluate(meta, p, rows, movieNames),
          onEpoch: async (result, capture) => {
            this.checkGpu();
            const state = await capture();
            // A fault while the state was read back would leave garbage in it.
            this.checkGpu();
            await saveEpoch(runId, { ...result }, result.epoch, state);
            this.emit({ type: 'epoch', runId, result });
          },
        }),
      );
      const state = outcome === 'done' ? 'done' : 'stopped';
      await setRunState(runId, state);
      this.emit({ type: 'state', runId, state });
    } catch (err) {
      // A fault ends the race at once; the loop stops at its next batch boundary. Only then is
      // the run paused, so nothing of it (a step, an epoch's checkpoint) comes after that.
      await this.workEnded();
      // After a GPU fault, whatever failed next (a read-back of a lost device) failed because of it.
      const { paused, message } = describeFailure(
        this.gpuFault ? new GpuFault(this.gpuFault) : err,
      );
      await setRunState(runId, paused ? 'paused' : 'failed', message).catch(() => undefined);
      this.emit({ type: 'state', runId, state: paused ? 'paused' : 'failed', message });
    } finally {
      const release = () => {
        model.dispose();
        optimizer.dispose();
      };
      // A loop that never answers keeps its model until it does (or the worker is closed).
      const still = [...this.pending];
      if (await this.workEnded()) release();
      else void Promise.all(still).then(release);
    }
  }

  /** Polled by runEpochs between batches: throws after a GPU fault, true once stop was asked. */
  private readonly shouldStop = (): boolean => {
    this.checkGpu();
    return this.stopRequested;
  };

  /**
   * Runs the work of an experiment job that stores no run, and ends it with one 'state' event for
   * ARM_RUN_ID. `work` hands the model it builds to `own`, which disposes of it afterwards.
   */
  private async armJob(
    config: TrainingConfig,
    work: (
      optimizer: tf.Optimizer,
      own: (model: tf.LayersModel) => tf.LayersModel,
    ) => Promise<'done' | 'stopped'>,
  ): Promise<void> {
    let state: RunRecord['state'] = 'failed';
    let message: string | undefined;
    const models: tf.LayersModel[] = [];
    const optimizer = makeOptimizer(config.optimizer);
    this.stopRequested = false;
    try {
      await this.ensureBackend(config.backends);
      state = await work(optimizer, (model) => (models.push(model), model));
    } catch (err) {
      message = describeFailure(this.gpuFault ? new GpuFault(this.gpuFault) : err).message;
    } finally {
      models.forEach((m) => m.dispose());
      optimizer.dispose();
    }
    this.emit({ type: 'state', runId: ARM_RUN_ID, state, message });
  }

  /**
   * One arm of a video experiment: the autoencoder of `req.config` (decoder, augmentation, batch
   * norm) on the usual split, at `req.resolution`. Stores no run; with `req.keep` it stores the
   * model and its final checkpoint and says so in a 'kept' event. Each epoch's metrics carry the
   * most tensor memory in use between steps (`memoryBytes`), the parameter count, the activation
   * bytes per sequence and the split's sizes.
   */
  trainArm(req: ArmRequest): Promise<void> {
    return this.armJob(req.config, async (optimizer, own) => {
      const stored = await this.autoencoderRows(req, req.sequencesPerMovie);
      const [frames, height, width, channels] = stored.inputShape!;
      const res = req.resolution ?? { width, height };
      const meta = { ...stored, inputShape: [frames, res.height, res.width, channels] };
      if (req.keep && (res.width !== width || res.height !== height)) {
        throw new Error('Only an autoencoder trained on the stored frame size can be kept.');
      }
      const model = own(this.build(meta as ModelMeta));
      const parameters = countParams(model).total;
      const perSequence = activationBytes(model);
      const load = resized(sequenceLoader(stored), res);
      const augment = req.config.augment;
      let memoryBytes = 0;
      let final: { epoch: number; state: TrainingState } | null = null;
      const outcome = await runEpochs({
        ...epochPlan(meta as ModelMeta, req.config, model, optimizer, load),
        ...(augment
          ? {
              augment: (batch: Batch, epoch: number, b: number) =>
                augmentTrainingBatch(batch, augment, batchSeed(req.config.seed, epoch, b), 'input'),
            }
          : {}),
        shouldStop: this.shouldStop,
        onBatch: (b) => {
          const memory = memoryInUse();
          memoryBytes = Math.max(memoryBytes, memory.bytes);
          this.emit({ type: 'progress', ...b, memory });
        },
        evaluate: () => ({
          memoryBytes,
          parameters,
          activationBytes: perSequence,
          trainSequences: meta.train.length,
          validationSequences: meta.validation.length,
        }),
        onEpoch: async (result, capture) => {
          if (req.keep && result.epoch === req.config.epochs) {
            final = { epoch: result.epoch, state: await capture() };
            this.checkGpu();
          }
          this.emit({ type: 'epoch', runId: ARM_RUN_ID, result });
        },
      });
      const kept = final as { epoch: number; state: TrainingState } | null;
      if (outcome === 'done' && req.keep && kept) {
        const record: ModelRecord = {
          id: newId(),
          projectId: req.projectId,
          kind: 'autoencoder',
          name: req.keep.name,
          createdAt: Date.now(),
          topology: model.toJSON(null, false),
          meta: meta as unknown as Record<string, unknown>,
        };
        await keepModel(record, kept.epoch, kept.state);
        this.emit({ type: 'kept', encoder: { modelId: record.id, epoch: kept.epoch } });
      }
      return outcome;
    });
  }

  /**
   * A head on the frozen encoder of `req.encoder` (built, encoded and evaluated exactly as a stored
   * head run), storing nothing but the encoding cache; epochs carry the head's validation metrics.
   */
  trainHeadArm(req: HeadArmRequest): Promise<void> {
    return this.armJob(req.config, async (optimizer, own) => {
      const meta = headRows(req, await encoderInputDim(req.encoder));
      const model = own(this.build(meta));
      const load = await this.untilFault(this.encodingLoader(meta));
      const movieNames = await namesOfMovies(req.projectId);
      // A stop while encoding leaves encodings missing: nothing to train on.
      if (this.stopRequested) return 'stopped';
      return this.untilFault(
        runEpochs({
          ...epochPlan(meta, req.config, model, optimizer, load),
          shouldStop: this.shouldStop,
          onBatch: (b) => this.emit({ type: 'progress', ...b, memory: memoryInUse() }),
          evaluate: (p, rows) => evaluate(meta, p, rows, movieNames),
          onEpoch: async (result) => {
            this.checkGpu();
            this.emit({ type: 'epoch', runId: ARM_RUN_ID, result });
          },
        }),
      );
    });
  }

  /**
   * Computes the missing encodings of the rows once, then serves them from the cache. Every
   * autoencoder trained here has the paper's encoder: the switch-unpooling one has the same layers
   * with the same weights in the same order (unpooling has none, and its pooling outputs the same
   * maxima), so the paper's model restored from its checkpoint encodes exactly as it does.
   */
  private async encodingLoader(meta: ModelMeta): Promise<BatchLoader> {
    const ref = meta.encoder!;
    const keyOf = (r: SequenceRef) => encodingCacheKey(ref, r.movieId);
    const missing: SequenceRef[] = [];
    for (const r of meta.rows) {
      if (!(await hasEncoding(keyOf(r), r.index))) missing.push(r);
    }
    const unique = [...new Map(missing.map((r) => [`${r.movieId}/${r.index}`, r])).values()];
    if (unique.length) {
      const aeRecord = await getModel(ref.modelId);
      const cp = await getCheckpoint(ref.modelId, ref.epoch);
      if (!aeRecord || !cp) throw new Error('The autoencoder checkpoint for the encoder is gone.');
      const aeMeta = aeRecord.meta as unknown as ModelMeta;
      const ae = buildAutoencoder({
        batchNorm: aeMeta.batchNorm ?? true,
        inputShape: aeMeta.inputShape,
      });
      try {
        restoreWeights(ae, checkpointState(cp).weights);
        await this.encodeMissing(ae, aeMeta, aeRecord.projectId, unique, keyOf);
      } finally {
        ae.dispose();
      }
    }
    const k = meta.outputs!;
    const y = Float32Array.from(meta.y!);
    return async (rows) => {
      const width = meta.inputDim!;
      const x = new Float32Array(rows.length * width);
      const by = new Float32Array(rows.length * k);
      for (let i = 0; i < rows.length; i++) {
        const r = meta.rows[rows[i]];
        const rec = await getEncoding(keyOf(r), r.index);
        if (!rec) throw new Error(`Encoding of sequence ${r.index + 1} is missing.`);
        x.set(new Float32Array(rec.values), i * width);
        by.set(y.subarray(rows[i] * k, (rows[i] + 1) * k), i * k);
      }
      return { x: tf.tensor2d(x, [rows.length, width]), y: tf.tensor2d(by, [rows.length, k]) };
    };
  }

  /** Runs the frozen encoder on `rows` (8 at a time) and caches each sequence's output. */
  private async encodeMissing(
    ae: tf.Sequential,
    aeMeta: ModelMeta,
    projectId: string,
    rows: SequenceRef[],
    keyOf: (r: SequenceRef) => string,
  ): Promise<void> {
    const load = sequenceLoader({ ...aeMeta, rows });
    for (let i = 0; i < rows.length; i += 8) {
      if (this.stopRequested) break;
      const idx = [...Array(Math.min(8, rows.length - i)).keys()].map((k) => i + k);
      const batch = await load(idx);
      let values: Float32Array;
      try {
        const enc = encode(ae, encoderDepth(aeMeta.batchNorm ?? true), batch.x);
        try {
          values = (await enc.data()) as Float32Array;
        } finally {
          enc.dispose();
        }
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
      // Never cache an encoding computed after a GPU fault.
      this.checkGpu();
      const width = values.length / idx.length;
      const encoded = idx.map((i, k) => ({
        cacheKey: keyOf(rows[i]),
        index: rows[i].index,
        projectId,
        values: values.slice(k * width, (k + 1) * width).buffer,
      }));
      await putEncodings(encoded, 'encoder outputs');
      this.emit({ type: 'status', text: `Encoding sequences ${i + idx.length} / ${rows.length}` });
    }
  }
}

/** What every training job tells runEpochs: model, loss, split, batches and epochs to run. */
function epochPlan(
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
async function encoderInputDim(ref: EncoderRef): Promise<number> {
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

function headRows(
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

/** Streams sequences as uint8 and converts them to float32 in [0, 1] on the backend. */
function sequenceLoader(meta: Pick<ModelMeta, 'rows' | 'inputShape'>): BatchLoader {
  const shape = meta.inputShape!;
  const size = shape.reduce((a, b) => a * b, 1);
  return async (rows) => {
    const bytes = new Uint8Array(rows.length * size);
    for (let i = 0; i < rows.length; i++) {
      const ref = meta.rows[rows[i]];
      const seq = await getSequence(ref.movieId, ref.index);
      if (!seq) throw new Error(`Sequence ${ref.index + 1} of a movie is missing.`);
      bytes.set(new Uint8Array(seq.frames, 0, size), i * size);
    }
    const x = tf.tidy(() =>
      tf.div(tf.cast(tf.tensor(bytes, [rows.length, ...shape], 'int32'), 'float32'), 255),
    );
    return { x, y: x.clone() };
  };
}

/** Frames resized (bilinear, on the backend) to `res` when the stored ones have another size. */
function resized(load: BatchLoader, res: Resolution): BatchLoader {
  return async (rows) => {
    const batch = await load(rows);
    const [b, f, h, w, c] = batch.x.shape;
    if (h === res.height && w === res.width) return batch;
    const x = tf.tidy(() =>
      tf.image
        .resizeBilinear(batch.x.reshape([b * f, h, w, c]) as tf.Tensor4D, [res.height, res.width])
        .reshape([b, f, res.height, res.width, c]),
    );
    tf.dispose([batch.x, batch.y]);
    return { x, y: x.clone() };
  };
}

/**
 * Memory held by tensors: on WebGPU / WebGL the bytes in GPU buffers (in use, and allocated with
 * tfjs's pool of free buffers), on the CPU backend the bytes of tensor data in the worker's heap.
 */
export function memoryInUse(): MemoryInfo {
  const m = tf.memory() as tf.MemoryInfo & {
    numBytesInGPU?: number;
    numBytesAllocatedInGPU?: number;
    numBytesInGPUAllocated?: number;
  };
  if (m.numBytesInGPU === undefined) {
    return { bytes: m.numBytes, allocated: null, gpu: false, tensors: m.numTensors };
  }
  return {
    bytes: m.numBytesInGPU,
    allocated: m.numBytesAllocatedInGPU ?? m.numBytesInGPUAllocated ?? null,
    gpu: true,
    tensors: m.numTensors,
  };
}

/** Movie names by id for per-movie metrics; a name shared by two movies keeps its id beside it. */
async function namesOfMovies(projectId: string): Promise<Map<string, string>> {
  const movies = await listMovies(projectId);
  const count = new Map<string, number>();
  for (const m of movies) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  return new Map(
    movies.map((m) => [m.id, count.get(m.name)! > 1 ? `${m.name} (${m.id})` : m.name]),
  );
}

function evaluate(
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
