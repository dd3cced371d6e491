// Checkpoints in chunks on fake-indexeddb: payloads larger than a chunk round-trip byte-exactly,
// a quota failure in the middle of the chunks leaves no partial checkpoint, deleting the project
// removes the chunks, and a schema-v1 database (inline payloads) migrates and still reads.
// Chunk sizes of a few bytes stand in for the real 32 MiB.
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CHECKPOINT_CHUNK_BYTES,
  CHECKPOINT_STORES,
  getCheckpoint,
  latestCheckpoint,
  putCheckpoint,
} from '../../src/lib/store/checkpoints';
import { eraseStore, openStore, writeTransaction } from '../../src/lib/store/db';
import { StorageFullError } from '../../src/lib/store/errors';
import { createProject, deleteProject } from '../../src/lib/store/projects';
import {
  DB_NAME,
  DB_VERSION,
  MIGRATIONS,
  type CheckpointRecord,
  type CinebreathDB,
  type ModelRecord,
} from '../../src/lib/store/schema';
import { exportProject, restoreProject } from '../../src/lib/interop/project-file';
import { createRun, saveEpoch } from '../../src/lib/store/runs';
import { seededRandom } from '../../src/lib/util/random';

function bytes(n: number, seed: number): ArrayBuffer {
  const next = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256)).buffer;
}

function checkpoint(projectId: string, epoch: number, w: number, o: number): CheckpointRecord {
  return {
    modelId: 'model-1',
    epoch,
    projectId,
    weightSpecs: [{ name: 'kernel', shape: [w / 4], dtype: 'float32' }],
    weights: bytes(w, epoch),
    optimizerSpecs: [{ name: 'accum', shape: [o / 4], dtype: 'float32' }],
    optimizer: bytes(o, 100 + epoch),
    createdAt: epoch,
  };
}

function modelRecord(id: string, projectId: string): ModelRecord {
  return { id, projectId, kind: 'autoencoder', name: 'AE', createdAt: 1, topology: {}, meta: {} };
}

const write = (c: CheckpointRecord, chunkBytes: number) =>
  writeTransaction([...CHECKPOINT_STORES], 'checkpoint', (tx) =>
    putCheckpoint(tx, c, { chunkBytes }),
  );

async function chunks(projectId: string) {
  return (await openStore()).getAllFromIndex('checkpointChunks', 'byProject', projectId);
}

function expectSame(got: CheckpointRecord | undefined, want: CheckpointRecord): void {
  expect(got).toBeDefined();
  expect(new Uint8Array(got!.weights)).toEqual(new Uint8Array(want.weights));
  expect(new Uint8Array(got!.optimizer)).toEqual(new Uint8Array(want.optimizer));
  expect(got!.weightSpecs).toEqual(want.weightSpecs);
  expect(got!.optimizerSpecs).toEqual(want.optimizerSpecs);
}

afterEach(async () => {
  vi.restoreAllMocks();
  await eraseStore();
});

