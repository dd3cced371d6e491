// The paper's own Keras 2 models come into tfjs from their .h5 files and compute what Keras
// computed; broken, foreign or incomplete .h5 files are refused with a message naming the problem.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readReference } from '../reference';
import { readNpy } from '../../src/lib/util/npy';
import { readKerasH5Bytes } from '../../src/lib/interop/keras-h5';
import { buildKerasModel } from '../../src/lib/interop/keras-model';
import { multiLabelReport } from '../../src/lib/metrics/classification';
import { kerasH5From, maxAbsDiff } from './keras-h5-fixture';

const bytes = (name: string) => new Uint8Array(readReference(`keras/${name}`));
const npy = (name: string) => readNpy(readReference(`keras/${name}`), name);

function predict(model: tf.LayersModel, x: { shape: number[]; data: ArrayLike<number> }) {
  return tf.tidy(() =>
    (model.predict(tf.tensor(Float32Array.from(x.data), x.shape)) as tf.Tensor).dataSync(),
  );
}

describe('Keras 2 .h5 import', () => {
  it('labels_audio.h5 reproduces the saved outputs and the weighted F1 of 0.547', async () => {
    await tf.setBackend('cpu');
    const content = await readKerasH5Bytes(bytes('labels_audio.h5'), 'labels_audio.h5');
    expect(content.kerasVersion).toBe('2.1.5');
    expect(content.layers.map((l) => l.layer)).toEqual(['dense_1', 'dense_2', 'dense_3']);
    const model = await buildKerasModel(content);
    expect(model.countParams()).toBe(142_533);

    const out = predict(model, npy('audio_input_buddy5.npy'));
    expect(maxAbsDiff(out, npy('labels_audio_out_buddy5.npy').data)).toBeLessThan(1e-5);

    const val = predict(model, npy('audio_val_x.npy'));
    expect(maxAbsDiff(val, npy('labels_audio_val_prob.npy').data)).toBeLessThan(1e-4);
    const report = multiLabelReport(npy('audio_val_y.npy').data, val, 13);
    expect(report.weighted.f1).toBeCloseTo(0.547, 3);
    model.dispose();
  });
});

function smallVideoModel(): tf.LayersModel {
  const model = tf.sequential({ name: 'small' });
  model.add(
    tf.layers.conv3d({
      name: 'conv3d_1',
      inputShape: [4, 6, 8, 2],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    }),
  );
  model.add(tf.layers.maxPooling3d({ name: 'max_pooling3d_1', poolSize: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten_1' }));
  model.add(tf.layers.dense({ name: 'dense_1', units: 5 }));
  model.add(tf.layers.batchNormalization({ name: 'batch_normalization_1' }));
  model.add(tf.layers.activation({ name: 'activation_1', activation: 'sigmoid' }));
  model.add(tf.layers.dropout({ name: 'dropout_1', rate: 0.3 }));
  // Non-trivial BN statistics so their order matters.
  const bn = model.getLayer('batch_normalization_1');
  bn.setWeights(bn.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.5 + i, 1 + i)));
  return model;
}

describe('Keras 2 .h5 layout', () => {
  it('rebuilds a Conv3D / MaxPooling3D / Dense / BatchNormalization model with its weights', async () => {
    await tf.setBackend('cpu');
    const original = smallVideoModel();
    const file = await kerasH5From(original);
    const model = await buildKerasModel(await readKerasH5Bytes(file, 'small.h5'));
    expect(model.layers.map((l) => l.getClassName())).toEqual(
      original.layers.map((l) => l.getClassName()),
    );
    const x = tf.randomUniform([2, 4, 6, 8, 2]);
    const want = (original.predict(x) as tf.Tensor).dataSync();
    const got = (model.predict(x) as tf.Tensor).dataSync();
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
    expect(Math.max(...got)).toBeGreaterThan(0);
  });

  it('names every layer it cannot build', async () => {
    const content = await readKerasH5Bytes(bytes('video_autoencoder.h5'), 'video_autoencoder.h5');
    const layers = content.modelConfig.config as { class_name: string; config: { name: string } }[];
    // Two real Keras layers tfjs lacks, in place of the ones we provide.
    layers.find((l) => l.config.name === 'up_sampling3d_1')!.class_name = 'Cropping3D';
    layers.find((l) => l.config.name === 'zero_padding3d_1')!.class_name = 'SpatialDropout3D';
    await expect(buildKerasModel(content)).rejects.toThrow(
      'uses layers Cinebreath cannot rebuild: up_sampling3d_1 (Cropping3D), ' +
        'zero_padding3d_1 (SpatialDropout3D).',
    );
  });
});

describe('bad .h5 input', () => {
  it('refuses a truncated file, saying so', async () => {
    const whole = bytes('labels_audio.h5');
    await expect(readKerasH5Bytes(whole.slice(0, whole.length >> 1), 'cut.h5')).rejects.toThrow(
      /truncated/,
    );
  });

  it('refuses a Keras 3 .keras archive with directions', async () => {
    const zip = new Uint8Array([
      0x50,
      0x4b,
      0x03,
      0x04,
      ...new TextEncoder().encode('config.json....'),
    ]);
    await expect(readKerasH5Bytes(zip, 'model.keras')).rejects.toThrow(/Keras 3.*model\.h5/s);
  });

  it('refuses a weights-only file', async () => {
    const file = await kerasH5From(smallVideoModel(), { weightsOnly: true });
    await expect(readKerasH5Bytes(file, 'weights.h5')).rejects.toThrow(/only weights/);
  });

  it('refuses a file that is not HDF5', async () => {
    await expect(readKerasH5Bytes(new TextEncoder().encode('hello'), 'x.h5')).rejects.toThrow(
      /not an HDF5/,
    );
  });

  it('refuses weights whose shapes do not fit the architecture', async () => {
    const content = await readKerasH5Bytes(bytes('labels_audio.h5'), 'labels_audio.h5');
    content.layers[1].weights[0] = { ...content.layers[1].weights[0], shape: [300, 280] };
    await expect(buildKerasModel(content)).rejects.toThrow(
      /dense_2\/kernel:0 has shape \[300, 280\]/,
    );
  });
});
