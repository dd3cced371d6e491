// Helpers of the Keras import tests: small Keras-2-style .h5 files written with h5wasm (the layout
// Keras 2.1 uses: root attributes keras_version, backend, model_config;
// model_weights/<layer>/<layer>/<weight>:0), so tests can import models whose outputs they know
// and craft broken files; and the largest absolute difference between two outputs.
import h5wasm from 'h5wasm';
import { expect } from 'vitest';
import type * as tf from '@tensorflow/tfjs';

let counter = 0;

export interface FixtureOptions {
  /** Leave out model_config, as Keras' save_weights does. */
  weightsOnly?: boolean;
  kerasVersion?: string;
}

export async function kerasH5From(
  model: tf.LayersModel,
  opts: FixtureOptions = {},
): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const path = `/fixture-${++counter}.h5`;
  const file = new h5wasm.File(path, 'w');
  file.create_attribute('keras_version', opts.kerasVersion ?? '2.1.5');
  file.create_attribute('backend', 'tensorflow');
  const topology = model.toJSON(null, false) as unknown as {
    class_name: string;
    config: { layers: unknown[] };
  };
  if (!opts.weightsOnly) {
    // Keras 2.1 writes a Sequential's config as the bare list of layers.
    const config = topology.class_name === 'Sequential' ? topology.config.layers : topology.config;
    file.create_attribute(
      'model_config',
      JSON.stringify({ class_name: topology.class_name, config }),
    );
  }
  const root = opts.weightsOnly ? file : file.create_group('model_weights');
  root.create_attribute(
    'layer_names',
    model.layers.map((l) => l.name),
  );
  for (const layer of model.layers) {
    const group = root.create_group(layer.name);
    const names = layer.weights.map((w) => `${layer.name}/${w.name.split('/').pop()}:0`);
    // An empty list is written as one empty string by h5wasm; Keras writes an empty array.
    if (names.length) group.create_attribute('weight_names', names);
    else group.create_attribute('weight_names', new Float64Array(0), [0], '<d');
    if (!names.length) continue;
    const inner = group.create_group(layer.name);
    layer.weights.forEach((w, i) => {
      inner.create_dataset({
        name: names[i].split('/').pop()!,
        data: w.read().dataSync() as Float32Array,
        shape: w.shape as number[],
        dtype: '<f',
      });
    });
  }
  file.close();
  const bytes = FS.readFile(path);
  FS.unlink(path);
  return bytes;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
