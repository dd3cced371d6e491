// Device-side constants (compute/constants.ts): kept per backend instance, so a backend
// registered again under the same name (a new GPU device after a lost one, as the heads-gpu
// browser test does) gets constants of its own instead of tensors living on the old device.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { constant } from '../../src/lib/compute/constants';

const NAME = 'cpu-constants-test';
const cpu = tf.findBackendFactory('cpu')!;
const kernels = tf.getKernelsForBackend('cpu').map((k) => ({ ...k, backendName: NAME }));

describe('constant', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
    tf.removeBackend(NAME);
    for (const k of kernels) tf.unregisterKernel(k.kernelName, NAME);
  });

  it('is one kept tensor per value and shape, remade once disposed or on a new backend', async () => {
    for (const k of kernels) tf.registerKernel(k);
    tf.registerBackend(NAME, cpu);
    await tf.setBackend(NAME);
    const half = constant(0.5);
    expect(constant(0.5)).toBe(half);
    expect(half.shape).toEqual([]);
    expect(half.dataSync()[0]).toBe(0.5);
    const row = constant(0.5, [1, 3]);
    expect(row).not.toBe(half);
    expect(Array.from(row.dataSync())).toEqual([0.5, 0.5, 0.5]);
    // Survives the tidy of the op that first asked for it.
    const inTidy = tf.tidy(() => constant(2));
    expect(inTidy.isDisposed).toBe(false);

    half.dispose();
    const again = constant(0.5);
    expect(again).not.toBe(half);
    expect(again.isDisposed).toBe(false);

    const oldBackend = tf.backend();
    tf.removeBackend(NAME);
    tf.registerBackend(NAME, cpu);
    await tf.setBackend(NAME);
    expect(tf.backend()).not.toBe(oldBackend);
    const fresh = constant(0.5);
    expect(fresh).not.toBe(again);
    expect(fresh.dataSync()[0]).toBe(0.5);
  });
});
