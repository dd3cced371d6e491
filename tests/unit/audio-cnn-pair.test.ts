// The spectrogram CNN run pair on the demo study (its synthesised clips, scene-dependent
// features standing in for computed ones), in-process: the pooled log-mel input is 64 × 129 per
// clip and cached per movie; the hand-written training step computes what the layers model does
// and its gradients on wasm equal cpu's (so the worker may fall back to wasm, 20× faster than cpu
// here); the CNN learns the demo's scenes (well above the majority-class predictor's F1 of 0), and
// the pair is saved with its one-line F1 table whose numbers are the two arms' last epochs.
import 'fake-indexeddb/auto';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseStore, openStore } from '../../src/lib/store/db';
import { loadDemoProject } from '../../src/lib/demo/demo-project';
import { getAudioClip, listMovies } from '../../src/lib/store/movies';
import { listRuns } from '../../src/lib/store/runs';
import { trainAudioMlp } from '../../src/lib/training/audio-trainer';
import { ExperimentRunner, type TrainArm, type TrainCnn } from '../../src/lib/experiments/runner';
import { pairLinkOf } from '../../src/lib/experiments/run-pair';
import {
  buildNotebookCnn,
  networkForward,
  runCnnJob,
  type CnnNet,
} from '../../src/lib/training/audio-cnn-trainer';
import {
  CNN_FRAMES,
  CNN_INPUT_SIZE,
  CNN_MEL_BANDS,
  logMelRows,
  pooledLogMel,
} from '../../src/lib/features/log-mel';
import { seedSceneFeatures } from '../browser/harness/experiments-ui.harness';

// Both arms train on wasm, as the app's worker does without WebGPU (the MLP equals cpu there:
// audio-mlp.test.ts; the CNN: below).
const mlpInProcess: TrainArm = async (data, config, onEpoch) => {
  await tf.setBackend('wasm');
  const r = await trainAudioMlp(data, config, onEpoch);
  r.model.dispose();
  return { history: r.history, scores: r.validationScores, stopped: r.stopped };
};
const cnnOnWasm: TrainCnn = async (job, epoch, spectrograms) => {
  await tf.setBackend('wasm');
  return { ...(await runCnnJob(job, { epoch, spectrograms })), backend: 'wasm' };
};

let projectId = '';

