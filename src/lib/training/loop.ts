/**
 * The training loop shared by the autoencoder and the heads: epochs of mini-batches from a
 * streaming source, one optimiser step per batch, validation loss and task metrics after each
 * epoch, and a checkpoint callback with the complete state. It is deterministic given the state
 * and epoch number (the shuffle order of epoch e depends only on the seed and e), so a run resumed
 * from the checkpoint of epoch e continues exactly as the uninterrupted run would have.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/random';
import { forward } from '../models/forward';
import { captureState, type TrainingState } from './checkpoint';

export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** Produces the batch for a list of row numbers; the loop disposes what it returns. */
export type BatchLoader = (rows: number[]) => Promise<Batch>;

export interface LoopOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  loss: (truth: tf.Tensor, predicted: tf.Tensor) => tf.Scalar;
  load: BatchLoader;
  train: readonly number[];
  validation: readonly number[];
  batchSize: number;
  shuffle: boolean;
  seed: number;
  /** First epoch to run (0-based; the number of epochs already done) and the end (exclusive). */
  fromEpoch: number;
  toEpoch: number;
  /**
   * Transforms each training batch before its step (e.g. augmentation; never validation batches).
   * The loop disposes both batches.
   */
  augment?: (batch: Batch, epoch: number, index: number) => Batch;
  /** Called between batches; returning true stops at once (the epoch is discarded). */
  shouldStop?: () => boolean;
  onBatch?: (info: BatchInfo) => void;
  /** Task metrics on the validation predictions (row order of `validation`). */
  evaluate?: (predictions: Float32Array, rows: readonly number[]) => Record<string, unknown>;
  /** Receives every finished epoch with its state; awaited before the next epoch starts. */
  onEpoch: (epoch: EpochResult, state: () => Promise<TrainingState>) => Promise<void>;
}

/** One finished training batch, with what a progress line and its ETA need. */
export interface BatchInfo {
  /** 0-based epoch; 1-based batch of `batches`. */
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** Training sequences of this epoch done so far, of `sequencesTotal`. */
  sequencesDone: number;
  sequencesTotal: number;
  /** Seconds since the epoch started. */
  elapsedS: number;
}

export interface EpochResult {
  epoch: number;
  loss: number;
  valLoss: number | null;
  seconds: number;
  sequencesPerSecond: number;
  metrics: Record<string, unknown>;
}

export type LoopOutcome = 'done' | 'stopped';

/** A seeded shuffle, so that shuffles are reproducible across resumes. */
export function seededShuffle(rows: readonly number[], seed: number): number[] {
  const next = seededRandom(seed);
  const out = [...rows];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function batchesOf(rows: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** One optimiser step left on the device queue; returns its batch-loss tensor (the caller's). */
export function queueStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  loss: LoopOptions['loss'],
  batch: Batch,
  variables = trainableVariables(model),
): tf.Scalar {
  return optimizer.minimize(() => loss(batch.y, forward(model, batch.x, true)), true, variables)!;
}

/** One optimiser step; resolves with the batch loss. */
export async function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  loss: LoopOptions['loss'],
  batch: Batch,
  variables = trainableVariables(model),
): Promise<number> {
  const value = queueStep(model, optimizer, loss, batch, variables);
  try {
    return (await value.data())[0];
  } finally {
    value.dispose();
  }
}

/** Validation loss (mean over rows) and the predictions, batch norm in inference mode. */
export async function predictRows(
  model: tf.LayersModel,
  loss: LoopOptions['loss'],
  load: BatchLoader,
  rows: readonly number[],
  batchSize: number,
): Promise<{ loss: number; predictions: Float32Array }> {
  let total = 0;
  const parts: Float32Array[] = [];
  for (const chunk of batchesOf(rows, batchSize)) {
    const batch = await load(chunk);
    const [l, p] = tf.tidy(() => {
      const predicted = forward(model, batch.x, false);
      return [loss(batch.y, predicted), predicted.reshape([chunk.length, -1])];
    });
    total += (await l.data())[0] * chunk.length;
    parts.push((await p.data()) as Float32Array);
    tf.dispose([l, p, batch.x, batch.y]);
  }
  const size = parts.reduce((n, p) => n + p.length, 0);
  const predictions = new Float32Array(size);
  let at = 0;
  for (const p of parts) {
    predictions.set(p, at);
    at += p.length;
  }
  return { loss: rows.length ? total / rows.length : NaN, predictions };
}

export async function runEpochs(o: LoopOptions): Promise<LoopOutcome> {
  const variables = trainableVariables(o.model);
  for (let epoch = o.fromEpoch; epoch < o.toEpoch; epoch++) {
    const started = performance.now();
    const order = o.shuffle ? seededShuffle(o.train, o.seed * 100_003 + epoch) : [...o.train];
    const batches = batchesOf(order, o.batchSize);
    let sum = 0;
    let done = 0;
    // One step stays in flight: step b is queued before step b − 1's loss is read, so the device
    // never idles while the loss travels back (a fixed ~10 ms per step on a fast GPU).
    let inFlight: { loss: tf.Scalar; b: number } | null = null;
    const settle = async () => {
      if (!inFlight) return;
      const { loss, b } = inFlight;
      inFlight = null;
      let value: number;
      try {
        value = (await loss.data())[0];
      } finally {
        loss.dispose();
      }
      sum += value * batches[b].length;
      done += batches[b].length;
      o.onBatch?.({
        epoch,
        batch: b + 1,
        batches: batches.length,
        loss: value,
        sequencesDone: done,
        sequencesTotal: order.length,
        elapsedS: (performance.now() - started) / 1000,
      });
    };
    try {
      for (let b = 0; b < batches.length; b++) {
        if (o.shouldStop?.()) return 'stopped';
        const loaded = await o.load(batches[b]);
        let loss: tf.Scalar;
        let batch = loaded;
        try {
          if (o.augment) batch = o.augment(loaded, epoch, b);
          loss = queueStep(o.model, o.optimizer, o.loss, batch, variables);
        } finally {
          tf.dispose([loaded.x, loaded.y, batch.x, batch.y]);
        }
        await settle();
        inFlight = { loss, b };
      }
      await settle();
    } finally {
      inFlight?.loss.dispose();
    }
    if (o.shouldStop?.()) return 'stopped';
    const trainSeconds = (performance.now() - started) / 1000;
    let valLoss: number | null = null;
    let metrics: Record<string, unknown> = {};
    if (o.validation.length) {
      const v = await predictRows(o.model, o.loss, o.load, o.validation, o.batchSize);
      valLoss = v.loss;
      if (o.evaluate) metrics = o.evaluate(v.predictions, o.validation);
    }
    await o.onEpoch(
      {
        epoch: epoch + 1,
        loss: o.train.length ? sum / o.train.length : NaN,
        valLoss,
        seconds: (performance.now() - started) / 1000,
        sequencesPerSecond: o.train.length / trainSeconds,
        metrics,
      },
      () => captureState(o.model, o.optimizer),
    );
  }
  return 'done';
}
