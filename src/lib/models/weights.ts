/**
 * A model's weights as bytes and back. Weights are restored by position: tfjs names variables per
 * session (conv3d_Conv3D7/kernel), so names differ between the run that saved and the one that
 * restores; shapes are checked.
 *
 * A head's first kernel is split into row blocks (SplitDense) only on a device whose buffers are
 * too small for it, so a checkpoint written on one device may hold it as one matrix and the model
 * on another as blocks, or as other blocks. Row blocks of a row-major matrix are consecutive
 * bytes, so restoring re-divides the specs along the first axis and leaves the payload as it is.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncodedTensors } from '../store/checkpoints';

type Spec = tf.io.WeightsManifestEntry;

/** A tensor with its name, as optimizers and weight files list them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export async function encodeTensors(named: NamedTensor[]): Promise<EncodedTensors> {
  const { data, specs } = await tf.io.encodeWeights(named);
  return { data, specs };
}

/** Decodes tensors in the order they were encoded. */
export function decodeTensors({ specs, data }: EncodedTensors): NamedTensor[] {
  const map = tf.io.decodeWeights(data, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/** A model's weights as bytes, in the order restoreWeights expects them. */
export function captureWeights(model: tf.LayersModel): Promise<EncodedTensors> {
  return encodeTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

/** Two shapes of row blocks of one matrix: rank ≥ 2 with the same dims after the first. */
function sameMatrix(a: number[], b: number[]): boolean {
  return a.length >= 2 && tf.util.arraysEqual(a.slice(1), b.slice(1));
}

/**
 * `specs` re-divided along the first axis wherever consecutive rank ≥ 2 entries are row blocks of
 * one matrix that `shapes` divides otherwise (a kernel split into blocks, or joined, or split
 * differently). Returns `specs` unchanged when they cannot be fitted: the caller's checks then say
 * what differs. The payload described by the specs is the same bytes either way.
 */
export function fitSpecs(specs: readonly Spec[], shapes: readonly number[][]): Spec[] {
  const out: Spec[] = [];
  let i = 0;
  let j = 0;
  while (i < specs.length && j < shapes.length) {
    const first = specs[i];
    if (tf.util.arraysEqual(first.shape, shapes[j])) {
      out.push(first);
      i++;
      j++;
      continue;
    }
    if (first.dtype !== 'float32' || first.quantization || !sameMatrix(first.shape, shapes[j])) {
      return [...specs];
    }
    let saved = first.shape[0];
    let target = shapes[j][0];
    let i2 = i + 1;
    let j2 = j + 1;
    while (saved !== target) {
      if (saved < target) {
        const next = specs[i2];
        const fits =
          next &&
          next.dtype === first.dtype &&
          !next.quantization &&
          sameMatrix(next.shape, first.shape);
        if (!fits) return [...specs];
        saved += next.shape[0];
        i2++;
      } else {
        const next = shapes[j2];
        if (!next || !sameMatrix(next, first.shape)) return [...specs];
        target += next[0];
        j2++;
      }
    }
    for (let k = j; k < j2; k++) {
      out.push({ name: `${first.name}#rows${k - j}`, shape: [...shapes[k]], dtype: first.dtype });
    }
    i = i2;
    j = j2;
  }
  return i === specs.length && j === shapes.length ? out : [...specs];
}

/** Weights, fitted to `model`'s shapes (see fitSpecs). */
function fitWeights(model: tf.LayersModel, weights: EncodedTensors): EncodedTensors {
  const shapes = model.weights.map((w) => w.shape as number[]);
  return { specs: fitSpecs(weights.specs, shapes), data: weights.data };
}

export function restoreWeights(model: tf.LayersModel, weights: EncodedTensors): void {
  const tensors = decodeTensors(fitWeights(model, weights));
  if (tensors.length !== model.weights.length) {
    throw new Error(
      `Checkpoint holds ${tensors.length} weights, the model has ${model.weights.length}.`,
    );
  }
  model.weights.forEach((w, i) => {
    const t = tensors[i].tensor;
    if (!tf.util.arraysEqual(w.shape as number[], t.shape)) {
      throw new Error(`Checkpoint weight ${i} is ${t.shape}, the model expects ${w.shape}.`);
    }
    w.write(t);
  });
  tensors.forEach((t) => t.tensor.dispose());
}
