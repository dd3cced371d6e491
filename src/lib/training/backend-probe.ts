/**
 * One backend's probe, as its worker runs it: start the backend, build the paper's autoencoder
 * with batch norm for `shape` (the demo's, or a small one on software renderers), then time two training steps on a few seeded random sequences.
 * The first step (with the build) compiles the GPU programs; the second is the throughput a run
 * will see.
 */
import * as tf from '@tensorflow/tfjs';
import {
  adapterLabel,
  initBackend,
  isSoftwareAdapter,
  isSoftwareRenderer,
  webgpuDevice,
  type BackendName,
} from '../compute/backend';
import { buildAutoencoder, type SequenceShape } from '../models/autoencoder';
import { seededRandom } from '../util/random';
import { binaryCrossentropy } from './losses';
import { trainStep } from './loop';
import { makeOptimizer } from './optimizer';
import type { ProbeEvent } from './backend-probe-protocol';

export async function measureBackend(
  name: BackendName,
  shape: SequenceShape,
  sequences: number,
  post: (e: ProbeEvent) => void,
): Promise<void> {
  const t0 = performance.now();
  const info = await initBackend([name]);
  const { device, software } =
    name === 'webgpu'
      ? { device: adapterLabel(info.adapter), software: isSoftwareAdapter(info.adapter) }
      : name === 'webgl'
        ? webglRenderer()
        : { device: 'CPU', software: false };
  post({ type: 'started', device, software, startMs: performance.now() - t0 });
  // Building initialises the weights on the backend: on WebGL that compiles programs too.
  let t = performance.now();
  const model = buildAutoencoder({ batchNorm: true, inputShape: shape, seed: 1 });
  const optimizer = makeOptimizer({ name: 'adadelta', learningRate: 1 });
  const next = seededRandom(1);
  const size = sequences * shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(
    Float32Array.from({ length: size }, () => next()),
    [sequences, ...shape],
  );
  const batch = { x, y: x };
  try {
    await trainStep(model, optimizer, binaryCrossentropy, batch);
    post({ type: 'first-step', firstStepMs: performance.now() - t });
    t = performance.now();
    await trainStep(model, optimizer, binaryCrossentropy, batch);
    post({ type: 'step', stepMs: performance.now() - t });
  } finally {
    x.dispose();
    model.dispose();
    optimizer.dispose();
  }
}

/** Discards the GPU work the probe submitted: destroys the WebGPU device, loses the WebGL context. */
export function dropGpuWork(): void {
  try {
    webgpuDevice()?.destroy();
    const gl = webglContext();
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    // Nothing to drop, or already gone: the worker is terminated next either way.
  }
}

function webglContext(): WebGLRenderingContext | undefined {
  if (tf.getBackend() !== 'webgl') return undefined;
  return (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
}

/** The WebGL renderer's name, when the browser tells it. */
function webglRenderer(): { device: string; software: boolean } {
  const gl = webglContext();
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : '';
  return {
    device: renderer || 'renderer not named',
    software: isSoftwareRenderer(renderer),
  };
}
