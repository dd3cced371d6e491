/**
 * Switch unpooling (Zeiler & Fergus): 2×2×2 max pooling that also records WHERE each maximum was
 * (its "switch", 0–7 inside the window), and an unpooling that puts values back at exactly those
 * positions with zeros elsewhere — the decoder the paper's §V wished it had instead of
 * nearest-neighbour upsampling.
 *
 * Odd sizes floor like Keras's MaxPooling3D (time 30 → 15 → 7): the dropped last slice comes back
 * as zeros when unpooling to the recorded size (7 → 15 → 30), so no ZeroPadding3D is needed.
 *
 * Apart from the pooling itself (tfjs's MaxPool3D, which WebGPU implements with its gradient),
 * every op here is rank ≤ 4 (WebGPU breaks on some rank-5 ops, e.g. tf.pad): the 5-D tensor is
 * folded into windows [N, C, 8] with reshapes, slices, concatenations and rank-4 transposes.
 * Unpooling multiplies the values by a one-hot of the switch, so its gradient is tfjs's autodiff:
 * each position receives the gradient of the one output it was placed at.
 */
import * as tf from '@tensorflow/tfjs';

type Dims3 = [number, number, number];
type Shape5 = [number | null, number, number, number, number];

/** Keras 'valid' 2×2×2 pooling output size: floor. */
export function pooledSize([d, h, w]: Dims3): Dims3 {
  return [Math.floor(d / 2), Math.floor(h / 2), Math.floor(w / 2)];
}

function dims(x: tf.Tensor): [number, number, number, number, number] {
  if (x.rank !== 5) throw new Error(`Switch pooling needs a rank-5 tensor, got rank ${x.rank}.`);
  return x.shape as [number, number, number, number, number];
}

/** Drops the last slice along each odd axis (rank-3 slices only). */
function cropEven(x: tf.Tensor): tf.Tensor {
  const [b, d, h, w, c] = dims(x);
  const [pd, ph, pw] = pooledSize([d, h, w]);
  if (pd < 1 || ph < 1 || pw < 1) throw new Error(`Cannot 2×2×2-pool a ${d}×${h}×${w} volume.`);
  let a = x;
  if (d !== 2 * pd) a = a.reshape([b, d, h * w * c]).slice([0, 0, 0], [b, 2 * pd, h * w * c]);
  if (h !== 2 * ph) {
    a = a.reshape([b * 2 * pd, h, w * c]).slice([0, 0, 0], [b * 2 * pd, 2 * ph, w * c]);
  }
  if (w !== 2 * pw) {
    a = a.reshape([b * 2 * pd * 2 * ph, w, c]).slice([0, 0, 0], [b * 4 * pd * ph, 2 * pw, c]);
  }
  return a.reshape([b, 2 * pd, 2 * ph, 2 * pw, c]);
}

/** [B, 2D', 2H', 2W', C] → windows [B·D'·H'·W', C, 8], window index dz·4 + dy·2 + dx. */
function toWindows(x: tf.Tensor, b: number, [pd, ph, pw]: Dims3, c: number): tf.Tensor3D {
  const n = b * pd * ph * pw;
  let a = x.reshape([b * pd, 2, ph, 2 * pw * 2 * c]).transpose([0, 2, 1, 3]);
  a = a.reshape([b * pd * ph, 4, pw, 2 * c]).transpose([0, 2, 1, 3]);
  return a.reshape([n, 8, c]).transpose([0, 2, 1]);
}

/** Inverse of toWindows. */
function fromWindows(win: tf.Tensor, b: number, [pd, ph, pw]: Dims3, c: number): tf.Tensor {
  let a = win.transpose([0, 2, 1]).reshape([b * pd * ph, pw, 4, 2 * c]);
  a = a.transpose([0, 2, 1, 3]).reshape([b * pd, ph, 2, 2 * pw * 2 * c]);
  return a.transpose([0, 2, 1, 3]).reshape([b, 2 * pd, 2 * ph, 2 * pw, c]);
}

