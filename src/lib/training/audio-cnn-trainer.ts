/**
 * Trains the spectrogram CNN (audio-cnn.ts) on pooled log-mel spectrograms (log-mel.ts) on the
 * current tfjs backend — WebGPU in the app's worker, else wasm, else cpu. Spectrograms are
 * standardised per mel band with the training rows' statistics; Adam, binary cross-entropy
 * (scenes) or MAE (gases), seeded shuffles. Reports every epoch like the audio MLPs do (loss,
 * validation loss, weighted P/R/F1 or MAE) plus its wall time, to a callback that may stop
 * training.
 *
 * The network's weights come from `buildAudioCnn` (its layers, initialisers and parameter count),
 * but the training step runs the same computation written out with ops whose gradients are fast
 * everywhere: each convolution as patches (pad, shifted slices, concat) times the kernel as one
 * matMul, each 2 × 2 max-pool as two max reductions, all at rank ≤ 4. tfjs's cpu
 * Conv2DBackpropFilter took 17 s for one layer of one batch of 8 clips (120 s an epoch of 27 demo
 * clips, 70 s on this path, whose cpu slices are slow too); without conv and pool kernels the
 * wasm backend's known conv3d / maxPool3d gradient faults do not apply, and a test shows its
 * gradients equal cpu's: 3.5 s an epoch there. `networkForward` equals the layers model's predict
 * (audio-cnn-pair.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { multiLabelReport } from '../metrics/classification';
import type { AudioTask } from '../models/audio-mlp';
import { binaryCrossentropy, meanAbsoluteError } from './losses';
import { batchesOf, seededShuffle } from './loop';
import type { AudioEpoch } from './audio-trainer';
import { buildAudioCnn } from '../models/audio-cnn';
import { CNN_FRAMES, CNN_MEL_BANDS, logMelRows } from '../features/log-mel';

export interface CnnTrainData {
  /** rows × bands × frames, band-major per row. */
  x: Float32Array;
  bands: number;
  frames: number;
  /** rows × outputs targets. */
  y: Float32Array;
  outputs: number;
  train: number[];
  validation: number[];
}

export interface CnnTrainConfig {
  task: AudioTask;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_CNN_CONFIG: Omit<CnnTrainConfig, 'task' | 'epochs'> = {
  batchSize: 16,
  learningRate: 2e-3,
  seed: 1,
};

export type CnnEpoch = AudioEpoch & { seconds: number };

export interface CnnTrainResult {
  history: CnnEpoch[];
  /** The final model's validation outputs, validation rows × outputs. */
  scores: Float32Array;
  stopped: boolean;
  parameters: number;
}

const NOTEBOOK_DROPOUT = 0.3;

/** The small network the notebook trains: 64 × 129 input, 8 / 16 / 16 filters of 3 × 3. */
export function buildNotebookCnn(
  task: AudioTask,
  outputs: number,
  seed: number,
  bands = CNN_MEL_BANDS,
  frames = CNN_FRAMES,
): tf.LayersModel {
  return buildAudioCnn({
    head: { units: outputs, activation: task === 'scenes' ? 'sigmoid' : 'linear' },
    bins: bands,
    frames,
    timePool: 1,
    filters: [8, 16, 16],
    kernels: [3, 3, 3],
    denseUnits: 32,
    dropout: NOTEBOOK_DROPOUT,
    seed,
  });
}

/** The network's variables in `buildAudioCnn`'s weight order: 3 × (kernel, bias), dense, output. */
export interface CnnNet {
  params: tf.Variable[];
  task: AudioTask;
  dropout: number;
}

/** A 'same' convolution with an odd square kernel: patches × kernel as one product. */
function convSame(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [k, , , out] = kernel.shape;
  const half = (k - 1) / 2;
  const padded = tf.pad(x, [
    [0, 0],
    [half, half],
    [half, half],
    [0, 0],
  ]);
  const shifts: tf.Tensor4D[] = [];
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) shifts.push(tf.slice(padded, [0, dy, dx, 0], [n, h, w, c]));
  }
  const patches = tf.reshape(tf.concat(shifts, 3), [n * h * w, k * k * c]);
  const y = tf.add(tf.matMul(patches, tf.reshape(kernel, [k * k * c, out])), bias);
  return tf.reshape(y, [n, h, w, out]);
}

