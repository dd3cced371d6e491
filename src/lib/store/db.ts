/**
 * Opens the study database, runs pending migrations, and turns the multi-tab and version failures
 * of IndexedDB into errors the UI can show. Every other store module goes through `openStore()`.
 */
import { openDB, deleteDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { DB_NAME, DB_VERSION, MIGRATIONS, type CinebreathDB, type StoreName } from './schema';
import {
  guardQuota,
  StoreBlockedError,
  StoreTooNewError,
  StoreVersionChangedError,
} from './errors';

export type StudyDB = IDBPDatabase<CinebreathDB>;

type Listener = (err: Error) => void;
const listeners = new Set<Listener>();
let pending: Promise<StudyDB> | null = null;

/** Called when this tab's connection becomes unusable (another tab upgraded the schema). */
export function onStoreLost(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function openStore(name = DB_NAME): Promise<StudyDB> {
  pending ??= open(name).catch((err: unknown) => {
    pending = null;
    throw err;
  });
  return pending;
}

async function open(name: string): Promise<StudyDB> {
  let db: StudyDB;
  try {
    db = await openDB<CinebreathDB>(name, DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, tx) {
        for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v](database, tx);
      },
      blocked() {
        for (const l of listeners) l(new StoreBlockedError());
      },
      blocking() {
        // A newer tab wants to upgrade: step aside so it can, and tell this tab's UI.
        db.close();
        pending = null;
        for (const l of listeners) l(new StoreVersionChangedError());
      },
      terminated() {
        pending = null;
      },
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'VersionError') throw new StoreTooNewError();
    throw err;
  }
  return db;
}

/** Closes this tab's connection (tests and "Erase all local data"). */
export async function closeStore(): Promise<void> {
  const p = pending;
  pending = null;
  if (p) (await p.catch(() => null))?.close();
}

/** Deletes the whole database. */
export async function eraseStore(name = DB_NAME): Promise<void> {
  await closeStore();
  await deleteDB(name, {
    blocked() {
      for (const l of listeners) l(new StoreBlockedError());
    },
  });
}

export type WriteTx<Names extends StoreName[]> = IDBPTransaction<CinebreathDB, Names, 'readwrite'>;

/**
 * Runs `body` in one readwrite transaction: either all of its writes land or none do. Any failure
 * aborts the transaction, and a quota failure becomes a StorageFullError naming `what`.
 */
export async function writeTransaction<Names extends StoreName[], T>(
  names: Names,
  what: string,
  body: (tx: WriteTx<Names>) => Promise<T>,
): Promise<T> {
  const db = await openStore();
  return guardQuota(what, async () => {
    const tx = db.transaction(names, 'readwrite');
    try {
      const result = await body(tx);
      await tx.done;
      return result;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      await tx.done.catch(() => undefined);
      throw err;
    }
  });
}
