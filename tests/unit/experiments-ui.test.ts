// The notebook's "beyond the paper" gas experiments on the demo study (synthesised movies, audio
// features standing in for computed ones), trained in-process on wasm as in the app's worker: each
// saves a linked run pair and a result table whose numbers are what the arms' seeds measured (mean
// over seeds, t interval with two seeds, bootstrap over rows with one), the lag scan finds the
// demo's built-in one-period breath lag, and leave-one-movie-out reports every movie and both
// means, weighted by sequences and not.
import 'fake-indexeddb/auto';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseStore } from '../../src/lib/store/db';
import { getStudySettings } from '../../src/lib/study/settings';
import { DEMO_MOVIES, loadDemoProject } from '../../src/lib/demo/demo-project';
import { listRuns } from '../../src/lib/store/runs';
import { trainAudioMlp } from '../../src/lib/training/audio-trainer';
import { ExperimentRunner, type TrainArm } from '../../src/lib/experiments/runner';
import { listComparisons, pairLinkOf } from '../../src/lib/experiments/run-pair';
import { comparisonCsv } from '../../src/lib/experiments/comparison';
import { seedSceneFeatures } from '../browser/harness/experiments-ui.harness';

const inProcess: TrainArm = async (data, config, onEpoch) => {
  const r = await trainAudioMlp(data, config, onEpoch);
  r.model.dispose();
  return { history: r.history, scores: r.validationScores, stopped: r.stopped };
};

let projectId = '';
const plans = DEMO_MOVIES.filter((m) => !m.video);