/** 2 × 2 max-pooling, valid (an odd last row or column dropped), as two max reductions. */
function maxPool2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [h2, w2] = [Math.floor(h / 2), Math.floor(w / 2)];
  const even = h % 2 || w % 2 ? tf.slice(x, [0, 0, 0, 0], [n, 2 * h2, 2 * w2, c]) : x;
  const rows = tf.max(tf.reshape(even, [n * h2, 2, 2 * w2, c]), 1);
  const cols = tf.max(tf.reshape(rows, [n * h2, w2, 2, c]), 2);
  return tf.reshape(cols, [n, h2, w2, c]);
}

/**
 * The CNN's output for x [n, bands, frames, 1]. `dropoutSeed` null: inference (no dropout), as
 * the layers model predicts.
 */
export function networkForward(
  net: CnnNet,
  x: tf.Tensor4D,
  dropoutSeed: number | null,
): tf.Tensor2D {
  const p = net.params;
  let h = x;
  for (let i = 0; i < 3; i++) h = maxPool2(tf.relu(convSame(h, p[2 * i], p[2 * i + 1])));
  // time averaged away, frequency bands kept apart (flattened band-major, as Flatten orders them)
  const [n, bands, , c] = h.shape;
  let z: tf.Tensor2D = tf.reshape(tf.mean(h, 2), [n, bands * c]);
  const drop = (t: tf.Tensor2D, k: number): tf.Tensor2D =>
    dropoutSeed === null || net.dropout === 0
      ? t
      : (tf.dropout(t, net.dropout, undefined, dropoutSeed + k) as tf.Tensor2D);
  z = drop(z, 1);
  z = tf.relu(tf.add(tf.matMul(z, p[6]), p[7]) as tf.Tensor2D);
  z = drop(z, 2);
  const out = tf.add(tf.matMul(z, p[8]), p[9]) as tf.Tensor2D;
  return net.task === 'scenes' ? tf.sigmoid(out) : out;
}

/** Per-band mean and standard deviation over the training rows (std 0 → 1). */
function bandStatistics(d: CnnTrainData): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(d.bands);
  const std = new Float32Array(d.bands);
  const size = d.bands * d.frames;
  for (let b = 0; b < d.bands; b++) {
    let s = 0;
    let ss = 0;
    for (const r of d.train) {
      for (let t = 0; t < d.frames; t++) {
        const v = d.x[r * size + b * d.frames + t];
        s += v;
        ss += v * v;
      }
    }
    const n = Math.max(1, d.train.length * d.frames);
    mean[b] = s / n;
    std[b] = Math.sqrt(Math.max(0, ss / n - mean[b] ** 2)) || 1;
  }
  return { mean, std };
}

function gatherStandardised(
  d: CnnTrainData,
  rows: readonly number[],
  stats: { mean: Float32Array; std: Float32Array },
): tf.Tensor4D {
  const size = d.bands * d.frames;
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => {
    for (let b = 0; b < d.bands; b++) {
      for (let t = 0; t < d.frames; t++) {
        const at = b * d.frames + t;
        out[i * size + at] = (d.x[r * size + at] - stats.mean[b]) / stats.std[b];
      }
    }
  });
  return tf.tensor4d(out, [rows.length, d.bands, d.frames, 1]);
}

function gatherTargets(d: CnnTrainData, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d.outputs);
  rows.forEach((r, i) => out.set(d.y.subarray(r * d.outputs, (r + 1) * d.outputs), i * d.outputs));
  return out;
}

