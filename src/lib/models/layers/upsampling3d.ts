/**
 * Keras's UpSampling3D (nearest-neighbour repeat along depth, height and width), missing from
 * tfjs-layers. Each axis is repeated by broadcasting a rank-4 view against ones, never a rank-5
 * op (several rank-5 kernels are broken on WebGPU); the broadcast's gradient is a sum, far cheaper
 * than tile's gradient, which slices once per repetition and supports rank ≤ 4 only.
 * Class name and config keys (`size`, `data_format`) match Keras so saved models load.
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from '../../compute/constants';

export interface UpSampling3DArgs {
  size?: number | [number, number, number];
  dataFormat?: 'channelsLast';
  name?: string;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  trainable?: boolean;
}

function triple(v: number | number[] | undefined, fallback: number): [number, number, number] {
  if (v == null) return [fallback, fallback, fallback];
  if (typeof v === 'number') return [v, v, v];
  if (v.length !== 3) throw new Error(`UpSampling3D size needs 3 values, got ${v.length}.`);
  return [v[0], v[1], v[2]];
}

/**
 * Repeats every element of `x` `times` times along `axis` (1 ≤ axis ≤ 3 of a rank-5 tensor). The
 * gradient sums the repeats of the same rank-4 view; left to autodiff it would first multiply the
 * incoming gradient by the broadcast ones (a full-size product per axis, ~5 % of a batch-4
 * training step on the CPU backend).
 */
export function repeatAxis(x: tf.Tensor, axis: number, times: number): tf.Tensor {
  if (times === 1) return x;
  const shape = x.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const view = [outer, shape[axis], 1, inner];
  const out = [...shape];
  out[axis] = shape[axis] * times;
  const repeat = tf.customGrad((input) => ({
    value: tf.reshape(
      tf.mul(tf.reshape(input as tf.Tensor, view), constant(1, [1, 1, times, 1])),
      out,
    ),
    gradFunc: (dy: tf.Tensor) =>
      tf.reshape(tf.sum(tf.reshape(dy, [outer, shape[axis], times, inner]), 2), shape),
  }));
  return repeat(x);
}

export class UpSampling3D extends tf.layers.Layer {
  static className = 'UpSampling3D';
  readonly size: [number, number, number];

  constructor(args: UpSampling3DArgs = {}) {
    super(args);
    if (args.dataFormat && args.dataFormat !== 'channelsLast') {
      throw new Error('UpSampling3D supports channels-last data only.');
    }
    this.size = triple(args.size, 2);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [
      s[0],
      s[1] == null ? null : s[1] * this.size[0],
      s[2] == null ? null : s[2] * this.size[1],
      s[3] == null ? null : s[3] * this.size[2],
      s[4],
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.rank !== 5) throw new Error(`UpSampling3D expects rank 5, got rank ${x.rank}.`);
      for (let i = 0; i < 3; i++) x = repeatAxis(x, i + 1, this.size[i]);
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: [...this.size], dataFormat: 'channelsLast' };
  }
}
tf.serialization.registerClass(UpSampling3D);
