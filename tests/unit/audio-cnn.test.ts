// The spectrogram CNN: documented shapes and parameter counts, and it learns which frequency bands
// carry energy on synthetic spectrograms (something a bag of averages could also see — but only
// if the convolutions and the frequency-preserving pooling work).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEL_BINS, SPECTROGRAM_FRAMES, buildAudioCnn } from '../../src/lib/models/audio-cnn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildAudioCnn', () => {
  it('takes 128 × 1292 log-mel input and has the documented parameter counts', () => {
    expect(MEL_BINS).toBe(128);
    expect(SPECTROGRAM_FRAMES).toBe(1292);
    const scenes = buildAudioCnn({ head: 'scenes' });
    expect(scenes.inputs[0].shape).toEqual([null, 128, 1292, 1]);
    expect(scenes.getLayer('time_pool').outputShape).toEqual([null, 128, 323, 1]);
    expect(scenes.getLayer('bands').outputShape).toEqual([null, 16 * 32]);
    expect(scenes.outputs[0].shape).toEqual([null, 13]);
    // convs 416 + 12,832 + 9,248; dense 512·64 + 64; head 64·13 + 13.
    expect(scenes.countParams()).toBe(416 + 12_832 + 9_248 + 32_832 + 845);
    expect(scenes.countParams()).toBe(56_173);
    const gas = buildAudioCnn({ head: 'gas' });
    expect(gas.outputs[0].shape).toEqual([null, 6]);
    expect(gas.countParams()).toBe(55_718);
    expect(gas.getLayer('output').getConfig().activation).toBe('linear');
  });

  it('starts from the same weights for the same seed', () => {
    const options = { head: 'gas' as const, bins: 16, frames: 16, timePool: 1, seed: 3 };
    const weights = () =>
      buildAudioCnn(options)
        .getWeights()
        .map((w) => [...w.dataSync()]);
    expect(weights()).toEqual(weights());
  });

  it('refuses spectrograms too small to pool', () => {
    expect(() => buildAudioCnn({ head: 'scenes', bins: 4 })).toThrow(/too small/);
  });

  it('learns which frequency bands carry energy', async () => {
    const [n, bins, frames, bands] = [96, 16, 16, 2];
    let s = 12345;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const x = new Float32Array(n * bins * frames);
    const y = new Float32Array(n * bands);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < bins * frames; k++) x[i * bins * frames + k] = rand() - 0.5;
      for (let b = 0; b < bands; b++) {
        if (rand() < 0.5) continue;
        y[i * bands + b] = 1;
        // A burst of energy in band b (8 bins), somewhere in the clip.
        const start = Math.floor(rand() * frames * 0.5);
        for (let f = start; f < start + frames / 4; f++)
          for (let m = b * 8; m < b * 8 + 8; m++) x[(i * bins + m) * frames + f] += 1.5;
      }
    }
    const xs = tf.tensor4d(x, [n, bins, frames, 1]);
    const ys = tf.tensor2d(y, [n, bands]);
    const model = buildAudioCnn({
      head: { units: bands, activation: 'sigmoid' },
      bins,
      frames,
      timePool: 1,
      filters: [2, 4, 4],
      kernels: [3, 3, 3],
      denseUnits: 16,
      dropout: 0.1,
      seed: 3,
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy' });
    const train = 64;
    const accuracyOn = (m: tf.LayersModel) =>
      tf.tidy(() => {
        const pred = (m.predict(xs.slice(train)) as tf.Tensor).greater(0.5).toFloat();
        return pred.equal(ys.slice(train)).toFloat().mean().dataSync()[0];
      });
    expect(accuracyOn(model)).toBeLessThan(0.8);
    await model.fit(xs.slice(0, train), ys.slice(0, train), {
      epochs: 15,
      batchSize: 16,
      shuffle: false,
      verbose: 0,
    });
    expect(accuracyOn(model)).toBeGreaterThan(0.9);
  });
});
