// Conformance of the browser feature extractor with real librosa 0.10.2 on the five reference
// clips (tests/fixtures/reference/librosa): filterbanks, the first STFT frames, MFCC frame matrices
// and the 193 frame means, per feature group, with a printed error table. Plus bad input.
import { describe, expect, it } from 'vitest';
import {
  extractFeatures,
  featureFrames,
  featureMeans,
  FeatureInputError,
} from '../../src/lib/features/extract';
import { chromaFilterbank, melFilterbank } from '../../src/lib/features/filters';
import { readNpy, writeNpy } from '../../src/lib/util/npy';
import { parseFeatureNpy } from '../../src/lib/features/movie-features';
import { AUDIO_FEATURE_GROUPS } from '../../src/lib/shapes';
import { readReference } from '../reference';

const CLIPS = [
  'sine_440hz',
  'chord_cmajor_c4e4g4',
  'sweep_log_50_8000hz',
  'white_noise',
  'speech_espeak',
] as const;

interface ClipInfo {
  chroma_stft_tuning: number;
  tonnetz_chroma_cqt_tuning: number;
}
const info = JSON.parse(new TextDecoder().decode(readReference('librosa/features.json'))) as {
  clips: Record<string, ClipInfo>;
};

/** An IEEE-float mono WAV's samples (the reference clips' format). */
function readFloatWav(buf: ArrayBuffer): Float32Array {
  const view = new DataView(buf);
  let at = 12;
  let format = 0;
  while (at < view.byteLength) {
    const id = String.fromCharCode(...new Uint8Array(buf, at, 4));
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') format = view.getUint16(at + 8, true);
    if (id === 'data') {
      if (format !== 3) throw new Error(`expected IEEE float WAV, format ${format}`);
      return new Float32Array(buf.slice(at + 8, at + 8 + size));
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

const npy = (name: string) => readNpy(readReference(`librosa/${name}`), name);
const clip = (name: string) => readFloatWav(readReference(`librosa/${name}.wav`));

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('librosa conformance', () => {
  it('builds the mel and chroma filterbanks within 1e-5', () => {
    const mel = npy('mel_filterbank_sr22050_nfft2048.npy');
    const chroma = npy('chroma_filterbank_sr22050_nfft2048.npy');
    const melErr = maxAbsDiff(melFilterbank(22050, 2048).data, mel.data);
    const chromaErr = maxAbsDiff(chromaFilterbank(22050, 2048, 0).data, chroma.data);
    console.log(
      `filterbank max |Δ|: mel ${melErr.toExponential(2)}, chroma ${chromaErr.toExponential(2)}`,
    );
    expect(melErr).toBeLessThanOrEqual(1e-5);
    expect(chromaErr).toBeLessThanOrEqual(1e-5);
  });

  const results = new Map<string, ReturnType<typeof featureFrames>>();
  const framesOf = (name: string) => {
    let r = results.get(name);
    if (!r) {
      r = featureFrames(clip(name));
      results.set(name, r);
    }
    return r;
  };

  it('matches the first STFT frames and the MFCC frame matrices within 1e-3 relative', () => {
    // 1025 × 3 saved in Fortran order, i.e. frame-major like ours (readNpy refuses that order)
    const raw = readReference('librosa/stft_mag_first3frames_sine_440hz.npy');
    const headerLength = new DataView(raw).getUint16(8, true);
    const ref = new Float32Array(raw.slice(10 + headerLength));
    expect(ref.length).toBe(1025 * 3);
    const S = framesOf('sine_440hz').stftMagnitude;
    const stftErr = maxAbsDiff(S.data.subarray(0, 1025 * 3), ref) / maxAbs(ref);
    console.log(`STFT first 3 frames: max |Δ| / max = ${stftErr.toExponential(2)}`);
    expect(stftErr).toBeLessThanOrEqual(1e-5);
    for (const name of ['sine_440hz', 'chord_cmajor_c4e4g4', 'sweep_log_50_8000hz']) {
      const refM = npy(`mfcc_frames_${name}.npy`); // 40 × 1292
      const m = framesOf(name).mfcc;
      const frames = refM.shape[1];
      const t = new Float64Array(40 * frames);
      for (let k = 0; k < 40; k++)
        for (let j = 0; j < frames; j++) t[k * frames + j] = m[j * 40 + k];
      const err = maxAbsDiff(t, refM.data) / maxAbs(refM.data);
      console.log(`MFCC frames ${name}: max |Δ| / max = ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-5);
    }
  });

  it('estimates the same tunings and matches the 193 means per group', () => {
    const rows: Record<string, Record<string, string>> = {};
    const worst: Record<string, number> = {};
    for (const name of CLIPS) {
      const ref = npy(`features_${name}.npy`).data;
      const f = framesOf(name);
      const ours = featureMeans(f);
      const row: Record<string, string> = {
        // ours/librosa
        'tuning stft': `${f.chromaTuning.toFixed(2)}/${info.clips[name].chroma_stft_tuning.toFixed(2)}`,
        'tuning cqt': `${f.cqtTuning.toFixed(2)}/${info.clips[name].tonnetz_chroma_cqt_tuning.toFixed(2)}`,
      };
      let at = 0;
      for (const [group, k] of AUDIO_FEATURE_GROUPS) {
        const a = ours.subarray(at, at + k);
        const b = ref.subarray(at, at + k);
        let err = 0;
        if (group === 'mfcc' || group === 'mel') {
          // relative to the group's largest magnitude: tiny bands of pure tones carry only float noise
          err = maxAbsDiff(a, b) / maxAbs(b);
        } else {
          err = maxAbsDiff(a, b);
        }
        row[group] = err.toExponential(2);
        worst[`${group}:${name}`] = err;
        at += k;
      }
      rows[name] = row;
    }
    console.table(rows);
    console.log(
      'mfcc, mel: max |Δ| / max |ref| of the group; chroma, tonnetz: max |Δ|; contrast: max |Δ| dB',
    );
    for (const [key, err] of Object.entries(worst)) {
      const group = key.split(':')[0];
      // tighter than the aims (1e-3, 1e-3, 0.01, 0.5 dB, 0.02) to catch regressions; the
      // tonnetz margin covers the CQT's resampler, which is not soxr's
      const tol = { mfcc: 1e-5, mel: 1e-5, chroma: 1e-4, contrast: 1e-3, tonnetz: 5e-3 }[group]!;
      expect(err, key).toBeLessThanOrEqual(tol);
    }
  });
});

describe('bad input', () => {
  const finite = (x: Float32Array) => x.every(Number.isFinite);

  it('gives defined features for a silent clip: −100 dB floor, zero chroma, contrast, tonnetz', () => {
    const { features } = extractFeatures(new Float32Array(22050));
    expect(finite(features)).toBe(true);
    expect(features[0]).toBeCloseTo(-100 * Math.sqrt(128), 3);
    expect(Array.from(features.subarray(1, 40)).every((v) => Math.abs(v) < 1e-4)).toBe(true);
    expect(Array.from(features.subarray(40, 52)).every((v) => v === 0)).toBe(true);
    expect(Array.from(features.subarray(52, 180)).every((v) => v === 0)).toBe(true);
    expect(Array.from(features.subarray(180, 193)).every((v) => v === 0)).toBe(true);
  });

  it('handles clips shorter than one frame with zero padding, as librosa does', () => {
    for (const n of [1, 100, 2047]) {
      const y = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.2));
      const r = extractFeatures(y);
      expect(r.frames).toBe(1 + Math.floor(n / 512));
      expect(finite(r.features)).toBe(true);
    }
  });

  it('rejects empty clips, non-finite samples and other sample rates with a clear error', () => {
    expect(() => extractFeatures(new Float32Array(0))).toThrow(FeatureInputError);
    expect(() => extractFeatures(Float32Array.of(0, NaN, 0))).toThrow(/non-finite sample/);
    expect(() => extractFeatures(Float32Array.of(0, Infinity))).toThrow(/non-finite/);
    expect(() => extractFeatures(new Float32Array(100), 44100)).toThrow(/22050 Hz/);
  });

  it('refuses imported feature files with NaN/Inf or the wrong shape, naming the place', () => {
    const good = new Float64Array(2 * 193).map((_, i) => i);
    expect(parseFeatureNpy(writeNpy(good, [2, 193]).buffer, 'a.npy')).toHaveLength(2 * 193);
    const bad = Float64Array.from(good);
    bad[193 + 4] = NaN;
    expect(() => parseFeatureNpy(writeNpy(bad, [2, 193]).buffer, 'b.npy')).toThrow(
      /b\.npy: row 2, feature 5 is NaN/,
    );
    bad[193 + 4] = -Infinity;
    expect(() => parseFeatureNpy(writeNpy(bad, [2, 193]).buffer, 'c.npy')).toThrow(/-Infinity/);
    expect(() => parseFeatureNpy(writeNpy(good, [193, 2]).buffer, 'd.npy')).toThrow(
      /rows × 193 audio features, got shape \(193, 2\)/,
    );
  });
});
