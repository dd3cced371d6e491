/**
 * VOC screenings: one record per screening of a movie (its gas concentrations per 30-s period),
 * numbered by `screeningIndex`. Storing a screening replaces the movie's screening of that number.
 */
import { openStore, writeTransaction } from './db';
import type { MovieRecord, ScreeningRecord } from './schema';

export async function listScreenings(projectId: string): Promise<ScreeningRecord[]> {
  const all = await (await openStore()).getAllFromIndex('screenings', 'byProject', projectId);
  return all.sort((a, b) => a.screeningIndex - b.screeningIndex || a.createdAt - b.createdAt);
}

/**
 * Stores a screening of `movie`, numbered `screeningIndex` or, when that is null, one above the
 * movie's highest; the record is made by `make(screeningIndex)` inside the transaction. `newMovie`
 * is added in the same transaction when the import creates the movie.
 */
export async function putScreening(
  movie: MovieRecord,
  screeningIndex: number | null,
  make: (screeningIndex: number) => ScreeningRecord,
  what: string,
  newMovie?: MovieRecord,
): Promise<ScreeningRecord> {
  return writeTransaction(['movies', 'screenings'], what, async (tx) => {
    if (newMovie) await tx.objectStore('movies').add(newMovie);
    const screenings = tx.objectStore('screenings');
    const existing = (await screenings.index('byProject').getAll(movie.projectId)).filter(
      (s) => s.movieId === movie.id,
    );
    const index = screeningIndex ?? Math.max(0, ...existing.map((s) => s.screeningIndex)) + 1;
    for (const old of existing) {
      if (old.screeningIndex === index) await screenings.delete(old.id);
    }
    const record = make(index);
    await screenings.put(record);
    return record;
  });
}
