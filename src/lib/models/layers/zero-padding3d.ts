/**
 * Keras's ZeroPadding3D, missing from tfjs-layers. Pads one axis at a time on a rank-3 view
 * [outer, axis, inner]: WebGPU's rank-5 `tf.pad` emits an invalid shader and training then
 * silently goes wrong. Config `padding` takes Keras's forms: n, (a, b, c) or ((a0, a1), (b0, b1),
 * (c0, c1)).
 */
import * as tf from '@tensorflow/tfjs';

export type Padding3D = [[number, number], [number, number], [number, number]];

export interface ZeroPadding3DArgs {
  padding?: number | number[] | number[][];
  dataFormat?: 'channelsLast';
  name?: string;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  trainable?: boolean;
}

function normalisePadding(p: ZeroPadding3DArgs['padding']): Padding3D {
  if (p == null)
    return [
      [1, 1],
      [1, 1],
      [1, 1],
    ];
  if (typeof p === 'number')
    return [
      [p, p],
      [p, p],
      [p, p],
    ];
  if (p.length !== 3) throw new Error(`ZeroPadding3D padding needs 3 entries, got ${p.length}.`);
  return p.map((e) => {
    if (typeof e === 'number') return [e, e];
    if (e.length !== 2) throw new Error('ZeroPadding3D padding pairs need 2 values.');
    return [e[0], e[1]];
  }) as Padding3D;
}

/** Zero-pads `x` by `before`/`after` along `axis`, through a rank-3 view. */
export function padAxis(x: tf.Tensor, axis: number, before: number, after: number): tf.Tensor {
  if (before === 0 && after === 0) return x;
  const shape = x.shape;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const view = tf.reshape(x, [outer, shape[axis], inner]) as tf.Tensor3D;
  const padded = tf.pad(view, [
    [0, 0],
    [before, after],
    [0, 0],
  ]);
  const out = [...shape];
  out[axis] = shape[axis] + before + after;
  return tf.reshape(padded, out);
}

export class ZeroPadding3D extends tf.layers.Layer {
  static className = 'ZeroPadding3D';
  readonly padding: Padding3D;

  constructor(args: ZeroPadding3DArgs = {}) {
    super(args);
    if (args.dataFormat && args.dataFormat !== 'channelsLast') {
      throw new Error('ZeroPadding3D supports channels-last data only.');
    }
    this.padding = normalisePadding(args.padding);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const grow = (d: number | null, i: number) =>
      d == null ? null : d + this.padding[i][0] + this.padding[i][1];
    return [s[0], grow(s[1], 0), grow(s[2], 1), grow(s[3], 2), s[4]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.rank !== 5) throw new Error(`ZeroPadding3D expects rank 5, got rank ${x.rank}.`);
      for (let i = 0; i < 3; i++) x = padAxis(x, i + 1, this.padding[i][0], this.padding[i][1]);
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      padding: this.padding.map((p) => [...p]),
      dataFormat: 'channelsLast',
    };
  }
}
tf.serialization.registerClass(ZeroPadding3D);
