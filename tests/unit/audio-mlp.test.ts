// The paper's audio networks: parameter counts, the wasm backend's agreement with cpu for the
// hand-written training step, bad input, and the reproduction on the study's real features and
// labels (tests/fixtures/reference/smelloffear): last 20 % of each movie validates, 1039 / 263 rows.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../src/lib/util/npy';
import { loadDemoProject } from '../../src/lib/demo/demo-project';
import { extractFeatures } from '../../src/lib/features/extract';
import { buildAudioMlp } from '../../src/lib/models/audio-mlp';
import { openStore } from '../../src/lib/store/db';
import { getAudioClip, listMovies } from '../../src/lib/store/movies';
import { CHEMICALS } from '../../src/lib/study/chemicals';
import { loadAudioGasData } from '../../src/lib/training/audio-dataset';
import { LABEL_VOCABULARY, PAPER_KEPT_LABEL_INDICES } from '../../src/lib/study/vocabulary';
import {
  AudioDataError,
  meanPredictorMae,
  PAPER_AUDIO_CONFIG,
  trainAudioMlp,
  type AudioTrainData,
} from '../../src/lib/training/audio-trainer';
import { readReference } from '../reference';

setWasmPaths(resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');

/** Mean and sample standard deviation (0 for one value). */
function meanSd(v: number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0 };
}

const MOVIES = ['Buddy', 'Hobbit', 'Machete', 'Mitty', 'Paranormal', 'Tribute'];

/** Real features and the 13 kept labels; audio rows beyond the label count are dropped. */
function realData(): AudioTrainData {
  const xs: number[] = [];
  const ys: number[] = [];
  const train: number[] = [];
  const validation: number[] = [];
  for (const movie of MOVIES) {
    const text = new TextDecoder().decode(readReference(`smelloffear/labels/${movie}.csv`));
    const grid = text
      .trim()
      .split(/\r?\n/)
      .map((line) => line.split(',').map(Number));
    expect(grid).toHaveLength(42);
    const n = grid[0].length;
    const audio = readNpy(readReference(`smelloffear/audio/${movie}.npy`), movie);
    expect(audio.shape[0]).toBeGreaterThanOrEqual(n);
    const nTrain = Math.floor(0.8 * n);
    for (let j = 0; j < n; j++) {
      (j < nTrain ? train : validation).push(xs.length / 193);
      for (let k = 0; k < 193; k++) xs.push(audio.data[j * 193 + k]);
      for (const c of PAPER_KEPT_LABEL_INDICES) ys.push(grid[c][j]);
    }
  }
  return {
    x: Float32Array.from(xs),
    width: 193,
    y: Float32Array.from(ys),
    outputs: 13,
    train,
    validation,
  };
}

