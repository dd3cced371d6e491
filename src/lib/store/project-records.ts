/**
 * A project's records across stores, for moving whole projects in and out (project files, dataset
 * export): every record of one store that belongs to a project, and adding a set of records in one
 * transaction so an import lands whole or not at all.
 */
import { openStore, writeTransaction } from './db';
import type { CinebreathDB, PROJECT_STORES, StoreName } from './schema';

export type ProjectStoreName = (typeof PROJECT_STORES)[number];

/** Every record of store `name` that belongs to the project, in key order. */
export async function listProjectRecords<N extends ProjectStoreName>(
  name: N,
  projectId: string,
): Promise<CinebreathDB[N]['value'][]> {
  // A key range: idb's types cannot tie a plain key to the index of a generic store name.
  return (await openStore()).getAllFromIndex(name, 'byProject', IDBKeyRange.only(projectId));
}

/**
 * Adds `records[name]` to each store of `names`, in that order, in one transaction. `add`, not
 * `put`: a record that already exists aborts the whole write (IndexedDB's ConstraintError) rather
 * than overwrite it. The records are checked by the caller.
 */
export async function addRecords<Names extends StoreName[]>(
  names: Names,
  records: Record<Names[number], readonly unknown[]>,
  what: string,
): Promise<void> {
  await writeTransaction(names, what, async (tx) => {
    for (const name of names) {
      const store = tx.objectStore(name);
      for (const record of records[name as Names[number]]) await store.add(record as never);
    }
  });
}
