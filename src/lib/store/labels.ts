/**
 * Label sets: one imported label CSV per movie (the scene labels of its sequences). Importing a
 * movie's labels again replaces its earlier set in the same transaction.
 */
import { openStore, writeTransaction } from './db';
import type { LabelSetRecord, MovieRecord } from './schema';

export async function listLabelSets(projectId: string): Promise<LabelSetRecord[]> {
  const all = await (await openStore()).getAllFromIndex('labelSets', 'byProject', projectId);
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * Stores `record` as its movie's only label set; `newMovie`, when the import creates the movie,
 * is added in the same transaction so a failure leaves neither.
 */
export async function replaceLabelSet(
  record: LabelSetRecord,
  what: string,
  newMovie?: MovieRecord,
): Promise<void> {
  await writeTransaction(['movies', 'labelSets'], what, async (tx) => {
    if (newMovie) await tx.objectStore('movies').add(newMovie);
    const sets = tx.objectStore('labelSets');
    for (const old of await sets.index('byProject').getAll(record.projectId)) {
      if (old.movieId === record.movieId) await sets.delete(old.id);
    }
    await sets.put(record);
  });
}
