// Build, dev server and test configuration. The app is a static single page: everything it needs at
// run time (ffmpeg core, tfjs wasm binaries) is copied from node_modules into public/vendor/ and
// served by the app itself, never fetched from a CDN.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { copyVendorAssets } from './scripts/vendor-assets.ts';
import { watKernels } from './scripts/wat-kernels.ts';
import pkg from './package.json' with { type: 'json' };

// Cross-origin isolation lets workers use SharedArrayBuffer (multi-threaded wasm) where available.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), copyVendorAssets(), watKernels()],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  optimizeDeps: { exclude: ['@ffmpeg/core', 'h5wasm'] },
  // Worker bundles get their own plugins: the kernels they run are compiled from WAT there too.
  worker: { format: 'es', plugins: () => [watKernels()] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // The test build adds the harness page that browser tests drive for numerical checks.
    outDir: mode === 'test' ? 'dist-test' : 'dist',
    rollupOptions: {
      input: {
        main: 'index.html',
        ...(mode === 'test' ? { harness: 'tests/browser/harness/index.html' } : {}),
      },
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
}));
