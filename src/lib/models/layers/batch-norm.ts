/**
 * Batch normalisation over the last axis for tensors of any rank. tfjs-layers'
 * BatchNormalization throws on rank 5, so this one views the input as [rows, channels] and works
 * with rank-2 ops only (also safe on WebGPU). Registered under Keras's class name
 * `BatchNormalization` with Keras's config keys and weight names (gamma, beta, moving_mean,
 * moving_variance), so Keras and tfjs models with batch norm deserialise into it.
 * Training mode uses the batch's biased variance and updates the moving statistics with
 * `momentum` (Keras: moving = moving·momentum + batch·(1 − momentum)).
 */
import * as tf from '@tensorflow/tfjs';

export interface BatchNormArgs {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  name?: string;
  trainable?: boolean;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  /** Keras/tfjs initializer, regularizer and constraint configs are carried through unchanged. */
  [passthrough: string]: unknown;
}

const PASSTHROUGH = [
  'betaInitializer',
  'gammaInitializer',
  'movingMeanInitializer',
  'movingVarianceInitializer',
  'betaRegularizer',
  'gammaRegularizer',
  'betaConstraint',
  'gammaConstraint',
] as const;

export class BatchNormalization extends tf.layers.Layer {
  static className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly passthrough: tf.serialization.ConfigDict = {};
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: BatchNormArgs = {}) {
    super(args as ConstructorParameters<typeof tf.layers.Layer>[0]);
    this.axis = Array.isArray(args.axis) ? (args.axis as number[])[0] : (args.axis ?? -1);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    for (const key of PASSTHROUGH) {
      if (args[key] != null) this.passthrough[key] = args[key] as tf.serialization.ConfigDictValue;
    }
  }

  private checkAxis(rank: number): void {
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new Error(`BatchNormalization here normalises the last axis only (axis ${this.axis}).`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.checkAxis(s.length);
    const dim = s[s.length - 1];
    if (dim == null) throw new Error('BatchNormalization needs a known channel count.');
    if (this.scale) this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight(
      'moving_mean',
      [dim],
      'float32',
      tf.initializers.zeros(),
      undefined,
      false,
    );
    this.movingVariance = this.addWeight(
      'moving_variance',
      [dim],
      'float32',
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      this.checkAxis(x.rank);
      const channels = x.shape[x.rank - 1];
      const rows = tf.reshape(x, [-1, channels]) as tf.Tensor2D;
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (kwargs?.training === true) {
        const moments = tf.moments(rows, 0);
        mean = moments.mean;
        variance = moments.variance;
        this.updateMoving(this.movingMean, mean);
        this.updateMoving(this.movingVariance, variance);
      } else {
        mean = this.movingMean.read();
        variance = this.movingVariance.read();
      }
      let y = tf.mul(tf.sub(rows, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      if (this.gamma) y = tf.mul(y, this.gamma.read());
      if (this.beta) y = tf.add(y, this.beta.read());
      return tf.reshape(y, x.shape);
    });
  }

  private updateMoving(variable: tf.LayerVariable, batchValue: tf.Tensor): void {
    tf.tidy(() => {
      const old = variable.read();
      variable.write(tf.add(tf.mul(old, this.momentum), tf.mul(batchValue, 1 - this.momentum)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.passthrough,
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
    };
  }
}
tf.serialization.registerClass(BatchNormalization);
