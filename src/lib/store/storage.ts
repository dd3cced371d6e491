/**
 * What the browser grants this site: bytes used and available, and whether storage is persistent
 * (exempt from eviction under pressure).
 */
export interface StorageStatus {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

export async function storageStatus(): Promise<StorageStatus> {
  const storage = globalThis.navigator?.storage;
  if (!storage) return { usage: null, quota: null, persisted: null };
  const [estimate, persisted] = await Promise.all([
    storage.estimate?.() ?? Promise.resolve({} as StorageEstimate),
    storage.persisted?.() ?? Promise.resolve(null),
  ]);
  return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}

/** Asks for persistent storage; the browser may decide without asking the user. */
export async function requestPersistence(): Promise<boolean> {
  return (await globalThis.navigator?.storage?.persist?.()) ?? false;
}
