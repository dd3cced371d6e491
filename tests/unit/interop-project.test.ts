// A whole project leaves as one file and comes back identical, on "another machine" (an erased
// database) or beside itself as a copy; newer, truncated or foreign files change nothing.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { eraseStore, openStore } from '../../src/lib/store/db';
import { createProject, updateProject } from '../../src/lib/store/projects';
import { appendSequence, putMovie } from '../../src/lib/store/movies';
import type { MovieRecord } from '../../src/lib/store/schema';
import { EXPORTED_STORES, exportProject, restoreProject } from '../../src/lib/interop/project-file';
import { openContainer, packContainer } from '../../src/lib/interop/container';

afterEach(async () => {
  await eraseStore();
});

const f32 = (...v: number[]) => new Float32Array(v).buffer;

async function buildProject() {
  const project = await createProject('Study of fear');
  const p = project.id;
  const movie: MovieRecord = {
    id: 'movie-1',
    projectId: p,
    name: 'Buddy',
    durationS: 60,
    frameRate: 24,
    source: { fileName: 'buddy.mp4', size: 10, hash: 'abc' },
    settings: { startS: 0, endS: null, width: 64, height: 36, fit: 'stretch', channelOrder: 'rgb' },
    state: 'incomplete',
    sequencesDone: 0,
    sequencesTotal: 2,
    createdAt: 1,
  };
  await putMovie(movie);
  for (const index of [0, 1]) {
    await appendSequence(movie.id, {
      index,
      frames: new Uint8Array(24).fill(index + 1).buffer,
      audio: { sampleRate: 22050, samples: f32(index, -index, 0.25) },
    });
  }
  await updateProject(p, {
    settings: { study: { split: { kind: 'movie-out', movieId: 'movie-1' } }, threshold: NaN },
  });
  const db = await openStore();
  await db.put('audioFeatures', {
    movieId: movie.id,
    projectId: p,
    source: 'imported',
    rows: 2,
    features: f32(1, 2, 3, 4),
  });
  await db.put('labelSets', {
    id: 'ls-1',
    projectId: p,
    movieId: movie.id,
    fileName: 'Buddy.csv',
    layout: 'label-rows',
    names: ['comedy', 'drama'],
    rows: 2,
    matrix: new Uint8Array([1, 0, 0, 1]).buffer,
    createdAt: 2,
  });
  await db.put('screenings', {
    id: 'sc-1',
    projectId: p,
    movieId: movie.id,
    fileName: '1_Buddy.arff',
    screeningIndex: 1,
    chemicals: ['co2'],
    missingChemicals: [],
    rows: 2,
    values: f32(400, NaN),
    createdAt: 3,
  });
  await db.put('models', {
    id: 'model-1',
    projectId: p,
    kind: 'audio-scenes',
    name: 'MLP',
    createdAt: 4,
    topology: { class_name: 'Sequential', config: { layers: [] } },
    meta: { labelNames: ['comedy', 'drama'] },
  });
  await db.put('checkpoints', {
    modelId: 'model-1',
    epoch: 3,
    projectId: p,
    weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }],
    weights: f32(0.5, -0.5),
    optimizerSpecs: [],
    optimizer: new ArrayBuffer(0),
    createdAt: 5,
  });
  await db.put('runs', {
    id: 'run-1',
    projectId: p,
    kind: 'audio-scenes',
    modelId: 'model-1',
    config: { epochs: 3 },
    epochs: [{ loss: 0.7 }, { loss: Infinity }],
    state: 'done',
    createdAt: 6,
  });
  await db.put('encodings', { cacheKey: 'k', index: 0, projectId: p, values: f32(1) });
  return project;
}

/** Every exported store's records of one project, binary fields as byte arrays for comparison. */
async function snapshot(projectId: string) {
  const db = await openStore();
  const out: Record<string, unknown[]> = {};
  const plain = (v: unknown): unknown =>
    v instanceof ArrayBuffer
      ? Array.from(new Uint8Array(v))
      : Array.isArray(v)
        ? v.map(plain)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
          : v;
  for (const name of EXPORTED_STORES) {
    const rows =
      name === 'projects'
        ? [await db.get('projects', projectId)]
        : await db.getAllFromIndex(name, 'byProject', projectId);
    out[name] = rows.map(plain);
  }
  return out;
}