beforeAll(async () => {
  setWasmPaths(resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  expect(await tf.setBackend('wasm')).toBe(true);
  projectId = (await loadDemoProject(undefined, { withVideo: false })).id;
  expect(await seedSceneFeatures(projectId)).toBe(plans.reduce((n, p) => n + p.scenes.length, 0));
});
afterAll(async () => {
  await eraseStore();
});

describe('gas experiments in the notebook', () => {
  it('missing gas: a linked pair whose table compares what both arms’ seeds measured', async () => {
    const progress: number[] = [];
    const labels: string[] = [];
    const runner = new ExperimentRunner(inProcess, (p) => {
      progress.push(p.fraction);
      labels.push(p.label);
    });
    const c = await runner.run('missing-gas', projectId, {
      epochs: 30,
      maxLag: 0,
      seed: 1,
      seeds: 2,
    });
    expect(progress.at(-1)).toBe(1);
    expect(labels.some((l) => l.startsWith('other screenings · seed 2: epoch 30 / 30'))).toBe(true);
    expect(c.seeds).toEqual([1, 2]);
    expect(c.rows.map((r) => r.metric)).toEqual(['MAE where both targets agree', 'MAE']);
    expect(c.settings.cellsFilledDifferently).toBeGreaterThan(0);
    expect(c.settings.cellsFilledDifferently).toBeLessThan(Number(c.settings.validationCells));
    expect(c.inherited).toMatchObject({ 'missing gas values': 'varied by the experiment' });
    // The demo's study settings pair each clip with the gas one period later: printed, not silent.
    const { lag } = await getStudySettings(projectId);
    expect(c.inherited!.lag).toMatch(new RegExp(`^${lag} periods? \\(.* min, from Study data\\)$`));
    for (const r of c.rows) {
      expect(r.baselineValues).toHaveLength(2);
      expect(r.baselineValues[0]).not.toBe(r.baselineValues[1]);
      expect(r.interval!.method).toBe('t over seeds');
      expect(r.baselineRows).toBeGreaterThan(0);
      expect(r.verdict === 'no clear difference').toBe(
        r.interval!.low <= 0 && r.interval!.high >= 0,
      );
    }

    const runs = await listRuns(projectId);
    const base = runs.find((r) => r.id === c.baseline.runId)!;
    const variant = runs.find((r) => r.id === c.variant.runId)!;
    expect(pairLinkOf(base)).toMatchObject({ role: 'baseline', partnerRunId: variant.id });
    expect(pairLinkOf(variant)).toMatchObject({ role: 'variant', partnerRunId: base.id });
    expect(base.config).toMatchObject({ missing: 'constant' });
    expect(variant.config).toMatchObject({ missing: 'movie-mean' });
    expect(base.epochs).toHaveLength(30);
    // The overall row is each arm's last validation MAE averaged over seeds, as its curve shows it.
    const mae = c.rows[1];
    expect(mae.baseline).toBeCloseTo(base.epochs.at(-1)!.mae as number, 12);
    expect(mae.variant).toBeCloseTo(variant.epochs.at(-1)!.mae as number, 12);
    // Each seed's own curve is kept beside the mean.
    const curves = base.config.seedCurves as Record<string, { mae: number }[]>;
    expect(Object.keys(curves)).toEqual(['1', '2']);
    expect(curves['2'].at(-1)!.mae).toBe(mae.baselineValues[1]);
    expect(mae.difference).toBeCloseTo(mae.variant - mae.baseline, 12);
    expect((await listComparisons(projectId))[0].id).toBe(c.id);
    // metric × arm × seed
    expect(comparisonCsv(c).trim().split('\n')).toHaveLength(1 + 2 * 2 * 2);
  });

  it('response lag: MAE at every lag, lower at the demo’s one-period lag than at 0', async () => {
    const runner = new ExperimentRunner(inProcess);
    const c = await runner.run('response-lag', projectId, {
      epochs: 60,
      maxLag: 2,
      seed: 1,
      seeds: 1,
    });
    expect(c.scan!.map((s) => s.lag)).toEqual([0, 1, 2]);
    // The demo's gases follow the scene one period earlier: at lag 0 a clip's features say
    // nothing about its targets, at lag 1 they say everything (lag 2 only through repeated scenes).
    expect(c.scan![1].mae).toBeLessThan(c.scan![0].mae);
    const best = c.scan!.slice(1).reduce((a, b) => (b.mae < a.mae ? b : a));
    expect(c.rows[0].baseline).toBe(c.scan![0].mae);
    expect(c.rows[0].variant).toBe(best.mae);
    // One seed: lag 0 and the best lag validate on different rows, so an unpaired bootstrap.
    expect(c.rows[0].interval!.method).toBe('bootstrap over rows');
    expect(c.rows[0].baselineRows).toBeGreaterThanOrEqual(c.rows[0].variantRows);
    expect(c.rows[0].verdict).toBe('better');
    expect(c.variant.label).toContain(`lag ${best.lag}`);
    expect(c.inherited!.lag).toMatch(/varied by the experiment/);
  });

  it('leave one movie out: one row per movie, then the weighted and unweighted means', async () => {
    const runner = new ExperimentRunner(inProcess);
    const c = await runner.run('leave-one-movie-out', projectId, {
      epochs: 15,
      maxLag: 0,
      seed: 1,
      seeds: 1,
    });
    expect(c.rows.map((r) => r.group)).toEqual([
      ...plans.map((p) => p.name),
      'all movies',
      'all movies',
    ]);
    expect(c.rows.slice(-2).map((r) => r.metric)).toEqual([
      'MAE, mean weighted by sequences',
      'MAE, unweighted mean of movies',
    ]);
    for (const r of c.rows) {
      expect(r.baseline).toBeGreaterThan(0);
      expect(r.variant).toBeGreaterThan(0);
      expect(r.interval!.method).toBe('bootstrap over rows');
    }
    const movies = c.rows.slice(0, -2);
    const [weighted, unweighted] = c.rows.slice(-2);
    // The weighted mean counts each movie by its validation sequences, the unweighted one does not.
    const total = movies.reduce((n, r) => n + r.variantRows, 0);
    expect(weighted.variantRows).toBe(total);
    expect(weighted.variant).toBeCloseTo(
      movies.reduce((s, r) => s + r.variant * r.variantRows, 0) / total,
      6,
    );
    expect(unweighted.variant).toBeCloseTo(
      movies.reduce((s, r) => s + r.variant, 0) / movies.length,
      6,
    );
    expect(movies[0].baselineRows).toBeLessThan(movies[0].variantRows);
    const variant = (await listRuns(projectId)).find((r) => r.id === c.variant.runId)!;
    expect(Object.keys(variant.epochs[0].maePerMovie as object)).toEqual(plans.map((p) => p.name));
    const last = variant.epochs.at(-1)!.maePerMovie as Record<string, number>;
    expect(c.rows[0].variant).toBeCloseTo(last[plans[0].name], 6);
  });
});
