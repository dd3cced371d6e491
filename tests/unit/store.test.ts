// The study store on fake-indexeddb: migrations create every store, projects cascade on delete,
// sequences append in order and atomically, and a full disk leaves nothing partial behind.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, eraseStore } from '../../src/lib/store/db';
import { DB_VERSION, PROJECT_STORES } from '../../src/lib/store/schema';
import { createProject, deleteProject, listProjects } from '../../src/lib/store/projects';
import {
  appendSequence,
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
