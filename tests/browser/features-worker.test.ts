// The audio feature worker in Chromium runs the WebAssembly SIMD kernels (not the TypeScript
// fallback) and gives the same 193 features as the TypeScript loops.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import type { WorkerClipCheck } from './harness/features.harness';

type Harness = { features: { workerClip(): Promise<WorkerClipCheck> } };

describe('audio feature worker', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor();
  });

  it('computes a clip with the WebAssembly SIMD kernels, equal to the TypeScript loops', async () => {
    const r = await session.page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.features.workerClip(),
    );
    expect(r.kernels).toBe('WebAssembly SIMD');
    expect(r.finite).toBe(true);
    expect(r.difference).toBe(0);
  });

  it('raised no page errors', () => {
    expect(session.errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
