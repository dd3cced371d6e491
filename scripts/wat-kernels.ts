// The WebAssembly kernels are written as WAT text (`src/lib/**/wat/*.wat`) and compiled to bytes
// when they are imported, by wabt (the WebAssembly Binary Toolkit, compiled to JS, from npm):
// `import bytes from './wat/fft.wat'` gives the module's bytes as a Uint8Array. The same compile
// serves the app build and its workers and Vitest (the Vite plugin below) and the benchmarks run
// by tsx (`wat-node-hooks.ts`), so every consumer runs the same bytes.
import { readFile } from 'node:fs/promises';
import wabt from 'wabt';
import type { Plugin } from 'vite';

let toolkit: ReturnType<typeof wabt> | undefined;

/** The binary module of WAT `text` (`path` names it in error messages); throws on any error. */
export async function compileWat(path: string, text: string): Promise<Uint8Array<ArrayBuffer>> {
  toolkit ??= wabt();
  // SIMD is the only feature past the 1.0 core the kernels use.
  const module = (await toolkit).parseWat(path, text, { simd: true });
  try {
    module.resolveNames();
    module.validate();
    // a copy that outlives the module's memory in wabt's heap
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** An ES module whose default export is the compiled bytes of the WAT file at `path`. */
export async function watModuleSource(path: string): Promise<string> {
  const bytes = await compileWat(path, await readFile(path, 'utf8'));
  const base64 = Buffer.from(bytes).toString('base64');
  return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));\n`;
}

const isWat = (id: string) => id.split('?')[0].endsWith('.wat');

/** Vite (and so Vitest): `.wat` imports compile to their bytes. */
export function watKernels(): Plugin {
  return {
    name: 'cinebreath-wat-kernels',
    enforce: 'pre',
    async load(id) {
      if (!isWat(id)) return null;
      const path = id.split('?')[0];
      this.addWatchFile(path);
      return watModuleSource(path);
    },
  };
}
