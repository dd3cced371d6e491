/**
 * Trains the audio MLPs as the original Keras code did: Adadelta (lr 1.0, rho 0.95, eps 1e-7),
 * binary cross-entropy on clipped sigmoid outputs for scenes or mean absolute error for gases,
 * mini-batches of 64 reshuffled every epoch (seeded), 1000 epochs by default. Reports every
 * epoch (loss, validation loss, weighted P/R/F1 or MAE) to a callback that may stop training.
 * The returned model takes raw features: the improved variant's standardiser is folded into its
 * first layer, so a stored or downloaded model needs nothing beside it.
 * Inputs are checked first: a non-finite feature or target is an error, never a NaN in a model.
 *
 * The step is written out by hand (forward, backward, then KerasAdadelta.applyGradients) rather
 * than through optimizer.minimize: tfjs's matMul gradients multiply by transposed operands in
 * place, which the wasm and cpu backends run about ten times slower than an explicit transpose
 * followed by a plain product. The gradients are the same: Keras's clipped BCE passes p − y where
 * eps ≤ p ≤ 1 − eps and nothing where the sigmoid saturates; MAE passes sign(p − y).
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/random';
import { KerasAdadelta } from './keras-adadelta';
import { multiLabelReport, type MultiLabelReport } from '../metrics/classification';
import {
  buildAudioMlp,
  fitStandardizer,
  foldStandardizer,
  standardize,
  type AudioMlpVariant,
  type AudioTask,
  type Standardizer,
} from '../models/audio-mlp';

export interface AudioTrainData {
  /** rows × width features. */
  x: Float32Array;
  width: number;
  /** rows × outputs targets (0/1 labels, or gases in [0, 1]). */
  y: Float32Array;
  outputs: number;
  train: number[];
  validation: number[];
}

export interface AudioTrainConfig {
  variant: AudioMlpVariant;
  task: AudioTask;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  learningRate: number;
  rho: number;
  epsilon: number;
}

export const PAPER_AUDIO_CONFIG: Omit<AudioTrainConfig, 'task'> = {
  variant: 'paper',
  epochs: 1000,
  batchSize: 64,
  shuffle: true,
  seed: 1,
  learningRate: 1.0,
  rho: 0.95,
  epsilon: 1e-7,
};

export interface AudioEpoch {
  epoch: number;
  loss: number;
  valLoss: number;
  /** Scenes: weighted F1 / precision / recall at 0.5. Gases: mean absolute error. */
  f1?: number;
  precision?: number;
  recall?: number;
  mae?: number;
}

export interface AudioTrainResult {
  /** The trained network; it takes raw features (an improved variant's standardiser is folded in). */
  model: tf.Sequential;
  standardizer: Standardizer | null;
  history: AudioEpoch[];
  /** Validation scores of the final model. */
  validationScores: Float32Array;
  report: MultiLabelReport | null;
  /** Gases: validation mean absolute error per output (chemical) of the final model. */
  maePerOutput: number[] | null;
  stopped: boolean;
}

export class AudioDataError extends Error {
  override name = 'AudioDataError';
}

const CLIP = 1e-7;

export function checkAudioData(d: AudioTrainData): void {
  const rows = d.x.length / d.width;
  if (!Number.isInteger(rows) || d.y.length !== rows * d.outputs) {
    throw new AudioDataError(
      `Features (${d.x.length / d.width} rows) and targets (${d.y.length / d.outputs} rows) do not match.`,
    );
  }
  for (let i = 0; i < d.x.length; i++) {
    if (!Number.isFinite(d.x[i])) {
      throw new AudioDataError(
        `Audio feature ${i % d.width} of row ${Math.floor(i / d.width)} is ${d.x[i]}: recompute or fix the imported features.`,
      );
    }
  }
  for (let i = 0; i < d.y.length; i++) {
    if (!Number.isFinite(d.y[i])) {
      throw new AudioDataError(
        `Target ${i % d.outputs} of row ${Math.floor(i / d.outputs)} is missing.`,
      );
    }
  }
  if (d.train.length === 0) throw new AudioDataError('No training rows.');
}

