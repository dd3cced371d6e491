// Batch 16 of the full-size autoencoder on WebGPU: its BatchNormalization reduces rows
// [16·30·36·64, 16] over axis 0, and tfjs's WebGPU reductions first transpose that matrix with a
// tiled shader whose dispatch (⌈rows / 16⌉ workgroups in Y) exceeds the 65,535 limit above
// 1,048,560 rows. The smallest matrices past that limit, on SwiftShader (same limit as GPUs)
// against the CPU backend: the stock kernels throw, ours equal the CPU.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import type { LargeCase, LargeResult } from './harness/webgpu-batch.harness';

type Harness = {
  'webgpu-batch': { largeOpOnWebGPU(c: LargeCase, fixed: boolean): Promise<LargeResult> };
};

/** One row past 16 × 65,535. */
const ROWS = 1_048_561;

const CASES: LargeCase[] = [
  { op: 'sum0', shape: [ROWS, 1] },
  { op: 'mean0', shape: [ROWS, 2] },
  { op: 'max0', shape: [ROWS, 1] },
  { op: 'min0', shape: [ROWS, 1] },
  { op: 'transpose', shape: [ROWS, 1] },
  { op: 'transpose', shape: [2, ROWS] },
  { op: 'batchNormGrad', shape: [1, 1, 1, ROWS, 1] },
];

describe('WebGPU reductions and transposes past the dispatch limit', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor();
  });
  const onWebGPU = (c: LargeCase, fixed: boolean) =>
    session.page.evaluate(
      ([cc, f]) =>
        (window as unknown as { harness: Harness }).harness['webgpu-batch'].largeOpOnWebGPU(cc, f),
      [c, fixed] as const,
    );

  it('throw with the stock kernels (the shapes really exceed the limit)', async () => {
    for (const c of [CASES[0], CASES[4]]) {
      const r = await onWebGPU(c, false);
      expect(r.error).toMatch(/Dispatch size exceeds WebGPU limits/);
    }
  });

  CASES.forEach((c) => {
    it(`equal the CPU backend with our kernels: ${c.op} ${JSON.stringify(c.shape)}`, async () => {
      const r = await onWebGPU(c, true);
      expect(r.error).toBeNull();
      expect(r.relError).toBeLessThan(1e-4);
    });
  });

  it('raised no page errors', () => {
    // The bare harness page has no favicon; its 404 is the only console error allowed here.
    expect(session.errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
