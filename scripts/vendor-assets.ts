// Copies the run-time binaries the app serves itself (ffmpeg.wasm core, tfjs wasm backend) from
// node_modules into public/vendor/, so the app works offline and under a self-only CSP.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const VENDOR_FILES: ReadonlyArray<[from: string, to: string]> = [
  ['@ffmpeg/core/dist/esm/ffmpeg-core.js', 'ffmpeg/ffmpeg-core.js'],
  ['@ffmpeg/core/dist/esm/ffmpeg-core.wasm', 'ffmpeg/ffmpeg-core.wasm'],
  ['@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'tfjs/tfjs-backend-wasm.wasm'],
  [
    '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    'tfjs/tfjs-backend-wasm-simd.wasm',
  ],
  [
    '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
    'tfjs/tfjs-backend-wasm-threaded-simd.wasm',
  ],
];

export function copyVendorAssets(root = process.cwd()): Plugin {
  return {
    name: 'cinebreath-vendor-assets',
    config() {
      for (const [from, to] of VENDOR_FILES) {
        const src = join(root, 'node_modules', from);
        const dst = join(root, 'public', 'vendor', to);
        if (existsSync(dst) && statSync(dst).mtimeMs >= statSync(src).mtimeMs) continue;
        mkdirSync(dirname(dst), { recursive: true });
        copyFileSync(src, dst);
      }
    },
  };
}
