// The demo study's labels and screenings pass through the CSV and ARFF importers, and its gas
// curves respond to the scenes one period later, the lag its study settings declare.
import 'fake-indexeddb/auto';
import { correlation } from './study-helpers';
import { afterAll, describe, expect, it } from 'vitest';
import { eraseStore } from '../../src/lib/store/db';
import { listMovies } from '../../src/lib/store/movies';
import { DEMO_GAS_LAG, DEMO_MOVIES, loadDemoProject } from '../../src/lib/demo/demo-project';
import { getStudySettings } from '../../src/lib/study/settings';
import { SCENE_TYPES } from '../../src/lib/demo/scenes';
import { listLabelSets } from '../../src/lib/store/labels';
import { listScreenings } from '../../src/lib/store/screenings';
import { buildGasDataset, buildLabelDataset } from '../../src/lib/study/studyStore';

afterAll(async () => {
  await eraseStore();
});

describe('demo study data', () => {
  it('imports labels from CSV and screenings from ARFF; gases follow scenes one period later', async () => {
    // Node has no video decoder: the synthesised movies only (the browser tests cover the video).
    const project = await loadDemoProject(undefined, { withVideo: false });
    const plans = DEMO_MOVIES.filter((m) => !m.video);
    const movies = await listMovies(project.id);
    const sets = await listLabelSets(project.id);
    expect(sets.map((s) => [s.fileName, s.layout, s.rows])).toEqual(
      plans.map((m) => [`${m.name}.csv`, 'label-rows', m.scenes.length]),
    );
    const screenings = await listScreenings(project.id);
    expect(screenings).toHaveLength(plans.reduce((n, m) => n + m.screenings, 0));
    expect(screenings.some((s) => new Float32Array(s.values).some(Number.isNaN))).toBe(true);

    const labels = await buildLabelDataset(project.id);
    expect(labels.rows).toHaveLength(plans.reduce((n, m) => n + m.scenes.length, 0));
    expect(labels.names).toContain('action');

    const scene = (r: { movieId: string; index: number }, shift: number) => {
      const plan = plans[movies.findIndex((m) => m.id === r.movieId)];
      const key = plan.scenes[r.index - shift];
      return SCENE_TYPES.find((s) => s.key === key)!.gasResponse[4];
    };
    // Isoprene of each sequence's target row against the scene `shift` sequences earlier.
    const follows = (gases: Awaited<ReturnType<typeof buildGasDataset>>, shift: number) => {
      const rows = gases.rows.map((r, i) => ({ r, i })).filter(({ r }) => r.index >= shift);
      return correlation(
        rows.map(({ i }) => gases.y[i * 6 + 4]),
        rows.map(({ r }) => scene(r, shift)),
      );
    };
    // Measured rows as they are (lag 0): the breath follows the previous scene.
    const unlagged = await buildGasDataset(project.id, { lag: 0 });
    expect(follows(unlagged, 1)).toBeGreaterThan(0.5);
    expect(follows(unlagged, 1)).toBeGreaterThan(follows(unlagged, 0) + 0.2);
    // The demo's study settings declare that lag, so each sequence's target answers its own scene.
    expect((await getStudySettings(project.id)).lag).toBe(DEMO_GAS_LAG);
    const gases = await buildGasDataset(project.id);
    expect(gases.rows).toHaveLength(unlagged.rows.length - screenings.length);
    expect(follows(gases, 0)).toBeGreaterThan(0.5);
    expect(follows(gases, 0)).toBeGreaterThan(follows(unlagged, 0) + 0.2);
  });
});