/** Appends zeros at the end of each axis up to `size` (rank-3 concatenations only). */
function padEnd(x: tf.Tensor, [d, h, w]: Dims3): tf.Tensor {
  const [b, d0, h0, w0, c] = dims(x);
  let a = x;
  if (w0 !== w) {
    a = a.reshape([b * d0 * h0, w0, c]);
    a = tf.concat([a, tf.zeros([b * d0 * h0, w - w0, c], a.dtype)], 1);
  }
  if (h0 !== h) {
    a = a.reshape([b * d0, h0, w * c]);
    a = tf.concat([a, tf.zeros([b * d0, h - h0, w * c], a.dtype)], 1);
  }
  if (d0 !== d) {
    a = a.reshape([b, d0, h * w * c]);
    a = tf.concat([a, tf.zeros([b, d - d0, h * w * c], a.dtype)], 1);
  }
  return a.reshape([b, d, h, w, c]);
}

export interface PooledWithSwitches {
  /** [B, ⌊D/2⌋, ⌊H/2⌋, ⌊W/2⌋, C], equal to tf.maxPool3d(x, 2, 2, 'valid'). */
  pooled: tf.Tensor5D;
  /** Same shape, float32 0–7: argmax inside each window, index dz·4 + dy·2 + dx (first max wins). */
  switches: tf.Tensor5D;
}

export function maxPool3dWithSwitches(x: tf.Tensor): PooledWithSwitches {
  return tf.tidy(() => {
    const [b, d, h, w, c] = dims(x);
    const p = pooledSize([d, h, w]);
    // The switches need no gradient: only argmax runs on the folded windows, while the pooled
    // values (and their gradient) come from the backend's own MaxPool3D kernel.
    const switches = toWindows(cropEven(x), b, p, c)
      .argMax(2)
      .cast('float32')
      .reshape([b, ...p, c]) as tf.Tensor5D;
    const pooled = tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid');
    return { pooled, switches };
  });
}

/**
 * Places `values` [B, D', H', W', C] at their `switches` inside 2×2×2 windows of a zero volume of
 * `size` [D, H, W] (the pre-pooling size; the floor-dropped last slices stay zero).
 */
export function unpool3d(values: tf.Tensor, switches: tf.Tensor, size: Dims3): tf.Tensor5D {
  return tf.tidy(() => {
    const [b, pd, ph, pw, c] = dims(values);
    const expected = pooledSize(size);
    if (expected[0] !== pd || expected[1] !== ph || expected[2] !== pw) {
      throw new Error(`Cannot unpool ${pd}×${ph}×${pw} to ${size.join('×')}.`);
    }
    if (switches.shape.join() !== values.shape.join()) {
      throw new Error(`Switches ${switches.shape} do not match values ${values.shape}.`);
    }
    const n = b * pd * ph * pw;
    const idx = switches
      .reshape([n * c])
      .round()
      .cast('int32');
    const mask = tf.oneHot(idx, 8).reshape([n, c, 8]).cast(values.dtype);
    const win = values.reshape([n, c, 1]).mul(mask);
    return padEnd(fromWindows(win, b, [pd, ph, pw], c), size) as tf.Tensor5D;
  });
}

function asShape5(s: tf.Shape | tf.Shape[]): Shape5 {
  const shape = (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
  if (!shape || shape.length !== 5) throw new Error('Switch pooling layers take rank-5 inputs.');
  return shape as Shape5;
}

/** MaxPooling3D(2) with two outputs: [pooled, switches]. */
export class MaxPooling3DWithSwitches extends tf.layers.Layer {
  static className = 'MaxPooling3DWithSwitches';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [b, d, h, w, c] = asShape5(inputShape);
    const out = [b, ...pooledSize([d, h, w]), c];
    return [out, out.slice()];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { pooled, switches } = maxPool3dWithSwitches(x);
    return [pooled, switches];
  }
}

export interface Unpooling3DArgs {
  /** The pre-pooling [D, H, W] to restore. */
  size: Dims3;
  name?: string;
}

/** Inputs [values, switches] → values at their switches in a zero volume of `size`. */
export class Unpooling3D extends tf.layers.Layer {
  static className = 'Unpooling3D';
  readonly size: Dims3;

  constructor(args: Unpooling3DArgs) {
    super({ name: args.name });
    this.size = [...args.size];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, , , , c] = asShape5(inputShape);
    return [b, ...this.size, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new Error('Unpooling3D takes [values, switches].');
    }
    return unpool3d(inputs[0], inputs[1], this.size);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: [...this.size] };
  }
}

tf.serialization.registerClass(MaxPooling3DWithSwitches);
tf.serialization.registerClass(Unpooling3D);
