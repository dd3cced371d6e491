/**
 * Constant tensors kept for the life of a backend, one per (backend instance, value, shape). tfjs
 * turns every JavaScript number in an op (`tf.mul(x, 0.99)`) into a new tensor, which the webgpu
 * backend uploads through a freshly created staging buffer: a large share of a training step's
 * CPU time went to re-uploading the same few numbers every step. Ops in training steps take their constants from
 * here instead. Keyed by the backend object, not its name: a backend registered again under the
 * same name (a new GPU device after a lost one) must not see tensors of the old device.
 */
import * as tf from '@tensorflow/tfjs';

const kept = new WeakMap<tf.KernelBackend, Map<string, tf.Tensor>>();

/** A float32 tensor of `shape` (a scalar by default) filled with `value`; never dispose it. */
export function constant(value: number, shape: number[] = []): tf.Tensor {
  const backend = tf.backend();
  let table = kept.get(backend);
  if (!table) {
    table = new Map();
    kept.set(backend, table);
  }
  const key = `${value}:${shape.join('x')}`;
  let t = table.get(key);
  if (!t || t.isDisposed) {
    t = tf.keep(tf.fill(shape, value, 'float32'));
    table.set(key, t);
  }
  return t;
}
