/**
 * Swaps tfjs's naive 3D convolution and pooling kernels for fast ones, under the same kernel
 * names, so models keep using ordinary layers and ops (tf.conv3d, tf.maxPool3d, their gradients);
 * on the CPU also the broadcasting element-wise ops and reductions (cpu-elementwise.ts); on
 * WebGPU also Sum and Mean over leading axes without a transpose (webgpu-reduce.ts) and the
 * transpose, Max and Min whose stock dispatch overflows on tall matrices (webgpu-dispatch.ts).
 * `initBackend` calls `installFastKernels` for the backend it picks;
 * benchmarks and tests call `uninstallFastKernels` to measure or compare against the stock
 * kernels in the same process.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuKernels } from './cpu-conv3d';
export { useWasmGemm } from './cpu-conv3d';
import { cpuElementwiseKernels } from './cpu-elementwise';
import { webgpuKernels } from './webgpu-conv3d';
import { webgpuDispatchKernels } from './webgpu-dispatch';
import { webgpuReduceKernels } from './webgpu-reduce';
// Device-side Sum and Mean gradients, registered once for every backend these kernels serve.
import '../gradients';

/** A replacement kernel; `stock` is the kernel it replaced, for the calls it passes through. */
type KernelTable = Record<
  string,
  (args: never, stock: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[]
>;

/**
 * Kernels per backend: all five on `cpu`, with its broadcasting Add/Sub/Mul and its Sum/Mean
 * (cpu-elementwise.ts); the three convolutions on `webgpu`, whose stock pooling
 * kernels are already one thread per element and cheap next to the convolutions, and the
 * reductions.
 */
const FAST: Record<string, KernelTable> = {
  cpu: { ...cpuKernels, ...cpuElementwiseKernels },
  webgpu: { ...webgpuKernels, ...webgpuDispatchKernels, ...webgpuReduceKernels },
};

function missingStock(name: string): tf.KernelFunc {
  return () => {
    throw new Error(`No stock ${name} kernel to fall back to.`);
  };
}

/** The stock kernels we replaced, per backend, so they can be put back. */
const stock = new Map<string, Map<string, tf.KernelConfig>>();

/** Whether fast kernels exist for this backend. */
export function hasFastKernels(backendName: string): boolean {
  return backendName in FAST;
}

/**
 * Registers the fast kernels for `backendName` in place of the stock ones. Idempotent; returns the
 * names replaced (none for a backend without fast kernels, e.g. webgl).
 */
export function installFastKernels(backendName: string): string[] {
  const table = FAST[backendName];
  if (!table) return [];
  if (stock.has(backendName)) return Object.keys(table);
  const saved = new Map<string, tf.KernelConfig>();
  for (const name of Object.keys(table)) {
    const old = tf.getKernel(name, backendName);
    if (old) {
      saved.set(name, old);
      tf.unregisterKernel(name, backendName);
    }
    const fast = table[name] as (args: unknown, stock: tf.KernelFunc) => tf.TensorInfo;
    const fallback = old?.kernelFunc ?? missingStock(name);
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: (args) => fast(args, fallback),
    });
  }
  stock.set(backendName, saved);
  return Object.keys(table);
}

/** Puts tfjs's stock kernels back (for side-by-side benchmarks and tests). */
export function uninstallFastKernels(backendName: string): void {
  const saved = stock.get(backendName);
  if (!saved) return;
  for (const name of Object.keys(FAST[backendName])) {
    tf.unregisterKernel(name, backendName);
    const old = saved.get(name);
    if (old) tf.registerKernel(old);
  }
  stock.delete(backendName);
}
