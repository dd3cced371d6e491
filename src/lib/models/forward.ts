/**
 * Running a sequential model layer by layer with an explicit training flag. tfjs's
 * `model.apply(x, { training: true })` does not pass the flag to the layers, so batch norm would
 * never use batch statistics; calling each layer ourselves does (functional models included).
 */
import * as tf from '@tensorflow/tfjs';

export function forward(
  model: tf.LayersModel,
  x: tf.Tensor,
  training: boolean,
  layers?: readonly tf.layers.Layer[],
): tf.Tensor {
  if (!(model instanceof tf.Sequential)) return forwardGraph(model, x, training);
  let y = x;
  for (const layer of layers ?? model.layers) y = layer.apply(y, { training }) as tf.Tensor;
  return y;
}

/** The part of a tfjs graph node this walk reads (tfjs types it loosely). */
interface GraphNode {
  inboundLayers: tf.layers.Layer[];
  tensorIndices: number[];
}

/**
 * A single-input, single-output functional model (e.g. the switch autoencoder, whose unpooling
 * takes two inputs) run layer by layer in its topological order, each layer applied to the outputs
 * it was wired to when the model was built, with the training flag.
 */
function forwardGraph(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const outputs = new Map<string, tf.Tensor[]>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') {
      outputs.set(layer.name, [x]);
      continue;
    }
    const node = layer.inboundNodes[0] as unknown as GraphNode;
    const inputs = node.inboundLayers.map((l, i) => outputs.get(l.name)![node.tensorIndices[i]]);
    const y = layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training });
    outputs.set(layer.name, (Array.isArray(y) ? y : [y]) as tf.Tensor[]);
  }
  return outputs.get(model.outputLayers[0].name)![0];
}

/** The encoder's output for `x`, flattened to [batch, values]; batch norm in inference mode. */
export function encode(autoencoder: tf.Sequential, depth: number, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const y = forward(autoencoder, x, false, autoencoder.layers.slice(0, depth));
    return tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
  });
}

/** Trainable and non-trainable parameter counts. */
export function countParams(model: tf.LayersModel): { trainable: number; total: number } {
  const size = (ws: tf.LayerVariable[]) =>
    ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  const trainable = size(model.trainableWeights);
  return { trainable, total: trainable + size(model.nonTrainableWeights) };
}

/**
 * Float32 bytes of every layer's output for one sample (the input included): what a training step
 * keeps for backprop, per sequence. Multi-output layers (switch pooling) count each output.
 */
export function activationBytes(model: tf.LayersModel): number {
  const size = (s: tf.Shape) => s.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  const isShape = (s: tf.Shape | tf.Shape[]): s is tf.Shape => !Array.isArray(s[0]);
  const input = model.inputs.reduce((n, t) => n + size(t.shape), 0);
  return (
    4 *
    model.layers.reduce((n, layer) => {
      if (layer.getClassName() === 'InputLayer') return n;
      const out = layer.outputShape;
      return n + (isShape(out) ? size(out) : out.reduce((m, s) => m + size(s), 0));
    }, input)
  );
}
