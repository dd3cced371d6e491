/**
 * The spectrogram CNN's input (after Piczak 2015): each 30-s clip's log-mel power
 * spectrogram as the feature extractor computes it (librosa's centred STFT 2048 / 512, Slaney mel,
 * power_to_db — imported from `features/`, not rewritten), with 64 mel bands instead of 128 and
 * every 10 frames (≈ 232 ms) averaged: 64 × 129 per clip instead of 128 × 1292, 20× fewer values.
 * A 30-s scene needs no 23-ms detail, and the smaller input keeps an epoch short on every backend.
 *
 * Spectrograms are cached per movie in the `encodings` store (key `log-mel/64x129:<movieId>`, one
 * record per clip) like the frozen encoder's outputs, so a second run reads them instead of
 * recomputing; no schema change.
 */
import { AUDIO_CLIP_SAMPLES, AUDIO_SAMPLE_RATE } from '../shapes';
import { checkClip, HOP, N_FFT } from './extract';
import { melSpectrogram, powerSpectrogram, powerToDb } from './spectral';
import { frameCount, hannPeriodic, stftMagnitude } from './spectrum';
import { getEncoding, putEncodings } from '../store/encodings';
import { getAudioClip } from '../store/movies';
import { encodingKey } from '../store/schema';

export const CNN_MEL_BANDS = 64;
export const CNN_TIME_POOL = 10;
/** Pooled frames of a full clip: ⌊1292 / 10⌋. */
export const CNN_FRAMES = Math.floor(frameCount(AUDIO_CLIP_SAMPLES, HOP) / CNN_TIME_POOL);
/** Values per clip, band-major ([bands, frames, 1] as the CNN takes it). */
export const CNN_INPUT_SIZE = CNN_MEL_BANDS * CNN_FRAMES;

const CACHE_SOURCE = `log-mel/${CNN_MEL_BANDS}x${CNN_FRAMES}`;

/**
 * The pooled log-mel spectrogram of one clip, bands × CNN_FRAMES, band-major. A clip shorter than
 * 30 s is padded with its quietest value (power_to_db's floor), a longer one cut.
 */
export function pooledLogMel(
  samples: ArrayLike<number>,
  sampleRate = AUDIO_SAMPLE_RATE,
): Float32Array {
  checkClip(samples, sampleRate);
  const D = stftMagnitude(Float64Array.from(samples), N_FFT, HOP, hannPeriodic(N_FFT));
  const power = powerSpectrogram(D);
  // frames × bands, in dB over the whole clip (ref 1, top_db 80), as the 193 features' mel is
  const db = powerToDb(melSpectrogram(power, sampleRate, CNN_MEL_BANDS));
  const frames = D.frames;
  let floor = Infinity;
  for (const v of db) floor = Math.min(floor, v);
  const out = new Float32Array(CNN_INPUT_SIZE).fill(floor);
  const pooled = Math.min(CNN_FRAMES, Math.floor(frames / CNN_TIME_POOL));
  for (let b = 0; b < CNN_MEL_BANDS; b++) {
    for (let t = 0; t < pooled; t++) {
      let s = 0;
      for (let k = 0; k < CNN_TIME_POOL; k++) s += db[(t * CNN_TIME_POOL + k) * CNN_MEL_BANDS + b];
      out[b * CNN_FRAMES + t] = s / CNN_TIME_POOL;
    }
  }
  return out;
}

/**
 * The pooled log-mel spectrograms of `rows` (rows × CNN_INPUT_SIZE), from the cache or computed
 * from the stored clips and cached. `onProgress(done, total)` counts clips.
 */
export async function logMelRows(
  projectId: string,
  rows: readonly { movieId: string; index: number }[],
  onProgress: (done: number, total: number) => void = () => undefined,
  shouldStop: () => boolean = () => false,
): Promise<Float32Array> {
  const out = new Float32Array(rows.length * CNN_INPUT_SIZE);
  for (const [i, r] of rows.entries()) {
    if (shouldStop()) throw new Error('Stopped while computing spectrograms.');
    const key = encodingKey(CACHE_SOURCE, r.movieId);
    const cached = await getEncoding(key, r.index);
    let values: Float32Array;
    if (cached && cached.values.byteLength === CNN_INPUT_SIZE * 4) {
      values = new Float32Array(cached.values);
    } else {
      const clip = await getAudioClip(r.movieId, r.index);
      if (!clip) {
        throw new Error(
          `Sequence ${r.index + 1} of a movie has audio features but no stored audio clip: the spectrogram CNN needs the clips (add the movie again with its audio).`,
        );
      }
      values = pooledLogMel(new Float32Array(clip.samples), clip.sampleRate);
      await putEncodings(
        [{ cacheKey: key, index: r.index, projectId, values: values.slice().buffer }],
        'spectrogram cache',
      );
    }
    out.set(values, i * CNN_INPUT_SIZE);
    onProgress(i + 1, rows.length);
  }
  return out;
}
