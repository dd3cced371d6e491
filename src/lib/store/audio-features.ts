/**
 * Audio features: one record per movie, rows × 193 float32 (librosa's features of each 30-s clip),
 * computed here or imported from a researcher's .npy file.
 */
import { openStore, writeTransaction } from './db';
import type { AudioFeaturesRecord, MovieRecord } from './schema';

export async function getAudioFeatures(movieId: string): Promise<AudioFeaturesRecord | undefined> {
  return (await openStore()).get('audioFeatures', movieId);
}

export async function listAudioFeatures(projectId: string): Promise<AudioFeaturesRecord[]> {
  return (await openStore()).getAllFromIndex('audioFeatures', 'byProject', projectId);
}

/**
 * Stores a movie's features, replacing earlier ones; `newMovie`, when an import creates the movie,
 * is added in the same transaction.
 */
export async function putAudioFeatures(
  record: AudioFeaturesRecord,
  what = 'audio features',
  newMovie?: MovieRecord,
): Promise<void> {
  await writeTransaction(['movies', 'audioFeatures'], what, async (tx) => {
    if (newMovie) await tx.objectStore('movies').add(newMovie);
    await tx.objectStore('audioFeatures').put(record);
  });
}
