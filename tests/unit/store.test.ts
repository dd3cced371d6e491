// The study store on fake-indexeddb: migrations create every store, projects cascade on delete,
// sequences append in order and atomically, and a full disk leaves nothing partial behind.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, eraseStore } from '../../src/lib/store/db';
import { DB_VERSION, encodingKey, PROJECT_STORES } from '../../src/lib/store/schema';
import { createProject, deleteProject, listProjects } from '../../src/lib/store/projects';
import {
  appendSequence,
  deleteMovie,
  getMovie,
  getSequence,
  listMovies,
  putMovie,
} from '../../src/lib/store/movies';
import { StorageFullError } from '../../src/lib/store/errors';
import type { MovieRecord } from '../../src/lib/store/schema';

function movie(projectId: string, id = 'm1'): MovieRecord {
  return {
    id,
    projectId,
    name: 'Test Movie',
    durationS: 90,
    frameRate: 24,
    source: { fileName: 't.mp4', size: 10, hash: 'h' },
    settings: { startS: 0, endS: null, width: 64, height: 36, fit: 'stretch', channelOrder: 'rgb' },
    state: 'incomplete',
    sequencesDone: 0,
    sequencesTotal: 3,
    createdAt: 1,
  };
}

const frames = (v: number) => new Uint8Array(16).fill(v).buffer;

afterEach(async () => {
  vi.restoreAllMocks();
  await eraseStore();
});

describe('study store', () => {
  it('creates every store at the current version', async () => {
    const db = await openStore();
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['projects', ...PROJECT_STORES].sort());
  });

  it('appends sequences in order and deletes a project with everything in it', async () => {
    const a = await createProject('A');
    const b = await createProject('B');
    await putMovie(movie(a.id));
    await putMovie(movie(b.id, 'm2'));
    await appendSequence('m1', { index: 0, frames: frames(1), audio: null });
    await expect(
      appendSequence('m1', { index: 2, frames: frames(2), audio: null }),
    ).rejects.toThrow(/out of order/);
    const after = await appendSequence('m1', {
      index: 1,
      frames: frames(3),
      audio: { sampleRate: 22050, samples: new Float32Array(4).buffer },
    });
    expect(after.sequencesDone).toBe(2);
    expect(new Uint8Array((await getSequence('m1', 1))!.frames)[0]).toBe(3);

    await deleteProject(a.id);
    expect((await listProjects()).map((p) => p.name)).toEqual(['B']);
    expect(await getMovie('m1')).toBeUndefined();
    expect(await getSequence('m1', 0)).toBeUndefined();
    expect(await listMovies(b.id)).toHaveLength(1);
  });

  it('deletes a movie with its clips and cached values, and nothing of the other movies', async () => {
    const p = await createProject('P');
    await putMovie(movie(p.id));
    await putMovie(movie(p.id, 'm2'));
    const clip = { sampleRate: 22050, samples: new Float32Array(4).buffer };
    for (const id of ['m1', 'm2']) {
      await appendSequence(id, { index: 0, frames: frames(1), audio: clip });
    }
    const db = await openStore();
    const cached = (source: string, movieId: string) => ({
      cacheKey: encodingKey(source, movieId),
      index: 0,
      projectId: p.id,
      values: new Float32Array(2).buffer,
    });
    for (const source of ['ae@3', 'log-mel/64x129']) {
      await db.put('encodings', cached(source, 'm1'));
      await db.put('encodings', cached(source, 'm2'));
    }

    await deleteMovie('m1');
    expect(await getMovie('m1')).toBeUndefined();
    expect(await getSequence('m1', 0)).toBeUndefined();
    expect(await db.get('audioClips', ['m1', 0])).toBeUndefined();
    const left = (await db.getAll('encodings')).map((e) => e.cacheKey).sort();
    expect(left).toEqual([encodingKey('ae@3', 'm2'), encodingKey('log-mel/64x129', 'm2')]);
    expect(await getSequence('m2', 0)).toBeDefined();
    expect(await db.get('audioClips', ['m2', 0])).toBeDefined();
  });

  it('turns a quota failure into a clear error and keeps earlier data', async () => {
    const p = await createProject('Full');
    await putMovie(movie(p.id));
    await appendSequence('m1', { index: 0, frames: frames(1), audio: null });
    const proto = Object.getPrototypeOf((await openStore()).transaction('sequences').store);
    const realPut = IDBObjectStore.prototype.put;
    vi.spyOn(proto, 'put').mockImplementation(function (this: IDBObjectStore, ...args: unknown[]) {
      if (this.name === 'sequences') throw new DOMException('quota', 'QuotaExceededError');
      return realPut.apply(this, args as [unknown]);
    });
    await expect(
      appendSequence('m1', { index: 1, frames: frames(2), audio: null }),
    ).rejects.toThrow(StorageFullError);
    vi.restoreAllMocks();
    const m = await getMovie('m1');
    expect(m?.sequencesDone).toBe(1);
    expect(await getSequence('m1', 1)).toBeUndefined();
    // The database stays writable.
    await appendSequence('m1', { index: 1, frames: frames(2), audio: null });
    expect((await getMovie('m1'))?.sequencesDone).toBe(2);
  });
});
