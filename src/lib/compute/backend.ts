/**
 * Chooses the TensorFlow.js backend (WebGPU → WebGL → CPU) and says why, with the WebGPU adapter's
 * name and the limits that decide how large a layer may be. Used by the status strip and by every
 * worker that computes, so all of them report the same way.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { installFastKernels, useWasmGemm } from './kernels';
import { startWasmGemm } from './wasm-gemm';

export type BackendName = 'webgpu' | 'webgl' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
}

export interface BackendInfo {
  name: BackendName;
  /** One sentence: why this backend, and why not the ones before it. */
  reason: string;
  adapter: AdapterSummary | null;
}

export async function describeAdapter(): Promise<AdapterSummary | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallback: Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
  };
}

function whyNot(name: BackendName, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err ?? 'unavailable');
  return `${name} unavailable (${detail})`;
}

/**
 * Initialises the first backend of `order` that works. `order` may be narrowed (tests pin `cpu`;
 * a user may force one in settings).
 */
export async function initBackend(
  order: readonly BackendName[] = BACKEND_ORDER,
): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of order) {
    if (name === 'webgpu' && !(globalThis.navigator as Navigator | undefined)?.gpu) {
      skipped.push('WebGPU not offered by this browser');
      continue;
    }
    try {
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error('initialisation failed');
      await tf.ready();
      // Fast 3D convolution kernels in place of tfjs's naive ones (same kernel names).
      installFastKernels(name);
      const adapter = name === 'webgpu' ? await describeAdapter() : null;
      let chosen = name === 'webgpu' ? `WebGPU on ${adapterLabel(adapter)}` : 'WebGL';
      if (name === 'cpu') {
        // The CPU convolutions' matrix products on the wasm backend, which stays inactive.
        const gemm = await startWasmGemm();
        useWasmGemm(gemm.gemm);
        chosen = `CPU (slow; ${gemm.reason})`;
      }
      const reason = skipped.length ? `${chosen}; ${skipped.join('; ')}` : chosen;
      return { name, reason, adapter };
    } catch (err) {
      skipped.push(whyNot(name, err));
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

/**
 * Names of software rasterisers that offer WebGPU (or WebGL) on the CPU: Chromium's SwiftShader,
 * Mesa's lavapipe / llvmpipe, Windows's WARP ("Microsoft Basic Render Driver").
 */
const SOFTWARE_RENDERER = /swiftshader|lavapipe|llvmpipe|softpipe|\bwarp\b|basic render|software/i;

/** True when the adapter computes on the CPU: the fallback adapter or a known software renderer. */
export function isSoftwareAdapter(adapter: AdapterSummary | null): boolean {
  if (!adapter) return false;
  return (
    adapter.isFallback ||
    SOFTWARE_RENDERER.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`)
  );
}

/** True when a WebGL renderer string names a software rasteriser. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

export function adapterLabel(adapter: AdapterSummary | null): string {
  if (!adapter) return 'an unknown adapter';
  const name = [adapter.vendor, adapter.architecture, adapter.description]
    .filter(Boolean)
    .join(' ');
  const software = adapter.isFallback
    ? ' (software fallback)'
    : isSoftwareAdapter(adapter)
      ? ' (software)'
      : '';
  return `${name || 'an unnamed adapter'}${software}`;
}

/** The WebGPU device tfjs computes on, when the current backend is WebGPU. */
export function webgpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/**
 * Largest single buffer the current backend accepts: the WebGPU device's own limits (those tfjs
 * requested, i.e. the adapter's), Infinity on the other backends. Larger weights must be split.
 */
export function maxBufferBytes(): number {
  const limits = webgpuDevice()?.limits;
  return limits ? Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) : Infinity;
}
