// The audio scene dataset from the store (fake-indexeddb): features aligned with label sets, rare
// labels dropped, last 20 % of each movie validating, and it trains; the audio gas dataset from the
// demo study's screenings, and the gas regressor learns from it.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeMovie } from './movie-records';
import { openStore } from '../../src/lib/store/db';
import { listMovies, putMovie } from '../../src/lib/store/movies';
import { createProject } from '../../src/lib/store/projects';
import { DEMO_MOVIES, loadDemoProject } from '../../src/lib/demo/demo-project';
import { SCENE_TYPES } from '../../src/lib/demo/scenes';
import { CHEMICAL_KEYS } from '../../src/lib/study/chemicals';
import { loadAudioGasData, loadAudioSceneData } from '../../src/lib/training/audio-dataset';
import {
  meanPredictorMae,
  PAPER_AUDIO_CONFIG,
  trainAudioMlp,
} from '../../src/lib/training/audio-trainer';
import { seededRandom } from '../../src/lib/util/random';

setWasmPaths(resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');

describe('audio scene dataset', () => {
  it('aligns features and labels per movie and splits the last 20 %', async () => {
    await tf.setBackend('cpu');
    const project = await createProject('audio');
    const db = await openStore();
    const sizes = [10, 15];
    for (const [m, n] of sizes.entries()) {
      const id = `m${m}`;
      await putMovie(completeMovie(id, project.id, `Movie ${m}`, n, m));
      // two more feature rows than labels: dropped from the end
      const features = Float32Array.from({ length: (n + 2) * 193 }, (_, i) => Math.sin(i));
      await db.put('audioFeatures', {
        movieId: id,
        projectId: project.id,
        source: 'computed',
        rows: n + 2,
        features: features.buffer,
      });
      const matrix = new Uint8Array(n * 3);
      for (let r = 0; r < n; r++) {
        matrix[r * 3] = r % 2; // common
        matrix[r * 3 + 1] = r === 0 ? 1 : 0; // rare
        matrix[r * 3 + 2] = 1; // always
      }
      await db.put('labelSets', {
        id: `l${m}`,
        projectId: project.id,
        movieId: id,
        fileName: `${id}.csv`,
        layout: 'label-rows',
        names: ['common', 'rare', 'always'],
        rows: n,
        matrix: matrix.buffer,
        createdAt: 0,
      });
    }
    // Too few labels: the message points at the Audio cell's own threshold field.
    await expect(loadAudioSceneData(project.id, { minLabelCount: 1000 })).rejects.toThrow(
      'No label is used 1000 times: lower “Keep labels used at least … times” under Scene networks in the Audio cell.',
    );
    const data = await loadAudioSceneData(project.id, { minLabelCount: 5 });
    expect(data.names).toEqual(['common', 'always']);
    expect(data.train).toHaveLength(8 + 12);
    expect(data.validation).toEqual([8, 9, 22, 23, 24]);
    expect(data.y[1 * 2]).toBe(1);
    const r = await trainAudioMlp(data, { ...PAPER_AUDIO_CONFIG, task: 'scenes', epochs: 2 });
    expect(r.report!.perLabel).toHaveLength(2);
    r.model.dispose();
  });
});

describe('audio gas dataset', () => {
  it('pairs the demo’s screenings with audio features, lagged and split, and the regressor beats the mean', async () => {
    // the wasm backend trains exactly as cpu does (audio-mlp.test.ts) and much faster
    expect(await tf.setBackend('wasm')).toBe(true);
    const project = await loadDemoProject(undefined, { withVideo: false });
    await expect(loadAudioGasData(project.id)).rejects.toThrow(/No screening meets a movie/);
    const movies = await listMovies(project.id);
    const plans = DEMO_MOVIES.filter((m) => !m.video);
    const db = await openStore();
    // Features that carry the scene (what the real 193 features do for the demo's sounds), for
    // the first two movies only: the third's screenings must then be left out.
    const random = seededRandom(5);
    for (const [m, plan] of plans.slice(0, 2).entries()) {
      const n = plan.scenes.length;
      const features = new Float32Array(n * 193);
      plan.scenes.forEach((key, r) => {
        const s = SCENE_TYPES.findIndex((t) => t.key === key);
        for (let k = 0; k < 193; k++) features[r * 193 + k] = (k % 4 === s ? 3 : 0) + random();
      });
      await db.put('audioFeatures', {
        movieId: movies[m].id,
        projectId: project.id,
        source: 'computed',
        rows: n,
        features: features.buffer,
      });
    }
    // breath answers the previous period: gas row r + 1 is the target of sequence r
    const data = await loadAudioGasData(project.id, { lag: 1 });
    expect(data.chemicals).toEqual(CHEMICAL_KEYS);
    expect(data.chemicalNames[0]).toBe('CO₂');
    expect(data.screenings).toBe(plans[0].screenings + plans[1].screenings);
    // 9 lagged rows per screening; the last 20 % of each movie's 9 sequences (7, 8) validate
    expect(data.x.length / 193).toBe(6 * 9);
    expect(data.validation).toHaveLength(6 * 2);
    expect(data.split).toBe('42 train / 12 validation');
    // row 0 of the first screening is sequence 0's features
    expect(data.x[0]).toBeCloseTo(3 * Number(SCENE_TYPES[0].key === plans[0].scenes[0]), -1);

    const baseline = meanPredictorMae(data);
    const r = await trainAudioMlp(data, {
      ...PAPER_AUDIO_CONFIG,
      variant: 'improved',
      task: 'gases',
      epochs: 60,
      batchSize: 16,
    });
    const mae = r.maePerOutput!;
    expect(mae).toHaveLength(6);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(mae)).toBeCloseTo(r.history.at(-1)!.mae!, 5);
    expect(mean(mae)).toBeLessThan(0.85 * mean(baseline));
    r.model.dispose();
  });
});