async function everything() {
  const db = await openStore();
  const out: Record<string, number> = {};
  for (const name of db.objectStoreNames) out[name] = await db.count(name);
  return out;
}

describe('project file', () => {
  it('round-trips a whole project, frames included, to an identical project elsewhere', async () => {
    const project = await buildProject();
    const before = await snapshot(project.id);
    expect(before.sequences).toHaveLength(2);
    const file = await exportProject(project.id, { frames: true, audioClips: true });
    expect(file.name).toBe('study-of-fear.cinebreath');
    await eraseStore(); // another machine
    const restored = await restoreProject(file.blob, file.name);
    expect(restored.id).toBe(project.id);
    expect(await snapshot(project.id)).toEqual(before);
    expect((await everything()).encodings).toBe(0);
  });

  it('imports a copy beside the original with fresh ids and references that follow', async () => {
    const project = await buildProject();
    const before = await snapshot(project.id);
    const file = await exportProject(project.id, { frames: true, audioClips: true });
    const copy = await restoreProject(file.blob, file.name);
    expect(copy.id).not.toBe(project.id);
    expect(copy.name).toBe('Study of fear (imported)');
    expect(await snapshot(project.id)).toEqual(before);
    const after = await snapshot(copy.id);
    const movieId = (after.movies[0] as { id: string }).id;
    expect(movieId).not.toBe('movie-1');
    expect(after.sequences.map((s) => (s as { movieId: string }).movieId)).toEqual([
      movieId,
      movieId,
    ]);
    expect((after.checkpoints[0] as { modelId: string }).modelId).toBe(
      (after.models[0] as { id: string }).id,
    );
    expect(
      (after.projects[0] as { settings: { study: { split: { movieId: string } } } }).settings.study
        .split.movieId,
    ).toBe(movieId);
    expect(after.labelSets[0]).toMatchObject({ names: ['comedy', 'drama'], matrix: [1, 0, 0, 1] });
  });

  it('leaves frames and clips out by default and says the movies must be decoded again', async () => {
    const project = await buildProject();
    const file = await exportProject(project.id);
    await eraseStore();
    await restoreProject(file.blob, file.name);
    const after = await snapshot(project.id);
    expect(after.sequences).toHaveLength(0);
    expect(after.audioClips).toHaveLength(0);
    expect(after.movies[0]).toMatchObject({
      state: 'incomplete',
      sequencesDone: 0,
      error: expect.stringMatching(/drop the movie again/),
    });
    expect(after.audioFeatures).toHaveLength(1);
  });

  it('refuses a project file from a newer version and leaves everything untouched', async () => {
    const project = await buildProject();
    const file = await exportProject(project.id);
    const c = await openContainer(file.blob, file.name);
    const payloads = await Promise.all(c.header.blobs.map((_, i) => c.payload(i)));
    const { blobs: _blobs, ...header } = c.header;
    const newer = packContainer({ ...header, formatVersion: 2, appVersion: '9.0.0' }, payloads);
    const counts = await everything();
    const before = await snapshot(project.id);
    await expect(restoreProject(newer, 'new.cinebreath')).rejects.toThrow(
      /newer Cinebreath \(9\.0\.0, project format 2; this page reads up to 1\).*Nothing was imported/,
    );
    expect(await everything()).toEqual(counts);
    expect(await snapshot(project.id)).toEqual(before);
  });

  it('refuses truncated files and model files, importing nothing', async () => {
    const project = await buildProject();
    const file = await exportProject(project.id, { frames: true });
    const counts = await everything();
    await expect(
      restoreProject(file.blob.slice(0, file.blob.size - 8), 'cut.cinebreath'),
    ).rejects.toThrow(/truncated/);
    await expect(restoreProject(packContainer({ kind: 'model' }, []), 'm.cbmodel')).rejects.toThrow(
      /not a project/,
    );
    await expect(restoreProject(new Blob(['{"hello": 1}']), 'x.json')).rejects.toThrow(
      /not a Cinebreath file/,
    );
    expect(await everything()).toEqual(counts);
  });
});
