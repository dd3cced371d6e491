/**
 * The matrix product of the `cpu` backend's 3D convolutions, run on the tfjs wasm backend's
 * BatchMatMul (XNNPACK, SIMD) while `cpu` stays the active backend: wasm's own conv3d input
 * gradient and maxPool3d gradient are wrong, its matMul is right and ~10× faster than our
 * JavaScript product. Operands are staged in the wasm heap, the column matrix written there in
 * place, and every buffer is freed before the product returns. Where wasm cannot start (no
 * WebAssembly, binaries not served) the convolutions keep the JavaScript product.
 */
import * as tf from '@tensorflow/tfjs';

/** Where the app serves the wasm binaries (scripts/vendor-assets.ts copies them there). */
export const WASM_VENDOR_PATH = '/vendor/tfjs/';

/** The part of tfjs-backend-wasm's BackendWasm the product uses. */
interface WasmBackendLike {
  wasm: unknown;
  dispose(): void;
  write(values: Float32Array | null, shape: number[], dtype: 'float32'): tf.DataId;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

const START_TIMEOUT_MS = 15_000;

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return Boolean(proc?.versions?.node);
}

/**
 * Points the wasm backend at the binaries the app serves (in Node the package's own files are
 * found without help) and picks the single-threaded SIMD build: the threaded one starts its own
 * pthread workers and needs cross-origin isolation. Every user of the wasm backend calls this.
 */
export async function prepareWasm(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!isNode()) wasm.setWasmPaths(WASM_VENDOR_PATH);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return wasm;
}

/**
 * C[M, N] = A[M, K] · B[K, N], row-major, on the wasm backend: only this orientation reaches
 * XNNPACK's packed kernels (tfjs's transposed cases run a slow loop). The operands are written by
 * `fillA` / `fillB` straight into the wasm heap, and `take` reads C there before it is freed.
 */
export class WasmGemm {
  constructor(
    readonly backend: WasmBackendLike,
    /** Floats of the larger operand staged per product; the convolutions size slabs by it. */
    readonly slabFloats = 1 << 22,
  ) {}

  /** Whether the engine still holds this backend (a removed one has freed its heap). */
  alive(): boolean {
    return (tf.engine().registry.wasm as unknown) === this.backend && this.backend.wasm != null;
  }

  product(
    M: number,
    K: number,
    N: number,
    fillA: (a: Float32Array) => void,
    fillB: (b: Float32Array) => void,
    take: (c: Float32Array) => void,
  ): void {
    const be = this.backend;
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    if (!kernel) throw new Error('The wasm backend has no BatchMatMul kernel.');
    // tfjs binds the kernel's wasm entry point in setupFunc, normally when wasm becomes active.
    kernel.setupFunc?.(be);
    const staged = (rows: number, cols: number): tf.TensorInfo => ({
      dataId: be.write(null, [rows, cols], 'float32'),
      shape: [rows, cols],
      dtype: 'float32',
    });
    const a = staged(M, K);
    const b = staged(K, N);
    try {
      // The heap may grow (and its buffer move) on each allocation: view it only now.
      fillA(be.typedArrayFromHeap(a));
      fillB(be.typedArrayFromHeap(b));
      const out = kernel.kernelFunc({
        inputs: { a, b },
        backend: be as unknown as tf.KernelBackend,
        attrs: { transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      try {
        take(be.typedArrayFromHeap({ ...out, shape: [M, N] }));
      } finally {
        be.disposeData(out.dataId, true);
      }
    } finally {
      be.disposeData(a.dataId, true);
      be.disposeData(b.dataId, true);
    }
  }
}

/**
 * The engine's wasm backend, started without making it active. It is registered with the engine
 * so that a later `setBackend('wasm')` in the same thread reuses it: tfjs binds each wasm
 * kernel's entry point to one module at a time, so two live instances would call into each
 * other's heaps.
 */
async function engineWasmBackend(): Promise<WasmBackendLike> {
  await prepareWasm();
  const engine = tf.engine();
  const held = engine.registry.wasm as unknown as WasmBackendLike | undefined;
  if (held) return held;
  const factory = engine.findBackendFactory('wasm');
  if (!factory) throw new Error('the wasm backend is not registered');
  const started = await Promise.race([
    Promise.resolve(factory()),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), START_TIMEOUT_MS)),
  ]);
  if (!started) throw new Error(`its binary did not load within ${START_TIMEOUT_MS / 1000} s`);
  const raced = engine.registry.wasm as unknown as WasmBackendLike | undefined;
  if (raced) {
    started.dispose();
    return raced;
  }
  engine.registry.wasm = started;
  return started as unknown as WasmBackendLike;
}

export interface WasmGemmStart {
  gemm: WasmGemm | null;
  /** Which product the CPU convolutions use, and why not wasm's where it failed. */
  reason: string;
}

/** Starts the wasm product, or says why not; never throws. */
export async function startWasmGemm(): Promise<WasmGemmStart> {
  try {
    if (typeof WebAssembly === 'undefined') throw new Error('no WebAssembly');
    const gemm = new WasmGemm(await engineWasmBackend());
    // One tiny product proves the binary runs before the convolutions depend on it.
    let c = NaN;
    gemm.product(
      1,
      2,
      1,
      (a) => a.set([2, 3]),
      (b) => b.set([5, 7]),
      (out) => (c = out[0]),
    );
    if (c !== 31) throw new Error(`a test product gave ${c}, not 31`);
    return { gemm, reason: 'convolutions on the WebAssembly matrix product (XNNPACK)' };
  } catch (err) {
    const why =
      err instanceof Error ? err.message : String((err as { message?: string })?.message ?? err);
    return {
      gemm: null,
      reason: `convolutions on plain JavaScript (WebAssembly unavailable: ${why})`,
    };
  }
}
