/**
 * The one message protocol of the feature worker: the page sends clips, the worker answers each
 * with its 193 features (or the reason it could not compute them).
 */

export interface ClipJob {
  /** Caller's key for the clip (e.g. its sequence index). */
  key: number;
  sampleRate: number;
  /** float32 mono samples, transferred. */
  samples: ArrayBuffer;
}

export type FeatureRequest = { type: 'extract'; job: ClipJob };

/** Which code computed a clip: the WebAssembly SIMD kernels, or the TypeScript loops where the
 * browser cannot run them (same numbers, about twice the time). */
export type FeatureKernels = 'WebAssembly SIMD' | 'TypeScript';

export type FeatureResponse =
  | {
      type: 'features';
      key: number;
      /** float32 × 193, transferred. */
      features: ArrayBuffer;
      chromaTuning: number;
      cqtTuning: number;
      kernels: FeatureKernels;
      ms: number;
    }
  | { type: 'error'; key: number; message: string };
