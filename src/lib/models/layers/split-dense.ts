/**
 * A Dense layer whose kernel is stored as several row blocks. The heads' first kernel
 * (64,512 × 1024 float32 = 264 MB) exceeds many WebGPU adapters' maxStorageBufferBindingSize
 * (128 MiB by default); splitting the input rows keeps each buffer under the limit and computes
 * the same function: y = act(Σ_i x[:, rows_i] · W_i + b). `mergeSplitKernel` joins the blocks
 * back into one Keras kernel for export.
 */
import * as tf from '@tensorflow/tfjs';

export type DenseActivation = 'linear' | 'relu' | 'sigmoid';

export interface SplitDenseArgs {
  units: number;
  /** Rows of each kernel block, summing to the input size. */
  blockRows: number[];
  activation?: DenseActivation;
  /** Seeds the initial kernel blocks. */
  seed?: number;
  name?: string;
  trainable?: boolean;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
}

/** Block sizes so that no block exceeds `maxBytes` (float32), as even as possible. */
export function planBlocks(inputDim: number, units: number, maxBytes: number): number[] {
  const rowsPerBlock = Math.max(1, Math.floor(maxBytes / (units * 4)));
  const parts = Math.ceil(inputDim / rowsPerBlock);
  const base = Math.floor(inputDim / parts);
  const extra = inputDim % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

export function activate(x: tf.Tensor, activation: DenseActivation): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'sigmoid') return tf.sigmoid(x);
  return x;
}

export class SplitDense extends tf.layers.Layer {
  static className = 'SplitDense';
  readonly units: number;
  readonly blockRows: number[];
  readonly activation: DenseActivation;
  /** Seeds the initial kernel blocks (not serialised: it only matters before training). */
  private readonly seed?: number;
  private kernels: tf.LayerVariable[] = [];
  private bias!: tf.LayerVariable;

  constructor(args: SplitDenseArgs) {
    super(args);
    this.units = args.units;
    this.blockRows = [...args.blockRows];
    this.activation = args.activation ?? 'linear';
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = s[s.length - 1];
    const total = this.blockRows.reduce((a, b) => a + b, 0);
    if (inputDim !== total) {
      throw new Error(`SplitDense blocks cover ${total} rows but the input has ${inputDim}.`);
    }
    // Glorot-uniform over the whole kernel, as Dense would: the limit depends on the full fan-in.
    const limit = Math.sqrt(6 / (total + this.units));
    this.kernels = this.blockRows.map((rows, i) =>
      this.addWeight(
        `kernel_${i}`,
        [rows, this.units],
        'float32',
        tf.initializers.randomUniform({
          minval: -limit,
          maxval: limit,
          ...(this.seed === undefined ? {} : { seed: this.seed + 1000 * i }),
        }),
      ),
    );
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      let start = 0;
      let sum: tf.Tensor | null = null;
      for (let i = 0; i < this.kernels.length; i++) {
        const rows = this.blockRows[i];
        const part = tf.matMul(
          tf.slice(x, [0, start], [-1, rows]),
          this.kernels[i].read() as tf.Tensor2D,
        );
        sum = sum ? tf.add(sum, part) : part;
        start += rows;
      }
      return activate(tf.add(sum!, this.bias.read()), this.activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      blockRows: [...this.blockRows],
      activation: this.activation,
    };
  }
}
tf.serialization.registerClass(SplitDense);

/** Joins a SplitDense layer's kernel blocks into one [inputDim, units] kernel. */
export function mergeSplitKernel(layer: SplitDense): tf.Tensor2D {
  const kernels = layer.getWeights().slice(0, layer.blockRows.length) as tf.Tensor2D[];
  return tf.concat2d(kernels, 0);
}
