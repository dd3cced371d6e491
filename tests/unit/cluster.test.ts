// The cluster trainer (cluster/, PyTorch DDP) against the notebook, in Node: a notebook model
// gives the same outputs in PyTorch, and two torchrun processes train exactly as one on the same
// global batch. The round trip through the notebook in a browser: tests/browser/cluster.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastKernels } from '../../src/lib/compute/kernels';
import { writeNpy } from '../../src/lib/util/npy';
import { tarBlob } from '../../src/lib/interop/tar';
import { buildAutoencoder } from '../../src/lib/models/autoencoder';
import { buildSceneHead } from '../../src/lib/models/scene-head';
import { maxAbsDiff, python, readNpyFile, requirePyTorch, torchrun } from '../cluster-tools';
import { writeModelFiles } from '../model-files';

const dir = mkdtempSync(join(tmpdir(), 'cinebreath-cluster-'));

beforeAll(() => {
  requirePyTorch();
  installFastKernels('cpu');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cluster trainer (PyTorch DDP)', () => {
  it('gives the notebook autoencoder’s and head’s outputs in PyTorch (notebook → PyTorch)', async () => {
    const shape: [number, number, number, number] = [30, 36, 64, 3];
    const ae = buildAutoencoder({ batchNorm: true, inputShape: shape, seed: 7 });
    // Moving statistics away from 0 / 1, so inference-mode batch norm is really compared.
    ae.setWeights(
      ae
        .getWeights()
        .map((w, i) =>
          /moving_(mean|variance)/.test(ae.weights[i].name)
            ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i)
            : w,
        ),
    );
    const head = buildSceneHead(4, { inputDim: 7 * 9 * 16 * 64, units: 8, seed: 3 });
    const aePath = (await writeModelFiles(ae, 'autoencoder', 'notebook-ae', dir)).json;
    const headPath = (await writeModelFiles(head, 'scenes', 'notebook-head', dir)).json;

    const frames = new Uint8Array(2 * shape.reduce((a, b) => a * b));
    for (let i = 0; i < frames.length; i++) frames[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(dir, 'frames.npy'), writeNpy(frames, [2, ...shape]));
    python('predict', [
      '--model',
      aePath,
      '--frames',
      join(dir, 'frames.npy'),
      '--out',
      join(dir, 'ae.npy'),
    ]);
    python('predict', [
      '--model',
      headPath,
      '--encoder',
      aePath,
      '--frames',
      join(dir, 'frames.npy'),
      '--out',
      join(dir, 'head.npy'),
    ]);

    const x = tf.div(tf.tensor(frames, [2, ...shape], 'float32'), 255);
    const recon = (ae.predict(x) as tf.Tensor).dataSync();
    const encoder = tf.sequential({ layers: ae.layers.slice(0, 6) });
    const codes = tf.reshape(encoder.predict(x) as tf.Tensor, [2, -1]);
    const scenes = (head.predict(codes) as tf.Tensor).dataSync();
    expect(maxAbsDiff(readNpyFile(join(dir, 'ae.npy')).data as Float32Array, recon)).toBeLessThan(
      1e-4,
    );
    expect(
      maxAbsDiff(readNpyFile(join(dir, 'head.npy')).data as Float32Array, scenes),
    ).toBeLessThan(1e-4);
  }, 600_000);

  it('averages gradients across ranks: two processes train exactly as one on the same global batch', async () => {
    // Noise frames: the demo's flat colour fields put exact ties in max pooling, where rounding
    // differences of the batch's size would route a gradient elsewhere.
    const rows = 8;
    const shape = [rows, 30, 12, 16, 3];
    const frames = new Uint8Array(shape.reduce((a, b) => a * b));
    let state = 12345;
    for (let i = 0; i < frames.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      frames[i] = state >>> 24;
    }
    const manifest = {
      format: 'cinebreath-dataset',
      formatVersion: 1,
      project: 'noise',
      rows,
      movies: [
        { id: 'm', name: 'Noise', rows: [0, rows], framesStored: rows, channelOrder: 'rgb' },
      ],
      labels: [],
      chemicals: [],
    };
    const tar = tarBlob([
      { name: 'noise-dataset/manifest.json', data: new Blob([JSON.stringify(manifest)]) },
      { name: 'noise-dataset/frames.npy', data: new Blob([writeNpy(frames, shape)]) },
      { name: 'noise-dataset/split.npy', data: new Blob([writeNpy(new Uint8Array(rows), [rows])]) },
    ]);
    const tarPath = join(dir, 'noise.tar');
    writeFileSync(tarPath, new Uint8Array(await tar.arrayBuffer()));
    // In float64, so that what is compared is the arithmetic of the ranks, not float32 rounding:
    // sums over a batch of 4 and over 2 + 2 differ by ~1e-5 of the largest gradient in float32,
    // and Adadelta's steps do not shrink with the gradient, so small weights drift apart.
    const args = [
      '--data',
      tarPath,
      '--batch',
      '4',
      '--only',
      'autoencoder',
      '--name',
      'noise',
      '--float64',
    ];
    const weights = (folder: string) => {
      const bytes = readFileSync(
        join(dir, folder, 'noise-autoencoder-batch-norm-cluster.weights.bin'),
      );
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    };
    torchrun(2, 29533, join(dir, 'logs'), [
      ...args,
      '--epochs',
      '2',
      '--out',
      join(dir, 'noise-two'),
    ]);
    python('train', [...args, '--epochs', '2', '--out', join(dir, 'noise-one')]);
    python('train', [...args, '--epochs', '0', '--out', join(dir, 'noise-initial')]);
    const [one, two, initial] = [
      weights('noise-one'),
      weights('noise-two'),
      weights('noise-initial'),
    ];
    // Four Adadelta steps move weights by ~1e-3 each; the files are float32 (one ulp ~6e-8).
    expect(maxAbsDiff(one, initial)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(one, two)).toBeLessThan(1e-6);
  }, 600_000);
});
