// The feature worker as the app starts it, in Chromium: which kernels computed a clip, and
// whether its 193 features equal the TypeScript loops' on the page's own thread.
import { FeaturePool } from '../../../src/lib/features/client';
import { extractFeatures } from '../../../src/lib/features/extract';
import { disableWasmKernels } from '../../../src/lib/features/wasm';
import { AUDIO_CLIP_SAMPLES, AUDIO_SAMPLE_RATE } from '../../../src/lib/shapes';

export interface WorkerClipCheck {
  kernels: string;
  /** Largest |worker − TypeScript| over the 193 features. */
  difference: number;
  finite: boolean;
}

/** A clip's length of a gliding tone over a chord with a little deterministic noise. */
function clip(): Float32Array {
  const n = AUDIO_CLIP_SAMPLES;
  const out = new Float32Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    const t = i / AUDIO_SAMPLE_RATE;
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] =
      0.3 * Math.sin(2 * Math.PI * (220 + 10 * t) * t) +
      0.2 * Math.sin(2 * Math.PI * 277.18 * t) +
      0.2 * Math.sin(2 * Math.PI * 329.63 * t) +
      0.02 * (seed / 2 ** 32 - 0.5);
  }
  return out;
}

export async function workerClip(): Promise<WorkerClipCheck> {
  const samples = clip();
  disableWasmKernels(true);
  const want = extractFeatures(samples).features;
  disableWasmKernels(false);
  const pool = new FeaturePool(1);
  let got: { kernels: string; features: Float32Array } | null = null;
  try {
    await pool.run(
      1,
      async () => ({ key: 0, sampleRate: AUDIO_SAMPLE_RATE, samples: samples.slice().buffer }),
      (r) => {
        got = r;
      },
    );
  } finally {
    pool.dispose();
  }
  const r = got as { kernels: string; features: Float32Array } | null;
  if (!r) throw new Error('The feature worker returned nothing.');
  let difference = 0;
  for (let i = 0; i < want.length; i++) {
    difference = Math.max(difference, Math.abs(r.features[i] - want[i]));
  }
  return { kernels: r.kernels, difference, finite: r.features.every(Number.isFinite) };
}
