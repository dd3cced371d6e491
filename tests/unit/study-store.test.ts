// Study data in the store: files map to movies by name or choice, bad files change nothing, an
// import replaces the movie's earlier data, and the dataset builders use the project's settings.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { eraseStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import { listMovies, putMovie } from '../../src/lib/store/movies';
import type { MovieRecord } from '../../src/lib/store/schema';
import {
  buildGasDataset,
  buildLabelDataset,
  importAudioFeaturesNpy,
  importLabelCsv,
  importScreening,
} from '../../src/lib/study/studyStore';
import { listAudioFeatures } from '../../src/lib/store/audio-features';
import { listLabelSets } from '../../src/lib/store/labels';
import { listScreenings } from '../../src/lib/store/screenings';
import { saveStudySettings } from '../../src/lib/study/settings';
import { labelsToCsv } from '../../src/lib/study/labelsCsv';
import { syntheticArff } from '../../src/lib/study/syntheticArff';
import { describeSplit } from '../../src/lib/study/splits';
import { LABEL_VOCABULARY } from '../../src/lib/study/vocabulary';
import { writeNpy } from '../../src/lib/util/npy';
import { StudyInputError } from '../../src/lib/study/inputError';

afterEach(async () => {
  await eraseStore();
});

async function projectWithMovie(name = 'Harbour Run', sequences = 10) {
  const project = await createProject('p');
  const movie: MovieRecord = {
    id: `movie-${name}`,
    projectId: project.id,
    name,
    durationS: sequences * 30,
    frameRate: 1,
    source: { fileName: `${name}.mp4`, size: 1, hash: 'h' },
    settings: { startS: 0, endS: null, width: 64, height: 36, fit: 'stretch', channelOrder: 'rgb' },
    state: 'complete',
    sequencesDone: sequences,
    sequencesTotal: sequences,
    createdAt: 1,
  };
  await putMovie(movie);
  return { project, movie };
}

function labels(rows: number, every: number): Uint8Array {
  const m = new Uint8Array(rows * 42);
  for (let r = 0; r < rows; r++) if (r % every === 0) m[r * 42] = 1; // suspense
  for (let r = 0; r < rows; r++) m[r * 42 + 17] = 1; // landscape everywhere
  return m;
}

const csv = (rows: number, every = 2) =>
  labelsToCsv(labels(rows, every), LABEL_VOCABULARY, 'label-rows', false);

