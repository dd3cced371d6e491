/**
 * Layer outputs for the activation maps. Every chosen layer comes out of ONE composite model that
 * shares the trained model's layers and weights and lists those layers' outputs as its outputs
 * (the tfjs-examples visualize-convnet approach), so a sequence passes through the network once.
 */
import * as tf from '@tensorflow/tfjs';
import { FRAMES_PER_SEQUENCE, CHANNELS, type Resolution } from '../shapes';
import type { LayerActivation } from './heatmap';

export interface LayerInfo {
  name: string;
  className: string;
  /** Output shape without the batch dimension: frames × height × width × filters. */
  shape: LayerActivation['shape'];
}

/** Layers whose output is a volume (frames × height × width × filters): convs, BN, pools, … */
export function volumeLayers(model: tf.LayersModel): LayerInfo[] {
  const out: LayerInfo[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const shape = layer.outputShape;
    if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 5) continue;
    const dims = (shape as (number | null)[]).slice(1);
    if (dims.some((d) => d == null)) continue;
    out.push({
      name: layer.name,
      className: layer.getClassName(),
      shape: dims as LayerActivation['shape'],
    });
  }
  return out;
}

/** A model from `model`'s input to the outputs of `layerNames`, in that order. */
export function activationModel(
  model: tf.LayersModel,
  layerNames: readonly string[],
): tf.LayersModel {
  if (!layerNames.length) throw new Error('Choose at least one layer to look inside.');
  const outputs = layerNames.map((name) => {
    const output = model.getLayer(name).output;
    if (Array.isArray(output)) throw new Error(`Layer ${name} has several outputs.`);
    return output;
  });
  return tf.model({ inputs: model.inputs, outputs, name: `${model.name}_activations` });
}

/** Runs the composite model once; returns each layer's output tensor (caller disposes). */
export function layerOutputs(
  composite: tf.LayersModel,
  layerNames: readonly string[],
  input: tf.Tensor,
): Map<string, tf.Tensor> {
  const result = composite.predict(input);
  const tensors = Array.isArray(result) ? result : [result];
  return new Map(layerNames.map((name, i) => [name, tensors[i]]));
}

/** Downloads the first batch item of each output as a LayerActivation and disposes the tensors. */
export async function readActivations(outputs: Map<string, tf.Tensor>): Promise<LayerActivation[]> {
  const result: LayerActivation[] = [];
  for (const [name, tensor] of outputs) {
    const [, frames, height, width, filters] = tensor.shape;
    const perItem = frames * height * width * filters;
    const all = (await tensor.data()) as Float32Array;
    result.push({ name, shape: [frames, height, width, filters], values: all.slice(0, perItem) });
    tensor.dispose();
  }
  return result;
}

/**
 * One stored sequence as the network's input: uint8 frames scaled to [0, 1] (as the original
 * code's /255), shape [1, frames, height, width, 3].
 */
export function sequenceInput(frames: Uint8Array, resolution: Resolution): tf.Tensor5D {
  const expected = FRAMES_PER_SEQUENCE * resolution.height * resolution.width * CHANNELS;
  if (frames.length !== expected) {
    throw new Error(
      `A sequence has ${frames.length} bytes; ${resolution.width}×${resolution.height} frames need ${expected}.`,
    );
  }
  return tf.tidy(() =>
    tf
      .tensor(
        frames,
        [1, FRAMES_PER_SEQUENCE, resolution.height, resolution.width, CHANNELS],
        'int32',
      )
      .toFloat()
      .div(255),
  );
}

/**
 * Index of the encoded volume among an autoencoder's volume layers: the first layer with the
 * smallest frames × height × width (the last pool of the encoder; the decoder grows from there).
 */
export function encodedLayerIndex(layers: readonly Pick<LayerInfo, 'shape'>[]): number {
  let best = -1;
  let bestSize = Infinity;
  layers.forEach(({ shape: [t, h, w] }, i) => {
    if (t * h * w < bestSize) {
      best = i;
      bestSize = t * h * w;
    }
  });
  return best;
}
