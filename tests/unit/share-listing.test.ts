// Share lists models with the epoch of their latest checkpoint: a model without weights yet is
// not downloadable, and models of the same name are told apart by date and epoch.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { listModelListings } from '../../src/lib/interop/model-transfer';
import { openStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import type { CheckpointRecord, ModelRecord } from '../../src/lib/store/schema';

describe('model listing', () => {
  it('gives each model its latest epoch and tells same-named models apart', async () => {
    const project = await createProject('share');
    const db = await openStore();
    const model = (id: string, name: string, createdAt: number): ModelRecord => ({
      id,
      projectId: project.id,
      kind: 'autoencoder',
      name,
      createdAt,
      topology: null,
      meta: {},
    });
    await db.put('models', model('a', 'autoencoder', Date.UTC(2026, 11, 7, 9, 30)));
    await db.put('models', model('b', 'autoencoder', Date.UTC(2026, 11, 7, 10, 0)));
    await db.put('models', model('c', 'scenes', Date.UTC(2026, 11, 7, 11, 0)));
    for (const [modelId, epoch] of [
      ['a', 1],
      ['a', 2],
      ['c', 4],
    ] as const) {
      await db.put('checkpoints', {
        modelId,
        epoch,
        projectId: project.id,
        weightSpecs: [],
        optimizerSpecs: [],
        createdAt: 0,
      } as unknown as CheckpointRecord);
    }
    const listed = await listModelListings(project.id);
    expect(listed.map((l) => [l.model.id, l.epoch, l.label])).toEqual([
      ['a', 2, 'autoencoder (2026-12-07 09:30, epoch 2)'],
      ['b', undefined, 'autoencoder (2026-12-07 10:00)'],
      ['c', 4, 'scenes'],
    ]);
  });
});