async function rejects(p: Promise<unknown>): Promise<StudyInputError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StudyInputError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('study store', () => {
  it('maps files to movies by name, aligns from the start and says what was dropped', async () => {
    const { project, movie } = await projectWithMovie();
    const r = await importLabelCsv(project.id, 'HarbourRun.csv', csv(12));
    expect(r.movie.id).toBe(movie.id);
    expect(r.message).toMatch(/12 sequences × 42 labels/);
    expect(r.message).toMatch(/aligned from the start, 10 kept, 2 label rows dropped/);
    const d = await buildLabelDataset(project.id, { minLabelCount: 3 });
    expect(d.rows).toHaveLength(10);
    expect(d.names).toEqual(['suspense', 'landscape']);
    expect(d.alignment[0]).toMatchObject({ dataRows: 12, sequences: 10, kept: 10, dropped: 2 });
    expect(Array.from(d.y.subarray(0, 4))).toEqual([1, 1, 0, 1]);
  });

  it('refuses a file for an unknown movie unless a movie is chosen or created', async () => {
    const { project, movie } = await projectWithMovie();
    const err = await rejects(importLabelCsv(project.id, 'Unknown.csv', csv(5)));
    expect(err.message).toMatch(/^Unknown\.csv: no movie named “Unknown”/);
    expect(await listLabelSets(project.id)).toHaveLength(0);
    const chosen = await importLabelCsv(project.id, 'Unknown.csv', csv(5), { movieId: movie.id });
    expect(chosen.movie.id).toBe(movie.id);
    const created = await importLabelCsv(project.id, 'Other.csv', csv(5), { createMovie: true });
    expect(created.createdMovie).toBe(true);
    expect((await listMovies(project.id)).map((m) => m.name)).toEqual(['Harbour Run', 'Other']);
  });

  it('keeps earlier data when a bad file arrives, and replaces it with a good one', async () => {
    const { project } = await projectWithMovie();
    await importLabelCsv(project.id, 'HarbourRun.csv', csv(10));
    const before = await listLabelSets(project.id);
    await rejects(importLabelCsv(project.id, 'HarbourRun.csv', '0,1\n0,2\n'));
    await rejects(importLabelCsv(project.id, 'HarbourRun.csv', ''));
    expect(await listLabelSets(project.id)).toEqual(before);
    await importLabelCsv(project.id, 'HarbourRun.csv', csv(10, 3));
    const after = await listLabelSets(project.id);
    expect(after).toHaveLength(1);
    expect(after[0].id).not.toBe(before[0].id);

    await importScreening(project.id, '1_HarbourRun.arff', syntheticArff({ rows: 10, seed: 1 }));
    const screenings = await listScreenings(project.id);
    const broken = '@relation x\n@attribute CO2 numeric\n@data\n400\nfour hundred\n';
    const err = await rejects(importScreening(project.id, '1_HarbourRun.arff', broken));
    expect(err.message).toBe(
      '1_HarbourRun.arff, line 5: attribute “CO2” holds “four hundred”, which is not a number.',
    );
    await rejects(
      importScreening(project.id, '2_HarbourRun.arff', '@relation x\n@attribute CO2 numeric\n'),
    );
    expect(await listScreenings(project.id)).toEqual(screenings);
    const noChemicals = '@relation x\n@attribute m99.1 numeric\n@data\n1\n';
    expect(
      (await rejects(importScreening(project.id, '2_HarbourRun.arff', noChemicals))).message,
    ).toMatch(/none of the chemicals/);

    const npyBad = writeNpy(new Float32Array(15), [3, 5]).buffer;
    expect(
      (await rejects(importAudioFeaturesNpy(project.id, 'HarbourRun.npy', npyBad))).message,
    ).toMatch(/shape \(n, 193\); this array is \(3, 5\)/);
    const nan = new Float32Array(2 * 193);
    nan[200] = NaN;
    const npyNan = writeNpy(nan, [2, 193]).buffer;
    expect(
      (await rejects(importAudioFeaturesNpy(project.id, 'HarbourRun.npy', npyNan))).message,
    ).toMatch(/row 1, feature 7 is NaN/);
    expect(await listAudioFeatures(project.id)).toHaveLength(0);
  });

  it('reports missing chemicals and builds gas targets with the project settings', async () => {
    const { project } = await projectWithMovie();
    const withoutSiloxane = syntheticArff({ rows: 10, seed: 1 }).replace(
      /'m374\.0818'/,
      "'m380.0000'",
    );
    const r = await importScreening(project.id, '1_HarbourRun.arff', new Blob([withoutSiloxane]));
    expect(r.record.missingChemicals).toEqual(['siloxane']);
    expect(r.message).toMatch(/5 of 6 chemicals/);
    expect(r.message).toMatch(/not in the file: siloxane/);
    await importScreening(project.id, '2_HarbourRun.arff', syntheticArff({ rows: 12, seed: 2 }));
    const d = await buildGasDataset(project.id);
    expect(d.rows).toHaveLength(20);
    expect(describeSplit(d.split)).toBe('16 train / 4 validation');
    // The missing chemical is 0.5 everywhere in screening 1.
    for (let r = 0; r < 10; r++) expect(d.y[r * 6 + 5]).toBe(0.5);

    await saveStudySettings(project.id, { split: { kind: 'screening-out' }, lag: 1 });
    const held = await buildGasDataset(project.id);
    expect(held.rows).toHaveLength(9 + 10);
    expect(describeSplit(held.split)).toBe('10 train / 9 validation');
    expect(held.rows[held.split.validation[0]].screeningId).toBe(r.record.id);
  });
});
