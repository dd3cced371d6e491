/**
 * Rebuilds a Keras 2 model in TensorFlow.js from what keras-h5.ts read: the architecture from
 * `model_config` (tfjs-layers deserialises Keras configs), then every layer's weights by layer
 * name, in Keras' saved order, with shape checks. Keras and tfjs share weight layouts (Dense
 * (in, out); Conv3D (kd, kh, kw, in, out); BatchNormalization gamma, beta, mean, variance), so no
 * transposition is needed. Layers neither tfjs nor our custom layers (src/lib/models/layers) know
 * are all listed by name before anything is built.
 */
import * as tf from '@tensorflow/tfjs';
// Registers the custom layers (UpSampling3D, ZeroPadding3D …) so Keras configs naming them load.
import '../models/layers';
import { InteropError } from './errors';
import type { KerasH5Content } from './keras-h5';

interface LayerConfig {
  class_name: string;
  config: { name?: string; layers?: unknown } | unknown[];
}

/** Every layer (name and class) in a Keras model config, nested models included. */
export function kerasLayers(config: unknown): { name: string; className: string }[] {
  const found: { name: string; className: string }[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const { class_name: className, config: inner } = node as LayerConfig;
    const list = Array.isArray(inner)
      ? inner
      : inner && typeof inner === 'object' && Array.isArray((inner as { layers?: unknown }).layers)
        ? (inner as { layers: unknown[] }).layers
        : null;
    if (list) {
      for (const child of list) visit(child);
      return;
    }
    const name = (inner as { name?: unknown } | undefined)?.name;
    found.push({ name: typeof name === 'string' ? name : '(unnamed)', className });
  };
  const top = config as LayerConfig;
  const list = Array.isArray(top.config)
    ? top.config
    : (top.config as { layers?: unknown[] })?.layers;
  for (const child of list ?? []) visit(child);
  return found;
}

/** Layers whose class tfjs (with the custom layers registered so far) cannot build. */
export function unsupportedLayers(config: unknown): { name: string; className: string }[] {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  return kerasLayers(config).filter((l) => !(l.className in known));
}

/** Builds the tfjs model with the file's weights. Throws InteropError naming what does not fit. */
export async function buildKerasModel(content: KerasH5Content): Promise<tf.LayersModel> {
  const { fileName, modelConfig } = content;
  if (content.kerasVersion?.startsWith('3')) {
    // Keras 3 writes a different config layout; tfjs-layers follows Keras 2.
    throw new InteropError(
      `${fileName} was written by Keras ${content.kerasVersion}. Cinebreath reads Keras 2 model ` +
        `files; convert it with tensorflowjs_converter --input_format keras and drop the model.json ` +
        `with its weights instead.`,
    );
  }
  const missing = unsupportedLayers(modelConfig);
  if (missing.length) {
    throw new InteropError(
      `${fileName} uses layers Cinebreath cannot rebuild: ` +
        missing.map((l) => `${l.name} (${l.className})`).join(', ') +
        '. Nothing was imported.',
    );
  }
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({
      modelTopology: {
        class_name: modelConfig.class_name,
        config: structuredClone(modelConfig.config),
        keras_version: content.kerasVersion ?? undefined,
        backend: content.backend ?? undefined,
      } as unknown as tf.io.ModelJSON['modelTopology'],
    } as tf.io.ModelJSON);
  } catch (err) {
    throw new InteropError(
      `${fileName}: its architecture could not be rebuilt (${err instanceof Error ? err.message : String(err)}).`,
    );
  }
  try {
    setKerasWeights(model, content);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

function setKerasWeights(model: tf.LayersModel, content: KerasH5Content): void {
  const { fileName } = content;
  const byLayer = new Map(content.layers.map((l) => [l.layer, l.weights]));
  const used = new Set<string>();
  for (const layer of model.layers) {
    const targets = layer.weights;
    if (!targets.length) continue;
    const saved = byLayer.get(layer.name);
    if (!saved || saved.length !== targets.length) {
      throw new InteropError(
        `${fileName}: layer “${layer.name}” needs ${targets.length} weight arrays, the file has ` +
          `${saved?.length ?? 0}.`,
      );
    }
    const tensors = saved.map((w, i) => {
      const want = targets[i].shape;
      if (want.length !== w.shape.length || want.some((d, j) => d !== w.shape[j])) {
        throw new InteropError(
          `${fileName}: weight ${w.name} has shape [${w.shape.join(', ')}], layer ` +
            `“${layer.name}” needs [${want.join(', ')}].`,
        );
      }
      return tf.tensor(w.data, w.shape, 'float32');
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
    used.add(layer.name);
  }
  const orphans = content.layers.filter((l) => l.weights.length && !used.has(l.layer));
  if (orphans.length) {
    throw new InteropError(
      `${fileName}: weights for layers not in its architecture: ${orphans.map((l) => l.layer).join(', ')}.`,
    );
  }
}