export async function trainAudioCnn(
  data: CnnTrainData,
  config: CnnTrainConfig,
  onEpoch?: (e: CnnEpoch) => boolean | void | Promise<boolean | void>,
): Promise<CnnTrainResult> {
  if (!data.train.length || !data.validation.length) {
    throw new Error('The spectrogram CNN needs training and validation rows.');
  }
  for (const v of data.x) {
    if (!Number.isFinite(v)) throw new Error('A spectrogram holds a non-finite value.');
  }
  const model = buildNotebookCnn(config.task, data.outputs, config.seed, data.bands, data.frames);
  const parameters = model.countParams();
  const net: CnnNet = {
    params: model.getWeights().map((w) => tf.variable(w, true)),
    task: config.task,
    dropout: NOTEBOOK_DROPOUT,
  };
  model.dispose();
  const optimizer = tf.train.adam(config.learningRate);
  const loss = config.task === 'scenes' ? binaryCrossentropy : meanAbsoluteError;
  const stats = bandStatistics(data);
  const xVal = gatherStandardised(data, data.validation, stats);
  const yValData = gatherTargets(data, data.validation);
  const yVal = tf.tensor2d(yValData, [data.validation.length, data.outputs]);
  const history: CnnEpoch[] = [];
  let scores = new Float32Array(0);
  let stopped = false;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      const order = seededShuffle(data.train, config.seed * 100_003 + epoch);
      const losses: tf.Scalar[] = [];
      for (const rows of batchesOf(order, config.batchSize)) {
        const x = gatherStandardised(data, rows, stats);
        const y = tf.tensor2d(gatherTargets(data, rows), [rows.length, data.outputs]);
        const seed = config.seed * 7919 + epoch * 104_729 + rows[0];
        const l = optimizer.minimize(
          () => loss(y, networkForward(net, x, seed)),
          true,
          net.params,
        )!;
        losses.push(tf.mul(l, rows.length) as tf.Scalar);
        tf.dispose([x, y, l]);
      }
      const sum = tf.addN(losses);
      const trainLoss = (await sum.data())[0] / order.length;
      tf.dispose([sum, ...losses]);
      const [valLossT, predT] = tf.tidy(() => {
        const p = networkForward(net, xVal, null);
        return [loss(yVal, p), p];
      });
      const valLoss = (await valLossT.data())[0];
      scores = Float32Array.from(await predT.data());
      tf.dispose([valLossT, predT]);
      const e: CnnEpoch = { epoch, loss: trainLoss, valLoss, seconds: 0 };
      if (config.task === 'scenes')
        Object.assign(e, multiLabelReport(yValData, scores, data.outputs).weighted);
      else e.mae = scores.reduce((s, p, i) => s + Math.abs(p - yValData[i]), 0) / scores.length;
      e.seconds = (performance.now() - t0) / 1000;
      history.push(e);
      if ((await onEpoch?.(e)) === false) {
        stopped = true;
        break;
      }
    }
    return { history, scores, stopped, parameters };
  } finally {
    tf.dispose([xVal, yVal, ...net.params]);
    optimizer.dispose();
  }
}

/** A spectrogram CNN run: which clips, their targets and split, and how to train. */
export interface CnnJob {
  projectId: string;
  rows: { movieId: string; index: number }[];
  /** rows × outputs. */
  y: Float32Array;
  outputs: number;
  train: number[];
  validation: number[];
  config: CnnTrainConfig;
}

/** Computes (or reads the cached) spectrograms of the job's clips, then trains on them. */
export async function runCnnJob(
  job: CnnJob,
  on: {
    spectrograms?: (done: number, total: number) => void;
    epoch?: (e: CnnEpoch) => void;
    shouldStop?: () => boolean;
  } = {},
): Promise<CnnTrainResult> {
  const stop = on.shouldStop ?? (() => false);
  const x = await logMelRows(job.projectId, job.rows, on.spectrograms, stop);
  const data: CnnTrainData = {
    x,
    bands: CNN_MEL_BANDS,
    frames: CNN_FRAMES,
    y: job.y,
    outputs: job.outputs,
    train: job.train,
    validation: job.validation,
  };
  return trainAudioCnn(data, job.config, (e) => {
    on.epoch?.(e);
    return !stop();
  });
}