describe('audio MLPs', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    await tf.ready();
  });

  it('has the saved models’ parameter counts', () => {
    expect(buildAudioMlp({ variant: 'paper', task: 'scenes', outputs: 13 }).countParams()).toBe(
      142_533,
    );
    expect(buildAudioMlp({ variant: 'paper', task: 'gases', outputs: 6 }).countParams()).toBe(
      140_426,
    );
    expect(buildAudioMlp({ variant: 'improved', task: 'scenes', outputs: 13 }).countParams()).toBe(
      142_533,
    );
  });

  it('refuses non-finite features or targets with a clear error', async () => {
    const data: AudioTrainData = {
      x: new Float32Array(4 * 193),
      width: 193,
      y: new Float32Array(4 * 13),
      outputs: 13,
      train: [0, 1],
      validation: [2, 3],
    };
    data.x[193 + 5] = NaN;
    const cfg = { ...PAPER_AUDIO_CONFIG, task: 'scenes' as const, epochs: 1 };
    await expect(trainAudioMlp(data, cfg)).rejects.toThrow(/feature 5 of row 1 is NaN/);
    data.x[193 + 5] = 0;
    data.y[3] = Infinity;
    await expect(trainAudioMlp(data, cfg)).rejects.toThrow(AudioDataError);
  });

  it('trains identically on the wasm and cpu backends (the faster one is safe to use)', async () => {
    const rows = 96;
    const x = Float32Array.from({ length: rows * 193 }, (_, i) => Math.sin(i * 0.37) * 20);
    const y = Float32Array.from({ length: rows * 13 }, (_, i) => (Math.cos(i * 1.3) > 0.3 ? 1 : 0));
    const data: AudioTrainData = {
      x,
      width: 193,
      y,
      outputs: 13,
      train: [...Array(80).keys()],
      validation: [...Array(16).keys()].map((i) => 80 + i),
    };
    const weights: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
      const r = await trainAudioMlp(data, {
        ...PAPER_AUDIO_CONFIG,
        variant: 'improved',
        task: 'scenes',
        epochs: 3,
        batchSize: 32,
      });
      weights.push(r.model.getWeights().map((w) => w.dataSync() as Float32Array));
      r.model.dispose();
    }
    for (let i = 0; i < weights[0].length; i++) {
      let err = 0;
      for (let j = 0; j < weights[0][i].length; j++) {
        err = Math.max(err, Math.abs(weights[0][i][j] - weights[1][i][j]));
      }
      expect(err).toBeLessThan(1e-4);
    }
  });

  it('learns gas levels with mean absolute error (Dense(6) head)', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
    const rows = 240;
    const x = Float32Array.from({ length: rows * 193 }, (_, i) => Math.sin(i * 0.731) * 3);
    const y = new Float32Array(rows * 6);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < 6; c++) {
        y[r * 6 + c] = 1 / (1 + Math.exp(-(x[r * 193 + c] - 0.5 * x[r * 193 + c + 10])));
      }
    }
    const r = await trainAudioMlp(
      {
        x,
        width: 193,
        y,
        outputs: 6,
        train: [...Array(200).keys()],
        validation: [...Array(40).keys()].map((i) => 200 + i),
      },
      { ...PAPER_AUDIO_CONFIG, variant: 'improved', task: 'gases', epochs: 30, batchSize: 32 },
    );
    const first = r.history[0].mae!;
    const last = r.history.at(-1)!.mae!;
    expect(r.model.countParams()).toBe(140_426);
    expect(last).toBeLessThan(0.6 * first);
    r.model.dispose();
  });

  // The paper's schedule is 1000 epochs (≈ 17,000 Adadelta steps per variant and seed): minutes
  // even on an idle machine, so the default run is a short schedule with one seed that checks
  // both variants learn; `npm run repro:audio` runs all 1000 epochs for seeds 1, 2 and 3 and then
  // asserts the mean F1 within ±0.03 of the faithful retrain's 0.565.
  it(
    'reproduces the paper’s audio scene classifier on the real data',
    { timeout: 3_600_000 },
    async () => {
      expect(await tf.setBackend('wasm')).toBe(true);
      await tf.ready();
      const data = realData();
      expect([data.train.length, data.validation.length]).toEqual([1039, 263]);
      const epochs = Number(process.env.AUDIO_REPRO_EPOCHS ?? 20);
      const seeds = (process.env.AUDIO_REPRO_SEEDS ?? '1').split(',').map(Number);
      const variants = (process.env.AUDIO_REPRO_VARIANTS ?? 'paper,improved').split(',') as (
        'paper' | 'improved'
      )[];
      const runs: Record<string, { f1: number; precision: number; recall: number }[]> = {};
      const perSeed: Record<string, Record<string, number>> = {};
      const perLabel: Record<string, Record<string, number>> = {};
      for (const variant of variants) {
        runs[variant] = [];
        const labelF1 = PAPER_KEPT_LABEL_INDICES.map(() => [] as number[]);
        for (const seed of seeds) {
          const t0 = performance.now();
          const r = await trainAudioMlp(data, {
            ...PAPER_AUDIO_CONFIG,
            variant,
            task: 'scenes',
            epochs,
            seed,
          });
          const w = r.report!.weighted;
          runs[variant].push(w);
          perSeed[`${variant} seed ${seed}`] = {
            f1: +w.f1.toFixed(3),
            precision: +w.precision.toFixed(3),
            recall: +w.recall.toFixed(3),
            seconds: Math.round((performance.now() - t0) / 1000),
          };
          // each run as it ends, so a long reproduction's partial results are not lost
          console.log(
            `${variant} seed ${seed}: ${JSON.stringify(perSeed[`${variant} seed ${seed}`])}`,
          );
          r.report!.perLabel.forEach((l, i) => labelF1[i].push(l.f1));
          r.report!.perLabel.forEach((l, i) => {
            const name = LABEL_VOCABULARY[PAPER_KEPT_LABEL_INDICES[i]];
            perLabel[name] = { ...perLabel[name], support: l.support };
          });
          r.model.dispose();
        }
        labelF1.forEach((f, i) => {
          const name = LABEL_VOCABULARY[PAPER_KEPT_LABEL_INDICES[i]];
          perLabel[name] = { ...perLabel[name], [`${variant} f1`]: +meanSd(f).mean.toFixed(3) };
        });
      }
      const summary: Record<string, Record<string, string>> = {};
      for (const variant of variants) {
        const of = (k: 'f1' | 'precision' | 'recall') => {
          const { mean, sd } = meanSd(runs[variant].map((r) => r[k]));
          return `${mean.toFixed(3)} ± ${sd.toFixed(3)}`;
        };
        summary[variant] = { f1: of('f1'), precision: of('precision'), recall: of('recall') };
      }
      console.log(
        `audio scenes, ${epochs} epochs, batch 64, seeds ${seeds.join(', ')} (paper 0.55/0.63/0.50; faithful retrain 0.565 ± 0.007 / 0.607 / 0.561)`,
      );
      console.table(perSeed);
      console.log('mean ± sd over seeds (sample sd):');
      console.table(summary);
      console.log('per-label F1 (validation), mean over seeds:');
      console.table(perLabel);
      const meanF1 = (v: string) => meanSd(runs[v].map((r) => r.f1)).mean;
      if (epochs >= 1000) {
        expect(Math.abs(meanF1('paper') - 0.565)).toBeLessThanOrEqual(0.03);
      } else {
        // both learn well above the all-negative predictor (F1 0), and standardising helps
        expect(meanF1('paper')).toBeGreaterThan(0.2);
        expect(meanF1('improved')).toBeGreaterThan(meanF1('paper'));
      }
    },
  );

  // The study's VOC files are not public (ORIGINAL_CODE.md): the paper's audio gas figure (MAE
  // 0.21) cannot be reproduced here. `npm run repro:audio` instead trains the gas regressor on the
  // demo study — real 193 features extracted from its synthesised clips, its screenings imported
  // from ARFF, breath answering one period later (lag 1) — over the same seeds, against the
  // constant predictor that answers the training mean. Skipped in the default run: extracting
  // the 30 clips' features takes a minute or more (audio-dataset.test.ts covers the short path).
  it.skipIf(!process.env.AUDIO_REPRO_EPOCHS)(
    'reproduces the audio gas regressor on the demo study’s screenings',
    { timeout: 3_600_000 },
    async () => {
      expect(await tf.setBackend('wasm')).toBe(true);
      await tf.ready();
      const project = await loadDemoProject(undefined, { withVideo: false });
      const db = await openStore();
      for (const movie of await listMovies(project.id)) {
        const n = movie.sequencesDone;
        const features = new Float32Array(n * 193);
        for (let i = 0; i < n; i++) {
          const clip = (await getAudioClip(movie.id, i))!;
          const f = extractFeatures(new Float32Array(clip.samples), clip.sampleRate).features;
          features.set(f, i * 193);
        }
        await db.put('audioFeatures', {
          movieId: movie.id,
          projectId: project.id,
          source: 'computed',
          rows: n,
          features: features.buffer,
        });
      }
      const data = await loadAudioGasData(project.id, { lag: 1 });
      const epochs = Number(process.env.AUDIO_REPRO_EPOCHS ?? 20);
      const seeds = (process.env.AUDIO_REPRO_SEEDS ?? '1').split(',').map(Number);
      const names = data.chemicals.map((k) => CHEMICALS.find((c) => c.key === k)!.name);
      const baseline = meanPredictorMae(data);
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const table: Record<string, Record<string, string>> = {};
      const overall: Record<string, number[]> = {};
      for (const variant of ['paper', 'improved'] as const) {
        const perSeed: number[][] = [];
        for (const seed of seeds) {
          const r = await trainAudioMlp(data, {
            ...PAPER_AUDIO_CONFIG,
            variant,
            task: 'gases',
            epochs,
            seed,
          });
          perSeed.push(r.maePerOutput!);
          console.log(`gases ${variant} seed ${seed}: MAE ${JSON.stringify(r.maePerOutput)}`);
          r.model.dispose();
        }
        overall[variant] = perSeed.map(mean);
        const cell = (v: number[]) => {
          const { mean: m, sd } = meanSd(v);
          return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
        };
        table[variant] = { mean: cell(overall[variant]) };
        names.forEach((n, c) => (table[variant][n] = cell(perSeed.map((m) => m[c]))));
      }
      table['training mean (constant)'] = { mean: mean(baseline).toFixed(3) };
      names.forEach((n, c) => (table['training mean (constant)'][n] = baseline[c].toFixed(3)));
      console.log(
        `audio gases on the demo study, ${data.screenings} screenings, ${data.split}, lag 1, ${epochs} epochs, seeds ${seeds.join(', ')}; validation MAE (mean ± sd over seeds)`,
      );
      console.log('per seed (mean over chemicals):', JSON.stringify(overall));
      console.table(table);
      // the audio carries the scene, the scene drives the breath: the improved regressor beats
      // the constant. The paper's setting does not on this small demo (unscaled features saturate
      // its tanh units; 1000 epochs on a few dozen rows overfit): its figure is reported only.
      expect(mean(overall.improved)).toBeLessThan(mean(baseline));
    },
  );
});
