// The audio scene dataset from the store (fake-indexeddb): features aligned with label sets, rare
// labels dropped, last 20 % of each movie validating, and it trains.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/db';
import { putMovie } from '../../src/lib/store/movies';
import { createProject } from '../../src/lib/store/projects';
import { loadAudioSceneData } from '../../src/lib/training/audio-dataset';
import { PAPER_AUDIO_CONFIG, trainAudioMlp } from '../../src/lib/training/audio-trainer';

describe('audio scene dataset', () => {
  it('aligns features and labels per movie and splits the last 20 %', async () => {
    await tf.setBackend('cpu');
    const project = await createProject('audio');
    const db = await openStore();
    const sizes = [10, 15];
    for (const [m, n] of sizes.entries()) {
      const id = `m${m}`;
      await putMovie({
        id,
        projectId: project.id,
        name: `Movie ${m}`,
        durationS: n * 30,
        frameRate: 24,
        source: { fileName: `${id}.mp4`, size: 1, hash: id },
        settings: {
          startS: 0,
          endS: null,
          width: 64,
          height: 36,
          fit: 'stretch',
          channelOrder: 'rgb',
        },
        state: 'complete',
        sequencesDone: n,
        sequencesTotal: n,
        createdAt: m,
      });
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
    const data = await loadAudioSceneData(project.id, 0.2, 5);
    expect(data.names).toEqual(['common', 'always']);
    expect(data.train).toHaveLength(8 + 12);
    expect(data.validation).toEqual([8, 9, 22, 23, 24]);
    expect(data.y[1 * 2]).toBe(1);
    const r = await trainAudioMlp(data, { ...PAPER_AUDIO_CONFIG, task: 'scenes', epochs: 2 });
    expect(r.report!.perLabel).toHaveLength(2);
    r.model.dispose();
  });
});
