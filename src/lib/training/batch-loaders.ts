/**
 * Batches for the training loop, streamed from IndexedDB: sequences stay uint8 until they reach
 * the backend, where they become float32 / 255 (optionally resized there), and the memory the
 * backend's tensors hold, reported with every batch.
 */
import * as tf from '@tensorflow/tfjs';
import { getSequence } from '../store/movies';
import type { Resolution } from '../shapes';
import type { BatchLoader } from './loop';
import type { ModelMeta } from './model-meta';
import type { MemoryInfo } from './protocol';

/** Streams sequences as uint8 and converts them to float32 in [0, 1] on the backend. */
export function sequenceLoader(meta: Pick<ModelMeta, 'rows' | 'inputShape'>): BatchLoader {
  const shape = meta.inputShape!;
  const size = shape.reduce((a, b) => a * b, 1);
  return async (rows) => {
    const bytes = new Uint8Array(rows.length * size);
    for (let i = 0; i < rows.length; i++) {
      const ref = meta.rows[rows[i]];
      const seq = await getSequence(ref.movieId, ref.index);
      if (!seq) throw new Error(`Sequence ${ref.index + 1} of a movie is missing.`);
      bytes.set(new Uint8Array(seq.frames, 0, size), i * size);
    }
    const x = tf.tidy(() =>
      tf.div(tf.cast(tf.tensor(bytes, [rows.length, ...shape], 'int32'), 'float32'), 255),
    );
    return { x, y: x.clone() };
  };
}

/** Frames resized (bilinear, on the backend) to `res` when the stored ones have another size. */
export function resized(load: BatchLoader, res: Resolution): BatchLoader {
  return async (rows) => {
    const batch = await load(rows);
    const [b, f, h, w, c] = batch.x.shape;
    if (h === res.height && w === res.width) return batch;
    const x = tf.tidy(() =>
      tf.image
        .resizeBilinear(batch.x.reshape([b * f, h, w, c]) as tf.Tensor4D, [res.height, res.width])
        .reshape([b, f, res.height, res.width, c]),
    );
    tf.dispose([batch.x, batch.y]);
    return { x, y: x.clone() };
  };
}

/**
 * Memory held by tensors: on WebGPU / WebGL the bytes in GPU buffers (in use, and allocated with
 * tfjs's pool of free buffers), on the CPU backend the bytes of tensor data in the worker's heap.
 */
export function memoryInUse(): MemoryInfo {
  const m = tf.memory() as tf.MemoryInfo & {
    numBytesInGPU?: number;
    numBytesAllocatedInGPU?: number;
    numBytesInGPUAllocated?: number;
  };
  if (m.numBytesInGPU === undefined) {
    return { bytes: m.numBytes, allocated: null, gpu: false, tensors: m.numTensors };
  }
  return {
    bytes: m.numBytesInGPU,
    allocated: m.numBytesAllocatedInGPU ?? m.numBytesInGPUAllocated ?? null,
    gpu: true,
    tensors: m.numTensors,
  };
}