/** Mean absolute error of each output column over rows × outputs predictions. */
export function maePerOutput(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  outputs: number,
): number[] {
  const rows = y.length / outputs;
  const out = new Array<number>(outputs).fill(0);
  for (let i = 0; i < y.length; i++) out[i % outputs] += Math.abs(p[i] - y[i]);
  return out.map((s) => s / Math.max(1, rows));
}

/**
 * The validation MAE per output of the constant predictor that answers the training rows' mean:
 * what a regressor must beat to have learnt anything from the features.
 */
export function meanPredictorMae(d: AudioTrainData): number[] {
  const mean = new Array<number>(d.outputs).fill(0);
  for (const r of d.train) for (let c = 0; c < d.outputs; c++) mean[c] += d.y[r * d.outputs + c];
  for (let c = 0; c < d.outputs; c++) mean[c] /= Math.max(1, d.train.length);
  const y = gather(d.y, d.outputs, d.validation);
  const p = Float32Array.from({ length: y.length }, (_, i) => mean[i % d.outputs]);
  return maePerOutput(y, p, d.outputs);
}

function gather(x: Float32Array, width: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

function lossOf(task: AudioTask, y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  if (task === 'gases') return tf.mean(tf.abs(tf.sub(y, p))) as tf.Scalar;
  const q = tf.clipByValue(p, CLIP, 1 - CLIP);
  const ll = tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))));
  return tf.neg(tf.mean(ll)) as tf.Scalar;
}

interface Net {
  params: tf.Variable[];
  hidden: ['linear' | 'relu', 'tanh' | 'relu'];
  task: AudioTask;
}

interface Activations {
  a1: tf.Tensor2D;
  z1: tf.Tensor2D;
  a2: tf.Tensor2D;
  p: tf.Tensor2D;
}

function forward(net: Net, x: tf.Tensor2D): Activations {
  const [w1, b1, w2, b2, w3, b3] = net.params as tf.Variable<tf.Rank.R2>[];
  const z1 = tf.add(tf.matMul(x, w1), b1) as tf.Tensor2D;
  const a1 = net.hidden[0] === 'relu' ? tf.relu(z1) : z1;
  const z2 = tf.add(tf.matMul(a1, w2), b2) as tf.Tensor2D;
  const a2 = net.hidden[1] === 'relu' ? tf.relu(z2) : tf.tanh(z2);
  const z3 = tf.add(tf.matMul(a2, w3), b3) as tf.Tensor2D;
  const p = net.task === 'scenes' ? tf.sigmoid(z3) : z3;
  return { a1, z1, a2, p };
}

/** The batch-mean loss and its gradients with respect to [w1, b1, w2, b2, w3, b3]. */
function gradients(net: Net, x: tf.Tensor2D, y: tf.Tensor2D): [tf.Scalar, tf.Tensor[]] {
  const [, , w2, , w3] = net.params as tf.Variable<tf.Rank.R2>[];
  const { a1, z1, a2, p } = forward(net, x);
  const scale = 1 / (y.shape[0] * y.shape[1]);
  let dz3: tf.Tensor2D;
  if (net.task === 'scenes') {
    const inRange = tf.logicalAnd(tf.greaterEqual(p, CLIP), tf.lessEqual(p, 1 - CLIP));
    dz3 = tf.mul(tf.mul(tf.sub(p, y), tf.cast(inRange, 'float32')), scale);
  } else {
    dz3 = tf.mul(tf.sign(tf.sub(p, y)), scale);
  }
  const gw3 = tf.matMul(tf.transpose(a2), dz3);
  const gb3 = tf.sum(dz3, 0);
  const da2 = tf.matMul(dz3, tf.transpose(w3));
  const dz2 =
    net.hidden[1] === 'relu' ? tf.mul(da2, tf.step(a2)) : tf.mul(da2, tf.sub(1, tf.square(a2)));
  const gw2 = tf.matMul(tf.transpose(a1), dz2);
  const gb2 = tf.sum(dz2, 0);
  const da1 = tf.matMul(dz2, tf.transpose(w2));
  const dz1 = net.hidden[0] === 'relu' ? tf.mul(da1, tf.step(z1)) : da1;
  const gw1 = tf.matMul(tf.transpose(x), dz1);
  const gb1 = tf.sum(dz1, 0);
  return [lossOf(net.task, y, p), [gw1, gb1, gw2, gb2, gw3, gb3]];
}

