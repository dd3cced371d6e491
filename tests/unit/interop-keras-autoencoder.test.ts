// The paper's Keras autoencoder (with the custom UpSampling3D / ZeroPadding3D layers) computes in
// tfjs what it computed in Keras. Its own file: about a minute of naive CPU conv3d.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readReference } from '../reference';
import { readNpy } from '../../src/lib/util/npy';
import { readKerasH5Bytes } from '../../src/lib/interop/keras-h5';
import { buildKerasModel } from '../../src/lib/interop/keras-model';
import { maxAbsDiff } from './keras-h5-fixture';

const npy = (name: string) => readNpy(readReference(`keras/${name}`), name);

describe('the paper’s video autoencoder', () => {
  it(
    'video_autoencoder.h5 reproduces pool1, the encoding and the reconstruction to 1e-4',
    { timeout: 300_000 },
    async () => {
      await tf.setBackend('cpu');
      const model = await buildKerasModel(
        await readKerasH5Bytes(
          new Uint8Array(readReference('keras/video_autoencoder.h5')),
          'video_autoencoder.h5',
        ),
      );
      expect(model.countParams()).toBe(226_563);
      const probe = tf.model({
        inputs: model.inputs,
        outputs: ['max_pooling3d_1', 'max_pooling3d_2']
          .map((n) => model.getLayer(n).output as tf.SymbolicTensor)
          .concat(model.outputs),
      });
      // ae_input.npy goes in as-is: it is already in the order the model was trained on (BGR).
      const x = npy('ae_input.npy');
      const outs = tf.tidy(() =>
        (probe.predict(tf.tensor(x.data as Float32Array, x.shape)) as tf.Tensor[]).map((t) => ({
          shape: t.shape,
          data: t.dataSync(),
        })),
      );
      const refs = ['ae_enc_pool1.npy', 'ae_encoder.npy', 'ae_recon.npy'].map(npy);
      outs.forEach((o, i) => {
        expect(o.shape.slice(1)).toEqual(refs[i].shape.slice(1));
        expect(maxAbsDiff(o.data, refs[i].data)).toBeLessThan(1e-4);
      });
      model.dispose();
    },
  );
});
