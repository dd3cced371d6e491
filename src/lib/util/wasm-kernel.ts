/**
 * Running our WebAssembly kernels: each is a module compiled at build time from WAT text
 * (`src/lib/<step>/wat/*.wat`, by scripts/wat-kernels.ts) that imports its memory as m.memory, so
 * that callers place their buffers in it and pass byte addresses.
 */

/** Grows `memory` (by whole 64-KB pages) until it holds at least `bytes`. */
export function reserveMemory(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}

/** An instance of the compiled `module` on `memory`, its exports typed as `T`. */
export function instantiateKernel<T>(module: WebAssembly.Module, memory: WebAssembly.Memory): T {
  return new WebAssembly.Instance(module, { m: { memory } }).exports as unknown as T;
}

/**
 * A kernel module's instances: the module is compiled on the first call (once per worker), and
 * each call gives a fresh instance with a memory of its own.
 */
export function kernelInstances<T>(
  bytes: Uint8Array<ArrayBuffer>,
): () => { memory: WebAssembly.Memory; exports: T } {
  let compiled: WebAssembly.Module | null = null;
  return () => {
    compiled ??= new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: 1 });
    return { memory, exports: instantiateKernel<T>(compiled, memory) };
  };
}