export async function trainAudioMlp(
  data: AudioTrainData,
  config: AudioTrainConfig,
  onEpoch?: (e: AudioEpoch) => boolean | void | Promise<boolean | void>,
): Promise<AudioTrainResult> {
  checkAudioData(data);
  const { width, outputs } = data;
  const standardizer =
    config.variant === 'improved' ? fitStandardizer(data.x, width, data.train) : null;
  const x = standardizer ? standardize(data.x, width, standardizer) : data.x;
  const model = buildAudioMlp({
    variant: config.variant,
    task: config.task,
    outputs,
    inputs: width,
    seed: config.seed,
  });
  const net: Net = {
    params: model.getWeights().map((w) => tf.variable(w, true)),
    hidden: config.variant === 'paper' ? ['linear', 'tanh'] : ['relu', 'relu'],
    task: config.task,
  };
  const optimizer = new KerasAdadelta(config.learningRate, config.rho, config.epsilon);
  const xTrain = tf.tensor2d(gather(x, width, data.train), [data.train.length, width]);
  const yTrain = tf.tensor2d(gather(data.y, outputs, data.train), [data.train.length, outputs]);
  const xVal = tf.tensor2d(gather(x, width, data.validation), [data.validation.length, width]);
  const yValData = gather(data.y, outputs, data.validation);
  const yVal = tf.tensor2d(yValData, [data.validation.length, outputs]);
  const random = seededRandom(config.seed);
  const order = data.train.map((_, i) => i);
  const history: AudioEpoch[] = [];
  let stopped = false;
  let scores: Float32Array = new Float32Array(0);
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      if (config.shuffle) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      // batch losses stay on the device until the epoch ends: one read per epoch
      let lossSum: tf.Scalar = tf.scalar(0);
      for (let start = 0; start < order.length; start += config.batchSize) {
        const idx = order.slice(start, start + config.batchSize);
        const next = tf.tidy(() => {
          const ind = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(xTrain, ind);
          const yb = tf.gather(yTrain, ind);
          // the loss reported is that of the weights before the step, as Keras reports it
          const [loss, grads] = gradients(net, xb, yb);
          optimizer.applyGradients(net.params.map((p, i) => ({ name: p.name, tensor: grads[i] })));
          return tf.add(lossSum, tf.mul(loss, idx.length)) as tf.Scalar;
        });
        lossSum.dispose();
        lossSum = next;
      }
      const trainLoss = (await lossSum.data())[0] / order.length;
      lossSum.dispose();
      const [valLossT, predT] = tf.tidy(() => {
        const p = forward(net, xVal).p;
        return [lossOf(config.task, yVal, p), p];
      });
      const valLoss = (await valLossT.data())[0];
      scores = Float32Array.from(await predT.data());
      tf.dispose([valLossT, predT]);
      const e: AudioEpoch = { epoch, loss: trainLoss, valLoss };
      if (config.task === 'scenes') {
        const r = multiLabelReport(yValData, scores, outputs);
        Object.assign(e, r.weighted);
      } else {
        let s = 0;
        for (let i = 0; i < scores.length; i++) s += Math.abs(scores[i] - yValData[i]);
        e.mae = s / Math.max(1, scores.length);
      }
      history.push(e);
      if ((await onEpoch?.(e)) === false) {
        stopped = true;
        break;
      }
    }
    model.setWeights(net.params);
    if (standardizer) foldStandardizer(model, standardizer);
  } finally {
    tf.dispose([xTrain, yTrain, xVal, yVal, ...net.params]);
    optimizer.dispose();
  }
  const report = config.task === 'scenes' ? multiLabelReport(yValData, scores, outputs) : null;
  const mae = config.task === 'gases' ? maePerOutput(yValData, scores, outputs) : null;
  return {
    model,
    standardizer,
    history,
    validationScores: scores,
    report,
    maePerOutput: mae,
    stopped,
  };
}
