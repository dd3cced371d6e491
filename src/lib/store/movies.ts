/**
 * Movies and their per-sequence payloads (frames, audio clips). A movie is written sequence by
 * sequence as it is decoded: each sequence's frames, its audio clip and the movie's progress
 * counter are saved in one transaction, so a crash or a full disk never leaves a sequence half
 * stored, and `sequencesDone` always tells where to resume.
 */
import { openStore, writeTransaction } from './db';
import { guardQuota } from './errors';
import {
  encodingMovie,
  type AudioClipRecord,
  type MovieRecord,
  type SequenceRecord,
} from './schema';

export async function putMovie(movie: MovieRecord): Promise<void> {
  const db = await openStore();
  await guardQuota(`movie “${movie.name}”`, () => db.put('movies', movie));
}

export async function getMovie(id: string): Promise<MovieRecord | undefined> {
  return (await openStore()).get('movies', id);
}

export async function listMovies(projectId: string): Promise<MovieRecord[]> {
  const db = await openStore();
  const movies = await db.getAllFromIndex('movies', 'byProject', projectId);
  return movies.sort((a, b) => a.createdAt - b.createdAt);
}

export interface SequencePayload {
  index: number;
  frames: ArrayBuffer;
  audio: { sampleRate: number; samples: ArrayBuffer } | null;
}

/**
 * Stores one decoded sequence and advances the movie's progress. Sequences must arrive in order:
 * the movie's `sequencesDone` is the index of the next one expected.
 */
export async function appendSequence(
  movieId: string,
  payload: SequencePayload,
): Promise<MovieRecord> {
  return writeTransaction(
    ['movies', 'sequences', 'audioClips'],
    `sequence ${payload.index + 1} of a movie`,
    async (tx) => {
      const movies = tx.objectStore('movies');
      const movie = await movies.get(movieId);
      if (!movie) throw new Error(`Movie ${movieId} no longer exists.`);
      if (payload.index !== movie.sequencesDone) {
        throw new Error(
          `Sequence ${payload.index} of “${movie.name}” arrived out of order (expected ${movie.sequencesDone}).`,
        );
      }
      const sequence: SequenceRecord = {
        movieId,
        index: payload.index,
        projectId: movie.projectId,
        frames: payload.frames,
      };
      await tx.objectStore('sequences').put(sequence);
      if (payload.audio) {
        const clip: AudioClipRecord = {
          movieId,
          index: payload.index,
          projectId: movie.projectId,
          ...payload.audio,
        };
        await tx.objectStore('audioClips').put(clip);
      }
      const next: MovieRecord = { ...movie, sequencesDone: payload.index + 1 };
      await movies.put(next);
      return next;
    },
  );
}

/** Saves the movie and deletes its sequences and clips from `fromIndex` on, in one transaction. */
export async function putMovieDroppingFrom(
  movie: MovieRecord,
  fromIndex: number,
): Promise<MovieRecord> {
  const db = await openStore();
  const tx = db.transaction(['movies', 'sequences', 'audioClips'], 'readwrite');
  const range = IDBKeyRange.bound([movie.id, fromIndex], [movie.id, Infinity]);
  await Promise.all([
    tx.objectStore('sequences').delete(range),
    tx.objectStore('audioClips').delete(range),
    tx.objectStore('movies').put(movie),
  ]);
  await tx.done;
  return movie;
}

export async function getSequence(
  movieId: string,
  index: number,
): Promise<SequenceRecord | undefined> {
  return (await openStore()).get('sequences', [movieId, index]);
}

export async function getAudioClip(
  movieId: string,
  index: number,
): Promise<AudioClipRecord | undefined> {
  return (await openStore()).get('audioClips', [movieId, index]);
}

/** Deletes a movie with its sequences, clips, audio features and every value cached from them. */
export async function deleteMovie(movieId: string): Promise<void> {
  const db = await openStore();
  const tx = db.transaction(
    ['movies', 'sequences', 'audioClips', 'audioFeatures', 'encodings'],
    'readwrite',
  );
  const movie = await tx.objectStore('movies').get(movieId);
  const range = IDBKeyRange.bound([movieId, 0], [movieId, Infinity]);
  const encodings = tx.objectStore('encodings');
  const cached: Promise<void>[] = [];
  if (movie) {
    // Keys only: a project's cached encodings can be many megabytes.
    let cursor = await encodings.index('byProject').openKeyCursor(movie.projectId);
    while (cursor) {
      if (encodingMovie(cursor.primaryKey[0]) === movieId)
        cached.push(encodings.delete(cursor.primaryKey));
      cursor = await cursor.continue();
    }
  }
  await Promise.all([
    tx.objectStore('movies').delete(movieId),
    tx.objectStore('sequences').delete(range),
    tx.objectStore('audioClips').delete(range),
    tx.objectStore('audioFeatures').delete(movieId),
    ...cached,
  ]);
  await tx.done;
}
