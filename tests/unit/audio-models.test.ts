// Trained audio networks kept in the project (fake-indexeddb, cpu backend): the improved scene
// network is stored with its standardiser folded in (the stored model answers what the trainer
// measured, on raw features) and its mean / std in the metadata; it downloads as .cbmodel or
// model.json + weights and comes back with identical predictions and statistics; the gas network
// is stored as `audio-gases`. The scene dataset follows the project's split setting, and the
// default setting still gives the paper's 1039 / 263 on the study's real features.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { importModelFiles, modelDownloads } from '../../src/lib/interop/model-transfer';
import { listModels } from '../../src/lib/store/runs';
import { openStore } from '../../src/lib/store/db';
import { putMovie } from '../../src/lib/store/movies';
import { createProject } from '../../src/lib/store/projects';
import { saveStudySettings } from '../../src/lib/study/settings';
import { importAudioFeaturesNpy, importLabelCsv } from '../../src/lib/study/studyStore';
import { LABEL_VOCABULARY, PAPER_KEPT_LABEL_INDICES } from '../../src/lib/study/vocabulary';
import { CHEMICAL_KEYS } from '../../src/lib/study/chemicals';
import { loadAudioSceneData } from '../../src/lib/training/audio-dataset';
import {
  captureAudioNetwork,
  keepAudioModel,
  predictStoredAudioModel,
  type AudioNormalisation,
} from '../../src/lib/training/audio-models';
import { PAPER_AUDIO_CONFIG, trainAudioMlp } from '../../src/lib/training/audio-trainer';
import { seededRandom } from '../../src/lib/util/random';
import { readReference } from '../reference';
import { completeMovie } from './movie-records';

setWasmPaths(resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');

// Storing, loading and predicting run on cpu; the scene network trains on wasm, which trains
// exactly as cpu does (audio-mlp.test.ts) and ~30× faster on this machine.
beforeEach(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const asFile = (d: { name: string; blob: Blob }) => new File([d.blob], d.name);

/**
 * Two movies whose features tell their two labels: label j is on when features j, j + 4 … are high. The
 * features are on a large, uneven scale (as the real ones are) so standardising matters.
 */
async function learnableProject(sizes = [40, 30]) {
  const project = await createProject('audio models');
  const db = await openStore();
  const random = seededRandom(11);
  for (const [m, n] of sizes.entries()) {
    const id = `${project.id}-m${m}`;
    await putMovie(completeMovie(id, project.id, `Movie ${m}`, n, m));
    const features = new Float32Array(n * 193);
    const matrix = new Uint8Array(n * 2);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < 193; k++) features[r * 193 + k] = 100 + 50 * k + 5 * random();
      for (let j = 0; j < 2; j++) {
        const on = random() < 0.5;
        matrix[r * 2 + j] = on ? 1 : 0;
        for (let k = j; on && k < 120; k += 4) features[r * 193 + k] += 200;
      }
    }
    await db.put('audioFeatures', {
      movieId: id,
      projectId: project.id,
      source: 'computed',
      rows: n,
      features: features.buffer,
    });
    await db.put('labelSets', {
      id: `${id}-labels`,
      projectId: project.id,
      movieId: id,
      fileName: `${id}.csv`,
      layout: 'label-rows',
      names: ['loud', 'bright'],
      rows: n,
      matrix: matrix.buffer,
      createdAt: 0,
    });
  }
  return project;
}

