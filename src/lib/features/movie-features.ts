/**
 * A movie's audio features in the store: computed from its stored clips with the worker pool
 * (written once, when every clip is done, so a stopped run leaves the previous features intact),
 * or imported from a researcher's .npy file (rows × 193, checked for shape and finite values).
 */
import { readNpy } from '../util/npy';
import { AUDIO_FEATURES } from '../shapes';
import { putAudioFeatures } from '../store/audio-features';
import { getAudioClip, getMovie } from '../store/movies';
import type { AudioFeaturesRecord } from '../store/schema';
import { FeaturePool } from './client';
import { FeatureInputError } from './extract';
import type { FeatureKernels } from './protocol';

export interface FeatureProgress {
  done: number;
  total: number;
  /** Which code computed the last clip. */
  kernels: FeatureKernels;
}

export async function computeMovieFeatures(
  movieId: string,
  pool: FeaturePool,
  onProgress: (p: FeatureProgress) => void,
  signal?: AbortSignal,
): Promise<AudioFeaturesRecord> {
  const movie = await getMovie(movieId);
  if (!movie) throw new Error('This movie no longer exists.');
  const total = movie.sequencesDone;
  if (total === 0) throw new FeatureInputError(`“${movie.name}” has no stored sequences yet.`);
  const features = new Float32Array(total * AUDIO_FEATURES);
  await pool.run(
    total,
    async (i) => {
      const clip = await getAudioClip(movieId, i);
      if (!clip) {
        throw new FeatureInputError(`“${movie.name}” has no audio for sequence ${i + 1}.`);
      }
      return { key: i, sampleRate: clip.sampleRate, samples: clip.samples.slice(0) };
    },
    (r, done) => {
      features.set(r.features, r.key * AUDIO_FEATURES);
      onProgress({ done, total, kernels: r.kernels });
    },
    signal,
  );
  const record: AudioFeaturesRecord = {
    movieId,
    projectId: movie.projectId,
    source: 'computed',
    rows: total,
    features: features.buffer,
  };
  await putAudioFeatures(record);
  return record;
}

/** Parses an imported feature matrix; non-finite values are refused with their position. */
export function parseFeatureNpy(buffer: ArrayBuffer, fileName: string): Float32Array {
  const arr = readNpy(buffer, fileName);
  if (arr.shape.length !== 2 || arr.shape[1] !== AUDIO_FEATURES) {
    throw new FeatureInputError(
      `${fileName}: expected rows × ${AUDIO_FEATURES} audio features, got shape (${arr.shape.join(', ')}).`,
    );
  }
  const out = Float32Array.from(arr.data as ArrayLike<number>);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new FeatureInputError(
      `${fileName}: row ${Math.floor(bad / AUDIO_FEATURES) + 1}, feature ${(bad % AUDIO_FEATURES) + 1} is ${out[bad]}; fix the file (NaN/Inf cannot train a network).`,
    );
  }
  return out;
}

export async function importMovieFeatures(
  movieId: string,
  buffer: ArrayBuffer,
  fileName: string,
): Promise<AudioFeaturesRecord> {
  const movie = await getMovie(movieId);
  if (!movie) throw new Error('This movie no longer exists.');
  const features = parseFeatureNpy(buffer, fileName);
  const record: AudioFeaturesRecord = {
    movieId,
    projectId: movie.projectId,
    source: 'imported',
    rows: features.length / AUDIO_FEATURES,
    features: features.buffer as ArrayBuffer,
  };
  await putAudioFeatures(record);
  return record;
}
