/// <reference types="svelte" />
/// <reference types="vite/client" />

/** A WebAssembly kernel's WAT source, compiled to its bytes by scripts/wat-kernels.ts. */
declare module '*.wat' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
/** package.json's version, set by vite.config.ts: part of the backend probe's cache key. */
declare const __APP_VERSION__: string;