describe('chunked checkpoints', () => {
  it('keep every record under the chunk size and round-trip byte-exactly', async () => {
    expect(CHECKPOINT_CHUNK_BYTES).toBeLessThan(64 * 1000 * 1000);
    const p = await createProject('A');
    const c = checkpoint(p.id, 1, 52, 36);
    await write(c, 16);
    const parts = await chunks(p.id);
    // ⌈52 / 16⌉ weight parts, then ⌈36 / 16⌉ optimizer parts.
    expect(parts.map((r) => r.part)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parts.every((r) => r.bytes.byteLength <= 16)).toBe(true);
    const header = await (await openStore()).get('checkpoints', ['model-1', 1]);
    expect(header?.weights).toBeUndefined();
    expect(header?.chunks).toEqual({ chunkBytes: 16, weightBytes: 52, optimizerBytes: 36 });
    expectSame(await getCheckpoint('model-1', 1), c);

    // Rewriting the epoch with a smaller checkpoint leaves no stale parts behind.
    const smaller = checkpoint(p.id, 1, 20, 0);
    await write(smaller, 16);
    expect((await chunks(p.id)).map((r) => r.part)).toEqual([0, 1]);
    expectSame(await getCheckpoint('model-1', 1), smaller);
  });

  it('leave no partial checkpoint when the disk fills in the middle of the chunks', async () => {
    const p = await createProject('Full');
    const earlier = checkpoint(p.id, 1, 40, 40);
    await write(earlier, 16);
    const proto = Object.getPrototypeOf((await openStore()).transaction('checkpointChunks').store);
    const realPut = IDBObjectStore.prototype.put;
    let chunkPuts = 0;
    vi.spyOn(proto, 'put').mockImplementation(function (this: IDBObjectStore, ...args: unknown[]) {
      if (this.name === 'checkpointChunks' && ++chunkPuts === 3) {
        throw new DOMException('quota', 'QuotaExceededError');
      }
      return realPut.apply(this, args as [unknown]);
    });
    await expect(write(checkpoint(p.id, 2, 40, 40), 16)).rejects.toThrow(StorageFullError);
    expect(chunkPuts).toBe(3);
    vi.restoreAllMocks();

    const db = await openStore();
    expect(await db.get('checkpoints', ['model-1', 2])).toBeUndefined();
    expect((await chunks(p.id)).every((r) => r.epoch === 1)).toBe(true);
    expectSame(await latestCheckpoint('model-1'), earlier);
  });

  it('are written by saveEpoch and deleted with their project', async () => {
    const a = await createProject('A');
    const b = await createProject('B');
    for (const p of [a, b]) {
      const model = modelRecord(`model-${p.name}`, p.id);
      const run = {
        id: `run-${p.name}`,
        projectId: p.id,
        kind: 'autoencoder',
        modelId: model.id,
        config: {},
        epochs: [],
        state: 'running' as const,
        createdAt: 1,
      };
      await createRun(model, run);
      await saveEpoch(run.id, { epoch: 1, loss: 0.5 }, 1, {
        weights: { specs: [], data: bytes(24, 1) },
        optimizer: { specs: [], data: bytes(8, 2) },
      });
    }
    expect(await chunks(a.id)).toHaveLength(2);
    expect(new Uint8Array((await latestCheckpoint('model-A'))!.weights)).toEqual(
      new Uint8Array(bytes(24, 1)),
    );

    await deleteProject(a.id);
    expect(await chunks(a.id)).toHaveLength(0);
    expect(await getCheckpoint('model-A', 1)).toBeUndefined();
    expect(await chunks(b.id)).toHaveLength(2);
    expect(await getCheckpoint('model-B', 1)).toBeDefined();
  });

  it('travel in a project file and follow the model to its fresh id in a copy', async () => {
    const p = await createProject('Travels');
    const db = await openStore();
    await db.put('models', modelRecord('model-1', p.id));
    const c = checkpoint(p.id, 2, 28, 12);
    await write(c, 8);
    const file = await exportProject(p.id);
    const copy = await restoreProject(file.blob, file.name);
    const [model] = await db.getAllFromIndex('models', 'byProject', copy.id);
    expect(model.id).not.toBe('model-1');
    expect(await chunks(copy.id)).toHaveLength(6);
    expectSame(await getCheckpoint(model.id, 2), c);
    expectSame(await getCheckpoint('model-1', 2), c);
  });

  it('migrate a schema-v1 database whose checkpoints hold their payloads inline', async () => {
    const old = await openDB<CinebreathDB>(DB_NAME, 1, {
      upgrade: (db, _from, _to, tx) => MIGRATIONS[0](db, tx),
    });
    const inline = checkpoint('p-old', 3, 12, 8);
    await old.put('projects', {
      id: 'p-old',
      name: 'Old',
      createdAt: 1,
      updatedAt: 1,
      settings: {},
    });
    await old.put('checkpoints', inline);
    old.close();

    const db = await openStore();
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(2);
    expect([...db.objectStoreNames]).toContain('checkpointChunks');
    expectSame(await latestCheckpoint('model-1'), inline);

    // The next epoch is written in chunks beside the inline one; both read back.
    const next = checkpoint('p-old', 4, 12, 8);
    await write(next, 5);
    expect(await chunks('p-old')).toHaveLength(5);
    expectSame(await latestCheckpoint('model-1'), next);
    expectSame(await getCheckpoint('model-1', 3), inline);
    await deleteProject('p-old');
    expect(await db.count('checkpoints')).toBe(0);
    expect(await db.count('checkpointChunks')).toBe(0);
  });
});
