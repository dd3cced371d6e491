// Builds the app in test mode (app + numerical harness page) once, serves it on localhost with the
// same headers as production, and hands the URL to every browser test.
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { findChromium } from './chromium';
import { findFirefox } from './firefox';

let server: PreviewServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Fail before a long build when a browser is missing.
  findChromium();
  findFirefox();
  await build({ mode: 'test', logLevel: 'warn' });
  server = await preview({
    mode: 'test',
    preview: { port: 0, host: '127.0.0.1' },
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url.replace(/\/$/, ''));
}

export async function teardown(): Promise<void> {
  await server?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
