// The heads' GPU paths on WebGPU (SwiftShader), on a device with WebGPU's default limits:
// - the full-size scene head's 264 MB first kernel is split under the 128 MiB binding limit,
//   trains, and its step equals the unsplit head's on the CPU backend (the unsplit head is refused
//   by that device), with the GPU memory in use reported;
// - a GPU that runs out of memory (a simulated uncaptured error) or is lost (tfjs's device
//   destroyed for real) pauses the run with a message once its loop has exited; the last
//   checkpoint stays intact; after the loss, Resume in a fresh page trains on WebGPU again and
//   finishes the run as the uninterrupted one.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import type * as Heads from './harness/heads.harness';

type Harness = { harness: { heads: typeof Heads } };

const MiB = 2 ** 20;
const KERNEL_BYTES = 64_512 * 1024 * 4;

describe('heads on WebGPU with default limits', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
  });

  it('splits the 64,512 × 1024 kernel under a 128 MiB binding limit and trains as the CPU does', async () => {
    const r = await session.page.evaluate(() =>
      (window as unknown as Harness).harness.heads.compareSplitHead(),
    );
    console.log(JSON.stringify({ ...r, unsplitErrors: r.unsplitErrors.length }));
    expect(r.limit).toBe(128 * MiB);
    expect(r.blocks.reduce((a, b) => a + b, 0)).toBe(64_512);
    expect(r.blocks.length).toBeGreaterThanOrEqual(2);
    for (const rows of r.blocks) expect(rows * 1024 * 4).toBeLessThanOrEqual(128 * MiB);
    expect(r.errors).toEqual([]);
    // The step's batch loss and the loss after it: finite, equal to the CPU's, and different.
    expect(r.webgpu).toHaveLength(2);
    for (const [i, loss] of r.webgpu.entries()) {
      expect(Number.isFinite(loss)).toBe(true);
      expect(Math.abs(loss - r.cpu[i]) / r.cpu[i]).toBeLessThan(1e-4);
    }
    expect(Math.abs(r.cpu[1] - r.cpu[0])).toBeGreaterThan(1e-4);
    // Every weight moved the same way on both backends, to float32 rounding: the update of the
    // layers before batch norm goes through its backward pass, whose terms nearly cancel, and
    // the GPU sums the 64,512-term products in two blocks in another order (measured ≤ 4.6e-4).
    expect(r.kernelMoved).toBeGreaterThan(1e-5);
    expect(r.updates).toHaveLength(6);
    for (const u of r.updates) expect(u).toBeLessThan(1e-3);
    // Weights plus Adadelta's two accumulators of the kernel alone are 3 × 264 MB on the GPU.
    expect(r.memory.gpu).toBe(true);
    expect(r.memory.bytes).toBeGreaterThan(3 * KERNEL_BYTES);
    expect(r.memory.bytes).toBeLessThan(4 * 2 ** 30);
    // Without the split, the same device refuses the kernel's binding.
    expect(r.unsplitErrors.join('\n')).toMatch(/maxStorageBufferBindingSize|binding size/i);
  }, 420_000);

  // Each WebGPU run on a fresh SwiftShader device spends ~85 s compiling the autoencoder's shaders
  // in its first step (2 shared cores): the uninterrupted reference runs on the CPU backend, and
  // only the real device loss is resumed (Resume starts from the stored checkpoint in a fresh page
  // whatever the fault was).
  it.each([
    ['oom', false, /GPU out of memory: simulated/],
    ['lost', true, /GPU device lost \(destroyed\): Device was destroyed/],
  ] as const)(
    'a GPU fault (%s) pauses the run and keeps the last checkpoint; resumed on WebGPU: %s',
    async (fault, resume, message) => {
      const { page } = session;
      const r = await page.evaluate(
        (f) => (window as unknown as Harness).harness.heads.gpuFaultRun(f),
        fault,
      );
      console.log(JSON.stringify(r));
      expect(r.reference).toHaveLength(2);
      expect(r.reference[1][0]).not.toBe(r.reference[0][0]);
      expect(r.faulted.state).toBe('paused');
      expect(r.faulted.message).toMatch(message);
      expect(r.faulted.message).toMatch(/Training paused; the last checkpoint is intact/);
      // Epoch 1 was checkpointed before the fault; epoch 2 was never stored.
      expect(r.faulted.epochs).toBe(1);
      expect(r.faulted.checkpoint).toBe(1);
      expect(r.checkpointDiff).toBeLessThan(1e-4);
      // Memory in use was reported from the GPU with the batch progress.
      expect(r.memory?.gpu).toBe(true);
      expect(r.memory?.bytes).toBeGreaterThan(0);

      if (!resume) return;
      // Resume in a fresh page (a fresh worker in the app) continues the curve from the stored
      // checkpoint on WebGPU again: the curve equals the uninterrupted run's on the CPU backend
      // (≤ 1e-4 relative).
      await page.reload();
      await page.locator('#ready', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
      const resumed = await page.evaluate(
        (id) => (window as unknown as Harness).harness.heads.resumeRun(id, ['webgpu']),
        r.runId,
      );
      console.log(JSON.stringify(resumed));
      expect(resumed.message).toBe('');
      expect(resumed.state).toBe('done');
      expect(resumed.backend).toBe('webgpu');
      expect(resumed.curve).toHaveLength(2);
      resumed.curve.flat().forEach((v, i) => {
        const want = r.reference.flat()[i]!;
        expect(Math.abs(v! - want) / Math.abs(want)).toBeLessThan(1e-4);
      });
    },
    420_000,
  );
});
