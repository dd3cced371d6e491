/**
 * Storage failures a researcher must understand, each with a message fit for the UI.
 */

export class StoreError extends Error {
  override name = 'StoreError';
}

/** The browser's quota is used up; the failed write left nothing behind. */
export class StorageFullError extends StoreError {
  override name = 'StorageFullError';
  constructor(what: string) {
    super(
      `Storage is full: could not save ${what}. Nothing partial was kept and your earlier data is ` +
        `intact. Free space by deleting a project or movie, or allow more storage for this site.`,
    );
  }
}

/** Another tab holds the database open at an older schema version. */
export class StoreBlockedError extends StoreError {
  override name = 'StoreBlockedError';
  constructor() {
    super(
      'Cinebreath is open in another tab with an older version. Close or reload the other tabs ' +
        'to continue; nothing has been changed.',
    );
  }
}

/** The stored data was written by a newer Cinebreath than this page. */
export class StoreTooNewError extends StoreError {
  override name = 'StoreTooNewError';
  constructor() {
    super(
      'Your local data was written by a newer version of Cinebreath. Reload the page to get the ' +
        'newest version; this page will not touch the data.',
    );
  }
}

/** This tab's connection was closed because another tab upgraded the schema. */
export class StoreVersionChangedError extends StoreError {
  override name = 'StoreVersionChangedError';
  constructor() {
    super('Cinebreath was updated in another tab. Reload this page to keep working.');
  }
}

export function isQuotaError(err: unknown): boolean {
  return (
    err instanceof DOMException &&
    (err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED')
  );
}

/** Runs a write and turns a quota failure into a StorageFullError naming what was being saved. */
export async function guardQuota<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const cause = err instanceof Error && 'cause' in err ? err.cause : undefined;
    if (isQuotaError(err) || isQuotaError(cause)) throw new StorageFullError(what);
    throw err;
  }
}
