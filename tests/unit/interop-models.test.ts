// Models leave as tfjs files (two files or one .cbmodel) that stock tfjs loads, and come back into
// a project with their metadata; files that do not fit are refused and nothing is stored.
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { eraseStore, openStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import { getCheckpoint } from '../../src/lib/store/checkpoints';
import { putMovie } from '../../src/lib/store/movies';
import type { CheckpointRecord, ModelRecord, MovieRecord } from '../../src/lib/store/schema';
import { importModelFiles, modelDownloads } from '../../src/lib/interop/model-transfer';
import type { ModelJson } from '../../src/lib/interop/model-files';
import { readReference } from '../reference';
import { readNpy } from '../../src/lib/util/npy';
import { readFileSync } from 'node:fs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(async () => {
  await eraseStore();
});

async function artifactsOf(model: tf.LayersModel) {
  let out!: tf.io.ModelArtifacts;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out;
}

function audioModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [193], units: 8, activation: 'tanh' }));
  m.add(tf.layers.dense({ units: 3, activation: 'sigmoid' }));
  return m;
}

function videoModel(width: number, height: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv3d({
      inputShape: [30, height, width, 3],
      filters: 2,
      kernelSize: 3,
      padding: 'same',
    }),
  );
  m.add(tf.layers.conv3d({ filters: 3, kernelSize: 1, activation: 'sigmoid' }));
  return m;
}

async function storeModel(
  projectId: string,
  model: tf.LayersModel,
  kind: string,
  meta: Record<string, unknown>,
) {
  const a = await artifactsOf(model);
  const record: ModelRecord = {
    id: `m-${kind}`,
    projectId,
    kind,
    name: `My ${kind} model`,
    createdAt: 1,
    topology: a.modelTopology,
    meta,
  };
  const checkpoint: CheckpointRecord = {
    modelId: record.id,
    epoch: 7,
    projectId,
    weightSpecs: a.weightSpecs!,
    weights: a.weightData as ArrayBuffer,
    optimizerSpecs: [],
    optimizer: new ArrayBuffer(0),
    createdAt: 2,
  };
  const db = await openStore();
  await db.put('models', record);
  await db.put('checkpoints', checkpoint);
  await db.put('runs', {
    id: 'r1',
    projectId,
    kind,
    modelId: record.id,
    config: {},
    epochs: [{ epoch: 1, loss: 0.5 }],
    state: 'done',
    createdAt: 3,
  });
  return record;
}

const asFile = (d: { name: string; blob: Blob }) => new File([d.blob], d.name);

function movie(projectId: string, width: number, height: number): MovieRecord {
  return {
    id: `mv-${projectId}`,
    projectId,
    name: 'M',
    durationS: 60,
    frameRate: 24,
    source: { fileName: 'm.mp4', size: 1, hash: 'h' },
    settings: { startS: 0, endS: null, width, height, fit: 'stretch', channelOrder: 'rgb' },
    state: 'complete',
    sequencesDone: 0,
    sequencesTotal: 0,
    createdAt: 1,
  };
}

async function modelCount(projectId: string) {
  const db = await openStore();
  return [
    (await db.getAllFromIndex('models', 'byProject', projectId)).length,
    (await db.getAllFromIndex('checkpoints', 'byProject', projectId)).length,
  ];
}

describe('model export', () => {
  it('writes model.json + weights that stock tfjs loads, with Cinebreath metadata', async () => {
    const project = await createProject('A');
    const model = audioModel();
    const meta = {
      labelNames: ['comedy', 'drama', 'action'],
      normalisation: { kind: 'none' },
      split: { kind: 'last-fraction', fraction: 0.2 },
    };
    const record = await storeModel(project.id, model, 'audio-scenes', meta);
    const files = await modelDownloads(record.id, false);
    expect(files.map((f) => f.name)).toEqual([
      'my-audio-scenes-model.json',
      'my-audio-scenes-model.weights.bin',
    ]);
    const json = JSON.parse(await files[0].blob.text()) as ModelJson;
    expect(json.weightsManifest[0].paths).toEqual(['my-audio-scenes-model.weights.bin']);
    const m = json.userDefinedMetadata!.cinebreath!;
    expect(m).toMatchObject({
      kind: 'audio-scenes',
      epoch: 7,
      inputShape: [193],
      labelNames: meta.labelNames,
      split: meta.split,
      history: [{ epoch: 1, loss: 0.5 }],
    });
    expect(m.appVersion).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);

    // What tf.loadLayersModel does with the two files, minus the browser's FileReader.
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as object,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: await files[1].blob.arrayBuffer(),
      }),
    );
    const x = tf.randomNormal([4, 193]);
    expect((loaded.predict(x) as tf.Tensor).arraySync()).toEqual(
      (model.predict(x) as tf.Tensor).arraySync(),
    );
  });
});

