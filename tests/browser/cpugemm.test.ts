// The CPU backend's conv3d products on the wasm backend in Chromium, from the served binaries.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import type { GemmCheck } from './harness/cpugemm.harness';

type Harness = { cpugemm: { wasmConvMatchesJs(): Promise<GemmCheck> } };

describe('CPU convolutions on the wasm matrix product', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor();
  });

  it('start from the served binaries, keep cpu active and equal the JavaScript product', async () => {
    const r = await session.page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.cpugemm.wasmConvMatchesJs(),
    );
    expect(r.reason).toBe('CPU (slow; convolutions on the WebAssembly matrix product (XNNPACK))');
    expect(r.active).toBe('cpu');
    expect(r.error).toBeLessThan(1e-4);
  });

  it('raised no page errors', () => {
    expect(session.errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
