/**
 * What the training worker does, kept free of worker plumbing: the run lifecycle. Starts or
 * resumes a run of the autoencoder or a head (or an experiment arm that stores no run),
 * checkpoints every epoch and turns GPU loss or exhaustion (gpu-supervisor.ts) into a paused run
 * that can resume from its last checkpoint. Batches come from batch-loaders.ts and, for the heads,
 * the frozen encoder's cache (encoding-cache.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, webgpuDevice, type BackendInfo, type BackendName } from '../compute/backend';
import type { ModelRecord, RunRecord } from '../store/schema';
import { newId } from '../util/id';
import { activationBytes, countParams } from '../models/forward';
import { augmentTrainingBatch, batchSeed } from './augment';
import { makeOptimizer } from './optimizer';
import { restoreState, type TrainingState } from './checkpoint';
import { runEpochs, type Batch } from './loop';
import {
  checkpointState,
  createRun,
  getModel,
  getRun,
  keepModel,
  saveEpoch,
  setRunState,
} from '../store/runs';
import { latestCheckpoint } from '../store/checkpoints';
import { GpuSupervisor } from './gpu-supervisor';
import { memoryInUse, resized, sequenceLoader } from './batch-loaders';
import { encodingLoader } from './encoding-cache';
import {
  autoencoderRows,
  buildModel,
  encoderInputDim,
  epochPlan,
  evaluate,
  headRows,
  namesOfMovies,
  type ModelMeta,
} from './model-meta';
import {
  ARM_RUN_ID,
  type ArmRequest,
  type BackendOverride,
  type HeadArmRequest,
  type StartRequest,
  type TrainingConfig,
  type TrainingEvent,
  type TrainingPhase,
} from './protocol';

export class TrainingSession {
  private stopRequested = false;
  private backend: BackendInfo | null = null;
  /** A session whose GPU failed stays failed: the worker that owns it is replaced on Resume. */
  private readonly gpu = new GpuSupervisor();

  constructor(private readonly emit: (e: TrainingEvent) => void) {}

  stop(): void {
    this.stopRequested = true;
  }

  private async ensureBackend(order?: BackendName[]): Promise<BackendInfo> {
    if (this.backend) return this.backend;
    const names = order?.length === 1 ? order[0] : (order ?? []).join(' or ') || 'first available';
    this.phase('starting-backend', `Starting the ${names} backend…`);
    this.backend = await initBackend(order);
    if (this.backend.name === 'webgpu') this.gpu.watch(webgpuDevice());
    this.emit({ type: 'backend', info: this.backend });
    return this.backend;
  }

  private phase(phase: TrainingPhase, text: string): void {
    this.emit({ type: 'phase', phase, text });
  }

  /** The first batch of a job on the current backend, which compiles its GPU programs. */
  private firstBatch(): void {
    const gpu = this.backend?.name !== 'cpu';
    this.phase(
      'first-batch',
      gpu ? 'Compiling GPU programs and running the first batch…' : 'Running the first batch…',
    );
  }

  /** Turns `device`'s loss and uncaptured errors into a fault of the current run. */
  watch(device: Pick<GPUDevice, 'lost' | 'addEventListener'> | null): void {
    this.gpu.watch(device);
  }

  private untilFault<T>(work: Promise<T>): Promise<T> {
    return this.gpu.untilFault(work);
  }

  private checkGpu(): void {
    this.gpu.check();
  }

  async start(req: StartRequest & BackendOverride): Promise<void> {
    await this.ensureBackend(req.backends ?? req.config.backends);
    this.phase('loading', 'Reading the project’s sequences…');
    const meta =
      req.kind === 'autoencoder'
        ? await autoencoderRows(req)
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
    const built = buildModel(meta);
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

  async resume(runId: string, backends?: BackendName[]): Promise<void> {
    const run = await getRun(runId);
    if (!run) throw new Error('That run no longer exists.');
    await this.ensureBackend(backends ?? (run.config as Partial<TrainingConfig>).backends);
    await setRunState(runId, 'running');
    this.emit({ type: 'state', runId, state: 'running' });
    await this.train(runId);
  }

  private async train(runId: string): Promise<void> {
    const run = (await getRun(runId))!;
    const record = await getModel(run.modelId!);
    if (!record) throw new Error('The run’s model no longer exists.');
    const meta = record.meta as unknown as ModelMeta;
    const config = run.config as unknown as StartRequest['config'];
    this.stopRequested = false;
    this.phase('building', 'Building the model…');
    const model = buildModel(meta);
    const optimizer = makeOptimizer(config.optimizer);
    try {
      this.checkGpu();
      const last = await latestCheckpoint(record.id);
      if (last) await restoreState(model, optimizer, checkpointState(last));
      const fromEpoch = last?.epoch ?? 0;
      const load =
        meta.kind === 'autoencoder'
          ? sequenceLoader(meta)
          : await this.untilFault(encodingLoader(meta, this.encodingJob));
      const movieNames = await namesOfMovies(run.projectId);
      this.firstBatch();
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
      await this.gpu.workEnded();
      const { paused, message } = this.gpu.describe(err);
      await setRunState(runId, paused ? 'paused' : 'failed', message).catch(() => undefined);
      this.emit({ type: 'state', runId, state: paused ? 'paused' : 'failed', message });
    } finally {
      const release = () => {
        model.dispose();
        optimizer.dispose();
      };
      // A loop that never answers keeps its model until it does (or the worker is closed).
      const still = this.gpu.stillRunning();
      if (await this.gpu.workEnded()) release();
      else void Promise.all(still).then(release);
    }
  }

  /** What the encoding cache needs from this session. */
  private readonly encodingJob = {
    stopRequested: () => this.stopRequested,
    checkGpu: () => this.checkGpu(),
    emit: (e: TrainingEvent) => this.emit(e),
  };

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
    backends: BackendName[] | undefined,
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
      await this.ensureBackend(backends ?? config.backends);
      state = await work(optimizer, (model) => (models.push(model), model));
    } catch (err) {
      message = this.gpu.describe(err).message;
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
  trainArm(req: ArmRequest & BackendOverride): Promise<void> {
    return this.armJob(req.config, req.backends, async (optimizer, own) => {
      this.phase('loading', 'Reading the project’s sequences…');
      const stored = await autoencoderRows(req, req.sequencesPerMovie);
      const [frames, height, width, channels] = stored.inputShape!;
      const res = req.resolution ?? { width, height };
      const meta = { ...stored, inputShape: [frames, res.height, res.width, channels] };
      if (req.keep && (res.width !== width || res.height !== height)) {
        throw new Error('Only an autoencoder trained on the stored frame size can be kept.');
      }
      this.phase('building', 'Building the model…');
      const model = own(buildModel(meta as ModelMeta));
      const parameters = countParams(model).total;
      const perSequence = activationBytes(model);
      const load = resized(sequenceLoader(stored), res);
      const augment = req.config.augment;
      let memoryBytes = 0;
      let final: { epoch: number; state: TrainingState } | null = null;
      this.firstBatch();
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
  trainHeadArm(req: HeadArmRequest & BackendOverride): Promise<void> {
    return this.armJob(req.config, req.backends, async (optimizer, own) => {
      this.phase('loading', 'Reading the encoder…');
      const meta = headRows(req, await encoderInputDim(req.encoder));
      this.phase('building', 'Building the model…');
      const model = own(buildModel(meta));
      const load = await this.untilFault(encodingLoader(meta, this.encodingJob));
      const movieNames = await namesOfMovies(req.projectId);
      // A stop while encoding leaves encodings missing: nothing to train on.
      if (this.stopRequested) return 'stopped';
      this.firstBatch();
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
}
