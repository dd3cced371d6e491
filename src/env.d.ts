/// <reference types="svelte" />
/// <reference types="vite/client" />

/** package.json's version, set by vite.config.ts: part of the backend probe's cache key. */
declare const __APP_VERSION__: string;
