// Gives the heads an encoder to train on: a full-size autoencoder (the paper's architecture, batch
// norm on) stored as a run of the project with one checkpoint, after a few real training steps on
// the project's demo sequences on the CPU backend — through the same loop, state capture and
// store writes as the training worker. A whole epoch of the autoencoder on SwiftShader would take
// many minutes; the heads only need a stored checkpoint of the real architecture.
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import '../../../src/lib/models/layers';
import { SplitDense } from '../../../src/lib/models/layers';
import { initBackend, maxBufferBytes, type BackendName } from '../../../src/lib/compute/backend';
import { writeTransaction } from '../../../src/lib/store/db';
import { buildSceneHead } from '../../../src/lib/models/scene-head';
import { TrainingSession } from '../../../src/lib/training/session';
import { memoryInUse } from '../../../src/lib/training/batch-loaders';
import {
  DEFAULT_TRAINING_CONFIG,
  type MemoryInfo,
  type StartRequest,
  type TrainingConfig,
  type TrainingEvent,
} from '../../../src/lib/training/protocol';
import { appendSequence, getSequence, listMovies, putMovie } from '../../../src/lib/store/movies';
import { createProject } from '../../../src/lib/store/projects';
import { getCheckpoint, latestCheckpoint } from '../../../src/lib/store/checkpoints';
import { newId } from '../../../src/lib/util/id';
import type { ModelRecord, MovieRecord, RunRecord } from '../../../src/lib/store/schema';
import {
  buildAutoencoder,
  encodedSize,
  type SequenceShape,
} from '../../../src/lib/models/autoencoder';
import { binaryCrossentropy } from '../../../src/lib/training/losses';
import { ADADELTA_EPSILON, ADADELTA_RHO, makeOptimizer } from '../../../src/lib/training/optimizer';
import { forward } from '../../../src/lib/models/forward';
import { trainStep } from '../../../src/lib/training/loop';
import { seeded } from './models.harness';
import { captureState } from '../../../src/lib/training/checkpoint';
import { createRun, getRun, saveEpoch } from '../../../src/lib/store/runs';
import { sequenceInput } from '../../../src/lib/views/activations';
import { CHANNELS, FRAMES_PER_SEQUENCE, HEAD_UNITS } from '../../../src/lib/shapes';

export async function seedAutoencoderCheckpoint(
  projectId: string,
  steps = 2,
): Promise<{ modelId: string; losses: number[] }> {
  await initBackend(['cpu']);
  const movies = await listMovies(projectId);
  const { width, height } = movies[0].settings;
  const inputShape: SequenceShape = [FRAMES_PER_SEQUENCE, height, width, CHANNELS];
  const model = buildAutoencoder({ batchNorm: true, inputShape, seed: 1 });
  const optimizer = makeOptimizer({ name: 'adam', learningRate: 1e-3 });
  const record: ModelRecord = {
    id: newId(),
    projectId,
    kind: 'autoencoder',
    name: 'Autoencoder (batch norm)',
    createdAt: Date.now(),
    topology: model.toJSON(null, false),
    meta: { kind: 'autoencoder', batchNorm: true, inputShape, rows: [], train: [], validation: [] },
  };
  const run: RunRecord = {
    id: newId(),
    projectId,
    kind: 'autoencoder',
    modelId: record.id,
    config: { epochs: 1, batchSize: 1, optimizer: { name: 'adam', learningRate: 1e-3 } },
    epochs: [],
    state: 'done',
    createdAt: Date.now(),
  };
  await createRun(record, run);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const movie = movies[s % movies.length];
    const seq = (await getSequence(movie.id, Math.floor(s / movies.length)))!;
    const x = sequenceInput(new Uint8Array(seq.frames), { width, height });
    losses.push(await trainStep(model, optimizer, binaryCrossentropy, { x, y: x }));
    x.dispose();
  }
  const state = await captureState(model, optimizer);
  await saveEpoch(run.id, { epoch: 1, loss: losses.at(-1), valLoss: null }, 1, state);
  model.dispose();
  optimizer.dispose();
  return { modelId: record.id, losses };
}

