/// <reference types="svelte" />
/// <reference types="vite/client" />

/** A WebAssembly kernel's WAT source, compiled to its bytes by scripts/wat-kernels.ts. */
declare module '*.wat' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
