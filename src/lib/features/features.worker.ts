/**
 * Computes the 193 audio features of clips off the main thread, one clip per request.
 */
import { extractFeatures } from './extract';
import type { FeatureRequest, FeatureResponse } from './protocol';
import { wasmKernels } from './wasm';

const post = (msg: FeatureResponse, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(msg, transfer);

self.onmessage = (event: MessageEvent<FeatureRequest>) => {
  const { job } = event.data;
  const t0 = performance.now();
  try {
    const r = extractFeatures(new Float32Array(job.samples), job.sampleRate);
    const features = r.features.buffer as ArrayBuffer;
    post(
      {
        type: 'features',
        key: job.key,
        features,
        chromaTuning: r.chromaTuning,
        cqtTuning: r.cqtTuning,
        kernels: wasmKernels() ? 'WebAssembly SIMD' : 'TypeScript',
        ms: performance.now() - t0,
      },
      [features],
    );
  } catch (err) {
    post({
      type: 'error',
      key: job.key,
      message: err instanceof Error ? err.message : String(err),
    });
  }
};
