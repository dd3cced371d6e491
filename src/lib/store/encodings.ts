/**
 * The `encodings` cache: per-sequence values computed once and read many times (a frozen
 * encoder's outputs, pooled log-mel spectrograms), keyed by `encodingKey(source, movieId)` and the
 * sequence index. A cache: a project file leaves it out and deleting a movie clears its entries.
 */
import { openStore, writeTransaction } from './db';
import type { EncodingRecord } from './schema';

export async function getEncoding(
  cacheKey: string,
  index: number,
): Promise<EncodingRecord | undefined> {
  return (await openStore()).get('encodings', [cacheKey, index]);
}

/** Whether a value is cached, without reading it. */
export async function hasEncoding(cacheKey: string, index: number): Promise<boolean> {
  return (await (await openStore()).getKey('encodings', [cacheKey, index])) !== undefined;
}

/** Caches `records` in one transaction; `what` names them in a storage-full message. */
export async function putEncodings(
  records: readonly EncodingRecord[],
  what: string,
): Promise<void> {
  await writeTransaction(['encodings'], what, async (tx) => {
    for (const record of records) await tx.objectStore('encodings').put(record);
  });
}