function gatherRows(x: Float32Array, width: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

describe('kept audio models', () => {
  it('stores the improved scene network, which round-trips through both file forms', async () => {
    const project = await learnableProject();
    const data = await loadAudioSceneData(project.id, { minLabelCount: 1 });
    const config = {
      ...PAPER_AUDIO_CONFIG,
      variant: 'improved' as const,
      task: 'scenes' as const,
      epochs: 40,
      batchSize: 8,
    };
    expect(await tf.setBackend('wasm')).toBe(true);
    const r = await trainAudioMlp(data, config);
    const network = await captureAudioNetwork(r.model, r.standardizer);
    r.model.dispose();
    expect(await tf.setBackend('cpu')).toBe(true);
    const record = await keepAudioModel({
      projectId: project.id,
      network,
      config,
      outputs: data.names,
      split: data.split,
      history: r.history,
      stopped: r.stopped,
    });
    expect(record.kind).toBe('audio-scenes');
    expect((await listModels(project.id)).map((m) => m.id)).toEqual([record.id]);

    // The stored model takes raw features and answers what the trainer measured on
    // standardised ones: the standardiser is folded into its first layer (float32 rounding of
    // features in the thousands, as mel energies are, leaves ~1e-4 in the probabilities).
    const xVal = gatherRows(data.x, 193, data.validation);
    const stored = await predictStoredAudioModel(record.id, xVal);
    let err = 0;
    stored.forEach((p, i) => (err = Math.max(err, Math.abs(p - r.validationScores[i]))));
    expect(err).toBeLessThan(1e-3);
    // It learnt: beats answering each label's majority class from the training rows.
    const yVal = gatherRows(data.y, 2, data.validation);
    const accuracy = (p: (i: number) => number) =>
      yVal.reduce((s, y, i) => s + (p(i) === y ? 1 : 0), 0) / yVal.length;
    const majority = [0, 1].map((j) => {
      const on = data.train.reduce((s, row) => s + data.y[row * 2 + j], 0);
      return on * 2 >= data.train.length ? 1 : 0;
    });
    const model = accuracy((i) => (stored[i] >= 0.5 ? 1 : 0));
    expect(model).toBeGreaterThan(0.9);
    expect(model).toBeGreaterThan(accuracy((i) => majority[i % 2]) + 0.2);

    const normalisation = record.meta.normalisation as AudioNormalisation;
    expect(normalisation.kind).toBe('standardised');
    for (const single of [true, false]) {
      const files = (await modelDownloads(record.id, single)).map(asFile);
      const imported = await importModelFiles(files, project.id);
      expect(imported.model.kind).toBe('audio-scenes');
      expect(imported.model.meta.labelNames).toEqual(data.names);
      // the statistics travel in the file, exactly
      expect(imported.model.meta.normalisation).toEqual(normalisation);
      if (normalisation.kind === 'standardised') {
        expect(normalisation.mean).toEqual([...r.standardizer!.mean]);
        expect(normalisation.std).toEqual([...r.standardizer!.std]);
      }
      expect(await predictStoredAudioModel(imported.model.id, xVal)).toEqual(stored);
    }
    // the run's curve is kept with the model and travels in the file too
    const db = await openStore();
    const runs = await db.getAllFromIndex('runs', 'byProject', project.id);
    expect(runs.find((x) => x.modelId === record.id)?.epochs).toHaveLength(40);
  });

  it('stores the paper gas network as audio-gases with raw features', async () => {
    const project = await learnableProject([12]);
    const rows = 12;
    const x = Float32Array.from({ length: rows * 193 }, (_, i) => Math.sin(i));
    const y = Float32Array.from({ length: rows * 6 }, (_, i) => (i % 7) / 7);
    const config = { ...PAPER_AUDIO_CONFIG, task: 'gases' as const, epochs: 2 };
    const r = await trainAudioMlp(
      { x, width: 193, y, outputs: 6, train: [...Array(9).keys()], validation: [9, 10, 11] },
      config,
    );
    const record = await keepAudioModel({
      projectId: project.id,
      network: await captureAudioNetwork(r.model, r.standardizer),
      config,
      outputs: CHEMICAL_KEYS,
      split: '9 train / 3 validation',
      history: r.history,
      stopped: false,
    });
    r.model.dispose();
    expect(record.kind).toBe('audio-gases');
    expect(record.meta.normalisation).toEqual({ kind: 'none' });
    expect(record.meta.chemicals).toEqual(CHEMICAL_KEYS);
    const p = await predictStoredAudioModel(record.id, x.slice(9 * 193));
    p.forEach((v, i) => expect(v).toBeCloseTo(r.validationScores[i], 5));
  });
});

describe('audio scene split', () => {
  it('follows the project’s split setting', async () => {
    const project = await learnableProject([10, 15]);
    const last = await loadAudioSceneData(project.id, { minLabelCount: 1 });
    expect(last.validation).toEqual([8, 9, 22, 23, 24]);
    expect(last.split).toBe('20 train / 5 validation');

    const movieId = `${project.id}-m1`;
    await saveStudySettings(project.id, { split: { kind: 'movie-out', movieId } });
    const out = await loadAudioSceneData(project.id, { minLabelCount: 1 });
    expect(out.validation).toEqual([...Array(15).keys()].map((i) => 10 + i));
    expect(out.split).toBe('10 train / 15 validation');

    await saveStudySettings(project.id, { split: { kind: 'screening-out' } });
    const screening = await loadAudioSceneData(project.id, { minLabelCount: 1 });
    expect(screening.validation).toEqual(last.validation);
    expect(screening.split).toMatch(/scene labels have no screenings/);

    await saveStudySettings(project.id, { split: { kind: 'last-fraction', fraction: 1 } });
    await expect(loadAudioSceneData(project.id, { minLabelCount: 1 })).rejects.toThrow(
      /The split leaves 0 train/,
    );
  });

  it('gives the paper’s 1039 / 263 on the study’s real features by default', async () => {
    const project = await createProject('real');
    for (const m of ['Buddy', 'Hobbit', 'Machete', 'Mitty', 'Paranormal', 'Tribute']) {
      const text = new TextDecoder().decode(readReference(`smelloffear/labels/${m}.csv`));
      await importLabelCsv(project.id, `${m}.csv`, text, { createMovie: true });
      await importAudioFeaturesNpy(
        project.id,
        `${m}.npy`,
        readReference(`smelloffear/audio/${m}.npy`),
      );
    }
    const data = await loadAudioSceneData(project.id);
    expect([data.train.length, data.validation.length]).toEqual([1039, 263]);
    expect(data.names).toEqual(PAPER_KEPT_LABEL_INDICES.map((i) => LABEL_VOCABULARY[i]));
    expect(data.movies.map((m) => m.rows)).toHaveLength(6);
  });
});
