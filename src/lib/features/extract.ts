/**
 * The paper's 193 audio features of one clip, as librosa 0.10.2 computes them (see
 * tests/fixtures/reference/librosa/README.md): frame means of 40 MFCC | 12 chroma_stft | 128 mel |
 * 7 spectral contrast | 6 tonnetz of the harmonic part. meyda is not used: its MFCC differs
 * (HTK filters, natural log, unnormalised DCT), its chroma has no tuning estimate, its power
 * spectrum is not centred/zero-padded the same way, and it has no contrast or tonnetz.
 */
import { AUDIO_FEATURES, AUDIO_SAMPLE_RATE } from '../shapes';
import { chromaFromCqt, cqtMagnitude, tonnetzFromChroma } from './cqt';
import { harmonic } from './hpss';
import { chromaStft, melFromMagnitude, mfccFromMel, spectralContrast } from './spectral';
import { hannPeriodic, magnitude, stft, stftMagnitude } from './spectrum';
import { estimateTuning, type Spectrogram } from './tuning';

export const N_FFT = 2048;
export const HOP = 512;
export const N_MFCC = 40;
export const N_MELS = 128;

export class FeatureInputError extends Error {
  override name = 'FeatureInputError';
}

export interface ClipFeatures {
  /** The 193 frame means, float32 like the store keeps them. */
  features: Float32Array;
  frames: number;
  chromaTuning: number;
  cqtTuning: number;
}

/** Every per-frame matrix on the way to the 193 means, for conformance checks. */
export interface FeatureFrames {
  frames: number;
  stftMagnitude: Spectrogram;
  mel: Float64Array;
  mfcc: Float64Array;
  chroma: Float64Array;
  contrast: Float64Array;
  tonnetz: Float64Array;
  chromaTuning: number;
  cqtTuning: number;
}

export function checkClip(samples: ArrayLike<number>, sampleRate: number): void {
  if (sampleRate !== AUDIO_SAMPLE_RATE) {
    throw new FeatureInputError(
      `Audio must be ${AUDIO_SAMPLE_RATE} Hz for librosa-compatible features (got ${sampleRate} Hz).`,
    );
  }
  if (samples.length === 0) throw new FeatureInputError('The audio clip is empty.');
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new FeatureInputError(
        `The audio clip has a non-finite sample (${samples[i]}) at ${i}.`,
      );
    }
  }
}

/**
 * The complex STFT and the harmonic part's magnitude are only needed inside `featureFrames`:
 * their memory (about 30 MB for a 30-s clip) is kept for the next clip rather than reallocated.
 */
const scratch = { re: new Float64Array(0), im: new Float64Array(0), mag: new Float64Array(0) };

function scratchFor(length: number) {
  const size = (1 + Math.floor(length / HOP)) * (N_FFT / 2 + 1);
  if (scratch.re.length < size) {
    scratch.re = new Float64Array(size);
    scratch.im = new Float64Array(size);
    scratch.mag = new Float64Array(size);
  }
  return scratch;
}

export function featureFrames(
  samples: ArrayLike<number>,
  sampleRate = AUDIO_SAMPLE_RATE,
): FeatureFrames {
  checkClip(samples, sampleRate);
  const y = Float64Array.from(samples);
  const work = scratchFor(y.length);
  const D = stft(y, N_FFT, HOP, hannPeriodic(N_FFT), work);
  const mag: Spectrogram = { frames: D.frames, bins: D.bins, data: magnitude(D) };
  const mel = melFromMagnitude(mag, sampleRate, N_MELS);
  const mfcc = mfccFromMel(mel, N_MELS, N_MFCC);
  const { tuning: chromaTuning, chroma } = chromaStft(mag, sampleRate);
  const contrast = spectralContrast(mag, sampleRate);
  const yHarm = harmonic(D, mag.data, HOP, y.length); // D is the harmonic part from here on
  const cqtTuning = estimateTuning(
    stftMagnitude(yHarm, N_FFT, HOP, hannPeriodic(N_FFT), work.mag),
    sampleRate,
    36,
  );
  const C = cqtMagnitude(yHarm, sampleRate, HOP, cqtTuning);
  const tonnetz = tonnetzFromChroma(chromaFromCqt(C));
  return {
    frames: D.frames,
    stftMagnitude: mag,
    mel,
    mfcc,
    chroma,
    contrast,
    tonnetz,
    chromaTuning,
    cqtTuning,
  };
}

function frameMeans(x: Float64Array, k: number, out: Float32Array, at: number): void {
  const frames = x.length / k;
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let t = 0; t < frames; t++) s += x[t * k + i];
    out[at + i] = s / frames;
  }
}

/** The 193 frame means of a clip's feature frames, in the extractor's order. */
export function featureMeans(f: FeatureFrames): Float32Array {
  const features = new Float32Array(AUDIO_FEATURES);
  let at = 0;
  for (const [x, k] of [
    [f.mfcc, N_MFCC],
    [f.chroma, 12],
    [f.mel, N_MELS],
    [f.contrast, 7],
    [f.tonnetz, 6],
  ] as const) {
    frameMeans(x, k, features, at);
    at += k;
  }
  return features;
}

export function extractFeatures(
  samples: ArrayLike<number>,
  sampleRate = AUDIO_SAMPLE_RATE,
): ClipFeatures {
  const f = featureFrames(samples, sampleRate);
  return {
    features: featureMeans(f),
    frames: f.frames,
    chromaTuning: f.chromaTuning,
    cqtTuning: f.cqtTuning,
  };
}
