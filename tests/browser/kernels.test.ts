// The fast WebGPU conv3d kernels in Chromium (SwiftShader) against tfjs's CPU backend: forward,
// input gradient and filter gradient on small random shapes (odd sizes, batch > 1, 'same' and
// 'valid', strides 1 and 2, a deep product that is split across workgroups), with the output
// buffers poisoned first.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import type { BatchNormCase, ConvCase, ReduceCase } from './harness/kernels.harness';

type Harness = {
  kernels: {
    conv3dErrors(c: ConvCase): Promise<{ y: number; dx: number; dw: number }>;
    fastKernelsInstalled(): Promise<boolean>;
    reduceError(c: ReduceCase): Promise<{ error: number; sameShape: boolean }>;
    batchNormErrors(c: BatchNormCase): Promise<number[]>;
  };
};

const CASES: ConvCase[] = [
  { x: [1, 5, 6, 7, 3], f: [3, 3, 3], out: 4, strides: 1, pad: 'same' },
  { x: [2, 7, 5, 9, 2], f: [3, 2, 3], out: 5, strides: 2, pad: 'same' },
  { x: [3, 6, 7, 5, 4], f: [2, 3, 3], out: 3, strides: [2, 1, 2], pad: 'valid' },
  { x: [1, 3, 4, 5, 40], f: [3, 3, 3], out: 8, strides: 1, pad: 'same' },
  { x: [2, 8, 9, 10, 4], f: [3, 3, 3], out: 5, strides: 1, pad: 'same' },
];

// Sums and means over leading axes (bias and batch-norm gradients): one pass, several passes (more
// rows than one pass takes), all axes, keepDims; over inner axes with many outputs (upsampling's
// gradient); a small inner reduction left to the stock kernel.
const REDUCTIONS: ReduceCase[] = [
  { op: 'sum', shape: [2, 3, 4, 5, 6], axes: [0, 1, 2, 3], keepDims: false },
  { op: 'sum', shape: [3, 30, 9, 16, 5], axes: [3, 0, 2, 1], keepDims: true },
  { op: 'mean', shape: [70001, 3], axes: [0], keepDims: false },
  { op: 'sum', shape: [7, 11, 13], axes: [0, 1, 2], keepDims: false },
  { op: 'mean', shape: [5, 6, 7], axes: [1], keepDims: true },
  { op: 'sum', shape: [4, 1000], axes: [0], keepDims: false },
  { op: 'sum', shape: [16, 9, 2, 40], axes: [2], keepDims: false },
  { op: 'mean', shape: [100, 3, 50, 2], axes: [3, 1], keepDims: true },
];

// Batch norm's training pass and gradient (webgpu-batchnorm.ts): one row (zero variance), a few,
// partial last blocks, more blocks than a finishing workgroup has threads (10000 × 3, 70001 × 1),
// channel counts that are not multiples of 4.
const BATCH_NORMS: BatchNormCase[] = [
  { rows: 1, channels: 3 },
  { rows: 7, channels: 1 },
  { rows: 1000, channels: 32 },
  { rows: 1037, channels: 65 },
  { rows: 10000, channels: 3 },
  { rows: 70001, channels: 1 },
];
const BATCH_NORM_OUTPUTS = ['y', 'moving mean', 'moving variance', 'dx', 'dγ', 'dβ'];

describe('fast WebGPU conv3d kernels', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor();
  });

  it('replace the stock kernels under the same names', async () => {
    const installed = await session.page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.kernels.fastKernelsInstalled(),
    );
    expect(installed).toBe(true);
  });

  CASES.forEach((c) => {
    it(`equal the CPU backend on ${JSON.stringify(c)}`, async () => {
      const e = await session.page.evaluate(
        (cc) => (window as unknown as { harness: Harness }).harness.kernels.conv3dErrors(cc),
        c,
      );
      expect(e.y).toBeLessThan(1e-4);
      expect(e.dx).toBeLessThan(1e-4);
      expect(e.dw).toBeLessThan(1e-4);
    });
  });

  REDUCTIONS.forEach((c) => {
    it(`${c.op} equals the CPU backend: ${JSON.stringify(c)}`, async () => {
      const r = await session.page.evaluate(
        (cc) => (window as unknown as { harness: Harness }).harness.kernels.reduceError(cc),
        c,
      );
      expect(r.sameShape).toBe(true);
      expect(r.error).toBeLessThan(1e-4);
    });
  });

  BATCH_NORMS.forEach((c) => {
    it(`batch norm equals the CPU backend on ${JSON.stringify(c)}`, async () => {
      const errors = await session.page.evaluate(
        (cc) => (window as unknown as { harness: Harness }).harness.kernels.batchNormErrors(cc),
        c,
      );
      console.log(JSON.stringify({ ...c, errors }));
      const named = Object.fromEntries(BATCH_NORM_OUTPUTS.map((n, i) => [n, errors[i] < 1e-4]));
      expect(named).toEqual(Object.fromEntries(BATCH_NORM_OUTPUTS.map((n) => [n, true])));
    });
  });

  it('raised no page errors', () => {
    // The bare harness page has no favicon; its 404 is the only console error allowed here.
    expect(session.errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
