// The cluster trainer (cluster/, PyTorch DDP) against the notebook: the demo's dataset export
// trains for one epoch with torchrun on two gloo processes; the model files it writes import
// through the notebook's own import path and give PyTorch's outputs; a notebook model gives the
// same outputs in PyTorch; and two processes train exactly as one on the same global batch.
import 'fake-indexeddb/auto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoProject } from '../../src/lib/demo/demo-project';
import { exportDataset } from '../../src/lib/interop/dataset-export';
import { exportModelFiles, prepareModel, readModelJson } from '../../src/lib/interop/model-files';
import { readNpy, writeNpy } from '../../src/lib/interop/npy';
import { tarBlob } from '../../src/lib/interop/tar';
import { installFastKernels } from '../../src/lib/compute/kernels';
import { buildAutoencoder } from '../../src/lib/models/autoencoder';
import { buildSceneHead } from '../../src/lib/models/scene-head';
import type { CheckpointRecord, ModelRecord } from '../../src/lib/store/schema';
import { eraseStore } from '../../src/lib/store/db';

const PYTHON = '/usr/bin/python3';
const TORCHRUN = '/usr/bin/torchrun';
const env = { ...process.env, PYTHONPATH: resolve('cluster'), OMP_NUM_THREADS: '1' };
const dir = mkdtempSync(join(tmpdir(), 'cinebreath-cluster-'));

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    const logs = spawnSync('sh', ['-c', `cat ${dir}/logs/*/*/*/stderr.log 2>/dev/null`], {
      encoding: 'utf8',
    }).stdout;
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}\n${logs}`);
  }
  return r.stdout;
}

/**
 * torchrun with Debian's torch 1.13 on Python 3.11 cannot parse its default "--redirects 0" (an
 * IntFlag change in 3.11), so the workers' stdout is teed and their stderr kept in log files.
 */
const torchrun = (nproc: number, port: number, args: string[]) =>
  run(TORCHRUN, [
    '--nproc_per_node',
    String(nproc),
    '--master_port',
    String(port),
    '--redirects',
    '2',
    '--tee',
    '1',
    '--log_dir',
    join(dir, 'logs'),
    '-m',
    'cinebreath_cluster.train',
    ...args,
  ]);

const npy = (path: string) => readNpy(new Uint8Array(readFileSync(path)).buffer);
const file = (path: string) => new File([readFileSync(path)], path.split('/').pop()!);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** A model file pair through the notebook's import path, built as tfjs would store it. */
async function importIntoNotebook(jsonPath: string, projectId: string) {
  const weights = jsonPath.replace(/\.json$/, '.weights.bin');
  const incoming = await readModelJson(file(jsonPath), [file(weights)]);
  const prepared = await prepareModel(incoming, projectId, { resolutions: [], labelNames: [] });
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: prepared.model.topology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: prepared.checkpoint.weightSpecs,
      weightData: prepared.checkpoint.weights,
    }),
  );
  return { model, prepared };
}

beforeAll(() => {
  installFastKernels('cpu');
  if (!existsSync(TORCHRUN) || spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    throw new Error(
      'The cluster tests need PyTorch for /usr/bin/python3 and torchrun: ' +
        'apt-get install python3-torch (Debian), as .ci/run does.',
    );
  }
});

afterAll(async () => {
  await eraseStore();
  rmSync(dir, { recursive: true, force: true });
});

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
    const save = async (model: tf.LayersModel, kind: string, name: string) => {
      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(
          async (a) => (
            (artifacts = a),
            { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
          ),
        ),
      );
      const record = {
        id: name,
        projectId: 'p',
        kind,
        name,
        createdAt: 0,
        topology: artifacts!.modelTopology,
        meta: { kind },
      } as ModelRecord;
      const checkpoint = {
        modelId: name,
        epoch: 1,
        weightSpecs: artifacts!.weightSpecs,
        weights: artifacts!.weightData,
      } as unknown as CheckpointRecord;
      const paths: string[] = [];
      for (const f of exportModelFiles(record, checkpoint)) {
        const path = join(dir, f.name);
        writeFileSync(path, new Uint8Array(await f.blob.arrayBuffer()));
        paths.push(path);
      }
      return paths.find((p) => p.endsWith('.json'))!;
    };
    const aePath = await save(ae, 'autoencoder', 'notebook-ae');
    const headPath = await save(head, 'scenes', 'notebook-head');

    const frames = new Uint8Array(2 * shape.reduce((a, b) => a * b));
    for (let i = 0; i < frames.length; i++) frames[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(dir, 'frames.npy'), writeNpy(frames, [2, ...shape]));
    run(PYTHON, [
      '-m',
      'cinebreath_cluster.predict',
      '--model',
      aePath,
      '--frames',
      join(dir, 'frames.npy'),
      '--out',
      join(dir, 'ae.npy'),
    ]);
    run(PYTHON, [
      '-m',
      'cinebreath_cluster.predict',
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
    expect(maxAbsDiff(npy(join(dir, 'ae.npy')).data as Float32Array, recon)).toBeLessThan(1e-4);
    expect(maxAbsDiff(npy(join(dir, 'head.npy')).data as Float32Array, scenes)).toBeLessThan(1e-4);
  }, 600_000);

  it('trains the demo export with torchrun on 2 processes; the notebook imports the models and gives PyTorch’s outputs', async () => {
    const project = await loadDemoProject(undefined, { withVideo: false });
    const tar = await exportDataset(project.id, { frames: true });
    const tarPath = join(dir, tar.name);
    writeFileSync(tarPath, new Uint8Array(await tar.blob.arrayBuffer()));

    const args = [
      '--data',
      tarPath,
      '--epochs',
      '1',
      '--head-epochs',
      '1',
      '--batch',
      '4',
      '--head-units',
      '8',
      '--name',
      'demo',
    ];
    const out2 = join(dir, 'two');
    const log = torchrun(2, 29531, [...args, '--out', out2]);
    expect(log).toMatch(/autoencoder epoch 1: loss 0\.\d+/);
    const files = readdirSync(out2)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual([
      'demo-autoencoder-batch-norm-cluster.json',
      'demo-gases-head-cluster.json',
      'demo-scenes-head-cluster.json',
    ]);

    const aePath = join(out2, files[0]);
    run(PYTHON, [
      '-m',
      'cinebreath_cluster.predict',
      '--model',
      aePath,
      '--data',
      tarPath,
      '--rows',
      '0,5,27',
      '--out',
      join(dir, 'recon.npy'),
      '--save-inputs',
      join(dir, 'inputs.npy'),
    ]);
    const inputs = npy(join(dir, 'inputs.npy'));
    const x = tf.div(tf.tensor(inputs.data as Uint8Array, inputs.shape, 'float32'), 255);

    const { model: ae, prepared } = await importIntoNotebook(aePath, project.id);
    expect(prepared.model.kind).toBe('autoencoder');
    expect(prepared.model.meta.channelOrder).toBe('rgb');
    expect(
      maxAbsDiff(
        npy(join(dir, 'recon.npy')).data as Float32Array,
        (ae.predict(x) as tf.Tensor).dataSync(),
      ),
    ).toBeLessThan(1e-4);

    const encoder = tf.sequential({ layers: ae.layers.slice(0, 6) });
    const codes = tf.reshape(encoder.predict(x) as tf.Tensor, [inputs.shape[0], -1]);
    for (const name of files.slice(1)) {
      const headPath = join(out2, name);
      run(PYTHON, [
        '-m',
        'cinebreath_cluster.predict',
        '--model',
        headPath,
        '--encoder',
        aePath,
        '--data',
        tarPath,
        '--rows',
        '0,5,27',
        '--out',
        join(dir, `${name}.npy`),
      ]);
      const { model: head, prepared: p } = await importIntoNotebook(headPath, project.id);
      expect(p.model.kind).toBe(name.includes('scenes') ? 'scenes' : 'gases');
      const want = npy(join(dir, `${name}.npy`)).data as Float32Array;
      expect(maxAbsDiff(want, (head.predict(codes) as tf.Tensor).dataSync())).toBeLessThan(1e-4);
    }
    const scenes = JSON.parse(readFileSync(join(out2, files[2]), 'utf8'));
    expect(scenes.userDefinedMetadata.cinebreath.labelNames.length).toBeGreaterThan(1);
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
    torchrun(2, 29533, [...args, '--epochs', '2', '--out', join(dir, 'noise-two')]);
    run(PYTHON, [
      '-m',
      'cinebreath_cluster.train',
      ...args,
      '--epochs',
      '2',
      '--out',
      join(dir, 'noise-one'),
    ]);
    run(PYTHON, [
      '-m',
      'cinebreath_cluster.train',
      ...args,
      '--epochs',
      '0',
      '--out',
      join(dir, 'noise-initial'),
    ]);
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