/**
 * Replaces tfjs's WebGPU backend by one on a device with WebGPU's *default* limits (128 MiB per
 * storage binding, 256 MiB per buffer), as many real adapters have, instead of the adapter's
 * maximum (SwiftShader: 1 GiB). Kernels are registered by backend name, so all of them (and our
 * fast ones) still apply. Returns the device.
 */
async function webgpuWithDefaultLimits(): Promise<GPUDevice> {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter');
  const device = await adapter.requestDevice();
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info));
  const info = await initBackend(['webgpu']);
  if (info.name !== 'webgpu') throw new Error(`Got ${info.name}, not webgpu`);
  return device;
}

export interface SplitHeadComparison {
  limit: number;
  blocks: number[];
  /**
   * Losses of the reference (unsplit, CPU backend) and of the split head on WebGPU: each step's
   * batch loss, then the loss of a forward pass (training mode) after the last update.
   */
  cpu: number[];
  webgpu: number[];
  /**
   * Per trainable weight (the first kernel joined from its blocks, its bias, BN gamma and beta,
   * the output kernel and bias): max |Δw_gpu − Δw_cpu| / max |Δw_cpu| after the steps.
   */
  updates: number[];
  /** max |Δw_cpu| of the first kernel: the steps moved it. */
  kernelMoved: number;
  memory: MemoryInfo;
  /** WebGPU errors (uncaptured) during the split head's steps, and during the unsplit probe. */
  errors: string[];
  unsplitErrors: string[];
  seconds: { cpu: number; webgpu: number };
}

/**
 * Adadelta steps of the unsplit head on the CPU backend, the update applied in float64 by Keras's
 * rule. The tfjs CPU backend's elementwise ops cost ~0.1 µs per value, so KerasAdadelta on its
 * 66 M values would take minutes per step; it is checked against the same rule step by step in
 * tests/unit/keras-adadelta.test.ts. Returns the batch losses (before each update, as trainStep).
 */
async function referenceSteps(
  model: tf.Sequential,
  x: tf.Tensor,
  y: tf.Tensor,
  steps: number,
): Promise<number[]> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const slots = vars.map((v) => ({ a: new Float64Array(v.size), d: new Float64Array(v.size) }));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(
      () => binaryCrossentropy(y, forward(model, x, true)),
      vars,
    );
    losses.push((await value.data())[0]);
    vars.forEach((v, i) => {
      const g = grads[v.name].dataSync();
      const w = Float32Array.from(v.dataSync());
      const { a, d } = slots[i];
      for (let k = 0; k < w.length; k++) {
        a[k] = ADADELTA_RHO * a[k] + (1 - ADADELTA_RHO) * g[k] * g[k];
        const update =
          (g[k] * Math.sqrt(d[k] + ADADELTA_EPSILON)) / Math.sqrt(a[k] + ADADELTA_EPSILON);
        d[k] = ADADELTA_RHO * d[k] + (1 - ADADELTA_RHO) * update * update;
        w[k] -= update;
      }
      v.assign(tf.tensor(w, v.shape));
    });
    tf.dispose([value, ...Object.values(grads)]);
  }
  losses.push(await lossOf(model, x, y));
  return losses;
}