describe('model import', () => {
  for (const single of [false, true]) {
    it(`brings a ${single ? '.cbmodel' : 'model.json + weights'} back into another project`, async () => {
      const source = await createProject('A');
      const target = await createProject('B');
      const model = audioModel();
      const record = await storeModel(source.id, model, 'audio-scenes', {
        labelNames: ['a', 'b', 'c'],
      });
      const files = (await modelDownloads(record.id, single)).map(asFile);
      const imported = await importModelFiles(files, target.id);
      expect(imported.model).toMatchObject({
        projectId: target.id,
        kind: 'audio-scenes',
        name: 'My audio-scenes model',
      });
      expect(imported.model.meta).toMatchObject({
        labelNames: ['a', 'b', 'c'],
        history: [{ epoch: 1, loss: 0.5 }],
      });
      expect(imported.checkpoint.epoch).toBe(7);
      const stored = await getCheckpoint(imported.model.id, 7);
      const back = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: imported.model.topology as object,
          weightSpecs: stored!.weightSpecs as tf.io.WeightsManifestEntry[],
          weightData: stored!.weights,
        }),
      );
      const x = tf.randomNormal([2, 193]);
      expect((back.predict(x) as tf.Tensor).arraySync()).toEqual(
        (model.predict(x) as tf.Tensor).arraySync(),
      );
    });
  }

  it('imports the paper’s labels_audio.h5 as an audio scene model that still computes the same', async () => {
    const project = await createProject('A');
    const file = new File([readReference('keras/labels_audio.h5')], 'labels_audio.h5');
    const imported = await importModelFiles([file], project.id);
    expect(imported.model.kind).toBe('audio-scenes');
    expect(imported.outputShape).toEqual([13]);
    expect(imported.model.meta).toMatchObject({
      importedFrom: 'labels_audio.h5',
      kerasVersion: '2.1.5',
    });
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: imported.model.topology as object,
        weightSpecs: imported.checkpoint.weightSpecs as tf.io.WeightsManifestEntry[],
        weightData: imported.checkpoint.weights,
      }),
    );
    const x = readNpy(readReference('keras/audio_input_buddy5.npy'));
    const want = readNpy(readReference('keras/labels_audio_out_buddy5.npy')).data;
    const got = (
      loaded.predict(tf.tensor(Float32Array.from(x.data), x.shape)) as tf.Tensor
    ).dataSync();
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
  });

  it('refuses model.json without its weights, storing nothing', async () => {
    const project = await createProject('A');
    const record = await storeModel(project.id, audioModel(), 'audio-scenes', {});
    const [json] = await modelDownloads(record.id, false);
    await expect(importModelFiles([asFile(json)], project.id)).rejects.toThrow(
      'my-audio-scenes-model.json needs its weights file my-audio-scenes-model.weights.bin: drop it together with the model.json',
    );
    expect(await modelCount(project.id)).toEqual([1, 1]);
  });

  it('refuses weights of the wrong size', async () => {
    const project = await createProject('A');
    const record = await storeModel(project.id, audioModel(), 'audio-scenes', {});
    const [json, bin] = await modelDownloads(record.id, false);
    const cut = new File([bin.blob.slice(0, 100)], bin.name);
    await expect(importModelFiles([asFile(json), cut], project.id)).rejects.toThrow(
      /could not be loaded as a model/,
    );
    expect(await modelCount(project.id)).toEqual([1, 1]);
  });

  it('refuses a video model whose frame size does not fit the project', async () => {
    const source = await createProject('A');
    const target = await createProject('B');
    await putMovie(movie(target.id, 64, 36));
    const record = await storeModel(source.id, videoModel(16, 9), 'autoencoder', {
      channelOrder: 'rgb',
    });
    const files = (await modelDownloads(record.id, true)).map(asFile);
    await expect(importModelFiles(files, target.id)).rejects.toThrow(
      "expects 16×9 frames; this project's movies are 64×36",
    );
    expect(await modelCount(target.id)).toEqual([0, 0]);
  });

  it('refuses a model exported by a newer Cinebreath', async () => {
    const project = await createProject('A');
    const record = await storeModel(project.id, audioModel(), 'audio-scenes', {});
    const [json, bin] = await modelDownloads(record.id, false);
    const parsed = JSON.parse(await json.blob.text()) as ModelJson;
    parsed.userDefinedMetadata!.cinebreath!.metaVersion = 99;
    const newer = new File([JSON.stringify(parsed)], json.name);
    await expect(importModelFiles([newer, asFile(bin)], project.id)).rejects.toThrow(
      /newer Cinebreath/,
    );
    expect(await modelCount(project.id)).toEqual([1, 1]);
  });

  it('refuses a truncated .cbmodel', async () => {
    const project = await createProject('A');
    const record = await storeModel(project.id, audioModel(), 'audio-scenes', {});
    const [one] = await modelDownloads(record.id, true);
    const cut = new File([one.blob.slice(0, one.blob.size - 10)], one.name);
    await expect(importModelFiles([cut], project.id)).rejects.toThrow(/truncated/);
  });
});
