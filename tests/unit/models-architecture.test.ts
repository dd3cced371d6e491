// The paper's networks have exactly the original's parameter counts and shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildAutoencoder, encodedSize, encoderDepth } from '../../src/lib/models/autoencoder';
import { buildSceneHead } from '../../src/lib/models/scene-head';
import { buildGasHead } from '../../src/lib/models/gas-head';
import { countParams, encode } from '../../src/lib/models/forward';
import { SplitDense } from '../../src/lib/models/layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('autoencoder', () => {
  it('has 227,331 parameters (226,947 trainable) with batch norm', () => {
    const m = buildAutoencoder({ batchNorm: true });
    expect(countParams(m)).toEqual({ total: 227_331, trainable: 226_947 });
    expect(m.outputs[0].shape).toEqual([null, 30, 36, 64, 3]);
    m.dispose();
  });
  it('has 226,563 parameters without batch norm', () => {
    const m = buildAutoencoder({ batchNorm: false });
    expect(countParams(m)).toEqual({ total: 226_563, trainable: 226_563 });
    m.dispose();
  });
  it('encodes a sequence into 7×9×16×64 = 64,512 values (time 30 → 15 → 7)', () => {
    expect(encodedSize()).toBe(64_512);
    const m = buildAutoencoder({ batchNorm: true, inputShape: [10, 4, 8, 3] });
    const e = encode(m, encoderDepth(true), tf.zeros([2, 10, 4, 8, 3]));
    expect(e.shape).toEqual([2, 2 * 1 * 2 * 64]);
    m.dispose();
  });
});

describe('heads', () => {
  it('scene head: 66,076,685 trainable for 13 labels', () => {
    const m = buildSceneHead(13);
    expect(countParams(m).trainable).toBe(66_076_685);
    m.dispose();
  });
  it('gas head: 33,034,758 trainable, and the same when its kernel is split', () => {
    const m = buildGasHead(6);
    expect(countParams(m).trainable).toBe(33_034_758);
    m.dispose();
    const split = buildGasHead(6, { maxBufferBytes: 64 * 2 ** 20 });
    expect(split.layers[0]).toBeInstanceOf(SplitDense);
    expect((split.layers[0] as SplitDense).blockRows.length).toBe(2);
    expect(countParams(split).trainable).toBe(33_034_758);
    split.dispose();
  });
});