beforeAll(async () => {
  setWasmPaths(resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  expect(await tf.setBackend('cpu')).toBe(true);
  projectId = (await loadDemoProject(undefined, { withVideo: false })).id;
  await seedSceneFeatures(projectId);
});
afterAll(async () => {
  await eraseStore();
});

describe('log-mel input', () => {
  it('is 64 bands × 129 pooled frames, padded for a short clip, cached per movie', async () => {
    expect([CNN_MEL_BANDS, CNN_FRAMES, CNN_INPUT_SIZE]).toEqual([64, 129, 64 * 129]);
    const movie = (await listMovies(projectId))[0];
    const clip = await getAudioClip(movie.id, 0);
    const full = pooledLogMel(new Float32Array(clip!.samples), clip!.sampleRate);
    expect(full).toHaveLength(64 * 129);
    expect(full.every(Number.isFinite)).toBe(true);
    // power_to_db with top_db 80: the clip's values span at most 80 dB
    expect(Math.max(...full) - Math.min(...full)).toBeLessThanOrEqual(80 + 1e-9);
    // the first second alone: 4 pooled frames, the rest padded with its floor
    const short = pooledLogMel(new Float32Array(clip!.samples).subarray(0, 22050));
    expect(short[5]).toBe(Math.min(...short));
    expect(() => pooledLogMel(new Float32Array(0))).toThrow(/empty/);

    const rows = [0, 1].map((index) => ({ movieId: movie.id, index }));
    const first = await logMelRows(projectId, rows);
    expect(first.subarray(0, CNN_INPUT_SIZE)).toEqual(full);
    const db = await openStore();
    const cached = await db.get('encodings', [`log-mel/64x129:${movie.id}`, 1]);
    expect(new Float32Array(cached!.values)).toEqual(first.subarray(CNN_INPUT_SIZE));
    expect(await logMelRows(projectId, rows)).toEqual(first);
  });
});

describe('the CNN training step', () => {
  const [bands, frames, n] = [16, 24, 6];
  const x = () =>
    tf.tensor4d(
      Float32Array.from({ length: n * bands * frames }, (_, i) => Math.sin(i * 0.37) * 2),
      [n, bands, frames, 1],
    );
  const net = (): CnnNet => ({
    params: buildNotebookCnn('scenes', 3, 5, bands, frames)
      .getWeights()
      .map((w) => tf.variable(w, true)),
    task: 'scenes',
    dropout: 0.3,
  });

  it('computes what the layers model predicts', async () => {
    await tf.setBackend('cpu');
    const model = buildNotebookCnn('scenes', 3, 5, bands, frames);
    const input = x();
    const expected = await (model.predict(input) as tf.Tensor).data();
    const n1 = net();
    const got = await networkForward(n1, input, null).data();
    let err = 0;
    got.forEach((v, i) => (err = Math.max(err, Math.abs(v - expected[i]))));
    expect(err).toBeLessThan(1e-5);
    model.dispose();
    tf.dispose([input, ...n1.params]);
  });

  it('has the same gradients on wasm as on cpu', async () => {
    const grads: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const n1 = net();
      const input = x();
      const y = tf.tensor2d(
        Float32Array.from({ length: n * 3 }, (_, i) => i % 2),
        [n, 3],
      );
      const { grads: g } = tf.variableGrads(
        () => tf.losses.sigmoidCrossEntropy(y, networkForward(n1, input, 7)) as tf.Scalar,
        n1.params,
      );
      grads.push(n1.params.map((p) => g[p.name].dataSync() as Float32Array));
      tf.dispose([input, y, ...n1.params, ...Object.values(g)]);
    }
    for (let i = 0; i < grads[0].length; i++) {
      const scale = Math.max(1e-6, ...grads[0][i].map(Math.abs));
      let err = 0;
      grads[0][i].forEach((v, j) => (err = Math.max(err, Math.abs(v - grads[1][i][j]))));
      expect(err / scale).toBeLessThan(1e-4);
      expect(scale).toBeGreaterThan(1e-6);
    }
  });
});

describe('spectrogram CNN pair', () => {
  it(
    'learns the demo scenes and saves a linked pair with its F1 row',
    { timeout: 600_000 },
    async () => {
      const epochs: number[] = [];
      const runner = new ExperimentRunner(
        mlpInProcess,
        () => undefined,
        async (job, e, s) => cnnOnWasm(job, (x) => (epochs.push(x.seconds), e(x)), s),
      );
      const c = await runner.run('audio-cnn', projectId, {
        epochs: 20,
        maxLag: 0,
        seed: 1,
        seeds: 1,
      });
      const runs = await listRuns(projectId);
      const base = runs.find((r) => r.id === c.baseline.runId)!;
      const variant = runs.find((r) => r.id === c.variant.runId)!;
      expect(pairLinkOf(variant)).toMatchObject({ role: 'variant', partnerRunId: base.id });
      expect(variant.kind).toBe('scenes (log-mel CNN)');
      expect(c.rows).toHaveLength(1);
      const [row] = c.rows;
      expect(row.metric).toBe('weighted F1');
      expect(row.baseline).toBe(base.epochs.at(-1)!.f1);
      expect(row.variant).toBe(variant.epochs.at(-1)!.f1);
      // One seed: the interval resamples the validation clips both arms scored.
      expect(row.interval?.method).toBe('bootstrap over rows');
      expect(row.baselineRows).toBe(row.variantRows);
      expect(c.settings.inputShape).toEqual([64, 129, 1]);
      console.log(
        `audio CNN pair: ${JSON.stringify(row)}; ${c.settings.cnnParameters} parameters; ` +
          `wasm epoch ${(epochs.reduce((a, b) => a + b, 0) / epochs.length).toFixed(2)} s on ` +
          `${c.split}`,
      );
      // Every demo label is on in under half the training clips: the majority-class predictor
      // answers "off" everywhere and scores F1 0. The CNN must do far better.
      expect(row.variant).toBeGreaterThan(0.6);
    },
  );
});