/** The batch loss of a forward pass in training mode, without an update. */
async function lossOf(model: tf.Sequential, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const loss = tf.tidy(() => binaryCrossentropy(y, forward(model, x, true)));
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

/**
 * The full-size scene head (64,512 → 1024 → BN → 13) trained for a few Adadelta steps (lr 1) on
 * one batch of encoder-sized features (batch 8: with 2, batch norm's x̂ is ±1 whatever the input,
 * so the gradient reaching the first kernel is only rounding noise): unsplit on the CPU backend, and on WebGPU with default
 * limits, where its 264 MB first kernel exceeds the 128 MiB binding limit and becomes a
 * SplitDense. Both start from the same weights. Also probes the unsplit head's forward pass on
 * that device, which WebGPU must refuse (an uncaptured validation error): the split is what makes
 * it work.
 */
export async function compareSplitHead({
  inputDim = encodedSize(),
  units = HEAD_UNITS.scenes,
  labels = 13,
  batch = 8,
  steps = 1,
} = {}): Promise<SplitHeadComparison> {
  const x = seeded(batch * inputDim, 11, 0, 1);
  const y = seeded(batch * labels, 12, 0, 1).map((v) => (v < 0.3 ? 1 : 0));
  const batchOf = () => ({
    x: tf.tensor2d(x, [batch, inputDim]),
    y: tf.tensor2d(y, [batch, labels]),
  });
  const read = (model: tf.Sequential) =>
    Promise.all(model.trainableWeights.map((w) => w.read().data() as Promise<Float32Array>));

  await initBackend(['cpu']);
  let t0 = performance.now();
  const reference = buildSceneHead(labels, { inputDim, units, seed: 3 });
  const shapes = reference.weights.map((w) => w.shape as number[]);
  const initial = reference.weights.map((w) =>
    Float32Array.from(w.read().dataSync() as Float32Array),
  );
  const cpuBatch = batchOf();
  const cpu = await referenceSteps(reference, cpuBatch.x, cpuBatch.y, steps);
  tf.dispose([cpuBatch.x, cpuBatch.y]);
  const cpuAfter = await read(reference);
  reference.dispose();
  const cpuSeconds = (performance.now() - t0) / 1000;

  const device = await webgpuWithDefaultLimits();
  const errors: string[] = [];
  const onError = (e: Event) => errors.push((e as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', onError);
  t0 = performance.now();
  const limit = maxBufferBytes();
  const head = buildSceneHead(labels, { inputDim, units, seed: 3, maxBufferBytes: limit });
  const split = head.layers[0];
  if (!(split instanceof SplitDense)) throw new Error('The first layer was not split');
  // Same start: the CPU kernel's row blocks, then the other weights in the same order.
  let row = 0;
  const blockValues = split.blockRows.map((rows) => {
    const part = initial[0].subarray(row * units, (row + rows) * units);
    row += rows;
    return tf.tensor2d(part, [rows, units]);
  });
  const rest = shapes.slice(1).map((shape, i) => tf.tensor(initial[i + 1], shape));
  head.setWeights([...blockValues, ...rest]);
  tf.dispose([...blockValues, ...rest]);
  const optimizer = makeOptimizer({ name: 'adadelta', learningRate: 1 });
  const webgpu: number[] = [];
  for (let s = 0; s < steps; s++) {
    const b = batchOf();
    webgpu.push(await trainStep(head, optimizer, binaryCrossentropy, b));
    tf.dispose([b.x, b.y]);
  }
  const last = batchOf();
  webgpu.push(await lossOf(head, last.x, last.y));
  tf.dispose([last.x, last.y]);
  const memory = memoryInUse();
  optimizer.dispose();
  const gpuAfter = await read(head);
  head.dispose();
  await device.queue.onSubmittedWorkDone();
  const gpuSeconds = (performance.now() - t0) / 1000;
  device.removeEventListener('uncapturederror', onError);

  const nBlocks = split.blockRows.length;
  const kernelAfter = new Float32Array(inputDim * units);
  gpuAfter.slice(0, nBlocks).reduce((at, b) => (kernelAfter.set(b, at), at + b.length), 0);
  // model.weights lists the trainable weights first (kernel, bias, BN gamma and beta, output
  // kernel and bias), then BN's moving statistics.
  const trainableInitial = initial.slice(0, 6);
  const gpuTrainable = [kernelAfter, ...gpuAfter.slice(nBlocks)];
  const updates = trainableInitial.map((start, j) => {
    const want = cpuAfter[j];
    const got = gpuTrainable[j];
    let err = 0;
    let scale = 0;
    for (let i = 0; i < start.length; i++) {
      const d = want[i] - start[i];
      scale = Math.max(scale, Math.abs(d));
      const e = Math.abs(got[i] - start[i] - d);
      err = Number.isNaN(e) ? NaN : Math.max(err, e);
    }
    if (!(Number.isFinite(err) && scale > 0)) {
      throw new Error(
        `Weight ${j}: error ${err}, scale ${scale}, ${start.length} / ${want.length} / ${got.length} values`,
      );
    }
    return err / scale;
  });
  let kernelMoved = 0;
  for (let i = 0; i < kernelAfter.length; i++) {
    kernelMoved = Math.max(kernelMoved, Math.abs(cpuAfter[0][i] - initial[0][i]));
  }

  // The unsplit head on the same device: its kernel's binding is over the limit.
  const unsplitErrors: string[] = [];
  const onUnsplit = (e: Event) => unsplitErrors.push((e as GPUUncapturedErrorEvent).error.message);
  device.addEventListener('uncapturederror', onUnsplit);
  const unsplit = buildSceneHead(labels, { inputDim, units, seed: 3 });
  const probe = tf.tidy(() => unsplit.predict(tf.tensor2d(x, [batch, inputDim])) as tf.Tensor);
  await probe.data();
  await device.queue.onSubmittedWorkDone();
  probe.dispose();
  unsplit.dispose();
  device.removeEventListener('uncapturederror', onUnsplit);

  return {
    limit,
    blocks: [...split.blockRows],
    cpu,
    webgpu,
    updates,
    kernelMoved,
    memory,
    errors,
    unsplitErrors,
    seconds: { cpu: cpuSeconds, webgpu: gpuSeconds },
  };
}

/** A project of two tiny movies (3 sequences of 30 frames, 8 × 4 pixels) for quick runs. */
async function tinyProject(): Promise<string> {
  const project = await createProject('GPU fault', false);
  const [width, height] = [8, 4];
  for (let m = 0; m < 2; m++) {
    const movie: MovieRecord = {
      id: newId(),
      projectId: project.id,
      name: `Tiny ${m + 1}`,
      durationS: 90,
      frameRate: 1,
      source: { fileName: `tiny-${m}.mp4`, size: 0, hash: `tiny-${m}` },
      settings: { startS: 0, endS: null, width, height, fit: 'stretch', channelOrder: 'rgb' },
      state: 'incomplete',
      sequencesDone: 0,
      sequencesTotal: 3,
      createdAt: Date.now() + m,
    };
    await putMovie(movie);
    for (let index = 0; index < 3; index++) {
      const values = seeded(FRAMES_PER_SEQUENCE * height * width * CHANNELS, 100 * m + index, 0, 1);
      const frames = Uint8Array.from(values, (v, i) => 255 * (0.5 * v + 0.5 * ((i % 24) / 24)));
      await appendSequence(movie.id, { index, frames: frames.buffer, audio: null });
    }
    await putMovie({ ...movie, sequencesDone: 3, state: 'complete' });
  }
  return project.id;
}

export interface FaultOutcome {
  /** The faulted run, for `resumeRun`. */
  runId: string;
  /** [loss, validation loss] per epoch of the uninterrupted run. */
  reference: [number, number | null][];
  /** The faulted run when it ended: state, message, epochs stored, latest checkpoint epoch. */
  faulted: { state: string; message: string; epochs: number; checkpoint: number | null };
  /**
   * max |w − w_ref| / max |w_ref| between its last checkpoint and the reference's (CPU backend)
   * of that epoch.
   */
  checkpointDiff: number;
  /** Memory reported with batch progress on WebGPU (the largest). */
  memory: MemoryInfo | null;
  /** Wall time of the reference run (CPU backend) and of the faulted run (WebGPU). */
  seconds: { reference: number; faulted: number };
}

type Curve = [number, number | null][];

const curveOf = async (runId: string): Promise<Curve> =>
  ((await getRun(runId))?.epochs ?? []).map((e) => [e.loss, e.valLoss] as [number, number | null]);

/** A TrainingSession in this page, with what a TrainingCell would keep of its events. */
function sessionOf(onEvent: (e: TrainingEvent) => void = () => {}) {
  const seen = { runId: '', state: '', message: '', backend: '' };
  const session = new TrainingSession((e) => {
    if (e.type === 'backend') seen.backend = e.info.name;
    if (e.type === 'run') seen.runId = e.run.id;
    if (e.type === 'state') [seen.state, seen.message] = [e.state, e.message ?? ''];
    onEvent(e);
  });
  return { session, seen };
}

/**
 * An autoencoder run on WebGPU that the GPU fails after its first epoch's checkpoint: `oom` fires
 * an out-of-memory error on the device as WebGPU reports it (an `uncapturederror` event), `lost`
 * destroys tfjs's device for real (`device.lost` resolves, buffers and pending read-backs die).
 * The run must pause with a message and keep the first epoch's checkpoint intact (equal, to
 * float32 rounding, to an uninterrupted run's on the CPU backend). `resumeRun` then continues it
 * in a fresh page, as Resume does in a fresh worker.
 */
export async function gpuFaultRun(fault: 'oom' | 'lost'): Promise<FaultOutcome> {
  const projectId = await tinyProject();
  const config: TrainingConfig = {
    ...DEFAULT_TRAINING_CONFIG,
    epochs: 2,
    batchSize: 2,
    validationFraction: 0.34,
    backends: ['webgpu'],
  };
  const request = (name: string, backends: BackendName[]): StartRequest => ({
    type: 'start',
    kind: 'autoencoder',
    projectId,
    name,
    config: { ...config, backends },
  });
  let memory: MemoryInfo | null = null;

  // The uninterrupted run on the CPU backend: ~10× faster than SwiftShader's WebGPU.
  let t0 = performance.now();
  const reference = sessionOf();
  await reference.session.start(request('reference', ['cpu']));
  if (reference.seen.state !== 'done') {
    throw new Error(`The reference run ended ${reference.seen.state}: ${reference.seen.message}`);
  }
  const referenceSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const device = await webgpuWithDefaultLimits();
  const faulty = sessionOf((e) => {
    if (e.type === 'progress' && (!memory || e.memory.bytes > memory.bytes)) memory = e.memory;
    if (e.type !== 'epoch' || e.result.epoch !== 1) return;
    if (fault === 'lost') device.destroy();
    else {
      const error = new GPUOutOfMemoryError('simulated: not enough memory for a buffer');
      device.dispatchEvent(new GPUUncapturedErrorEvent('uncapturederror', { error }));
    }
  });
  await faulty.session.start(request('faulted', ['webgpu']));
  const faultedSeconds = (performance.now() - t0) / 1000;
  const run = (await getRun(faulty.seen.runId))!;
  const last = await latestCheckpoint(run.modelId!);
  const refRun = (await getRun(reference.seen.runId))!;
  const refCheckpoint = last ? await getCheckpoint(refRun.modelId!, last.epoch) : undefined;
  let checkpointDiff = Infinity;
  if (last && refCheckpoint) {
    const a = new Float32Array(last.weights);
    const b = new Float32Array(refCheckpoint.weights);
    let err = a.length === b.length ? 0 : Infinity;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      err = Math.max(err, Math.abs(a[i] - b[i]));
    }
    checkpointDiff = err / scale;
  }
  return {
    runId: faulty.seen.runId,
    reference: await curveOf(reference.seen.runId),
    faulted: {
      state: faulty.seen.state,
      message: faulty.seen.message,
      epochs: run.epochs.length,
      checkpoint: last?.epoch ?? null,
    },
    checkpointDiff,
    memory,
    seconds: { reference: referenceSeconds, faulted: faultedSeconds },
  };
}

/**
 * Resumes a run in this page's session (as the training worker does), optionally on other
 * backends than it started on; its state and curve.
 */
export async function resumeRun(
  runId: string,
  backends?: BackendName[],
): Promise<{ state: string; message: string; backend: string; curve: Curve; seconds: number }> {
  if (backends) {
    await writeTransaction(['runs'], 'run backends', async (tx) => {
      const run = (await tx.objectStore('runs').get(runId))!;
      await tx.objectStore('runs').put({ ...run, config: { ...run.config, backends } });
    });
  }
  const { session, seen } = sessionOf();
  const t0 = performance.now();
  await session.resume(runId);
  const seconds = (performance.now() - t0) / 1000;
  const { state, message, backend } = seen;
  return { state, message, backend, curve: await curveOf(runId), seconds };
}
