// Switch pooling, the switch autoencoder and augmentation give the same numbers on WebGPU as on
// the CPU backend, without WGSL warnings (rank-5 ops that WebGPU miscompiles only warn).
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';

interface Comparison {
  backend: string;
  diffs: number[];
  sizes: number[];
  warnings: string[];
}

type BeyondHarness = Record<
  'switchPooling' | 'switchAutoencoder' | 'augmentation',
  () => Promise<Comparison>
>;

describe('beyond the paper on WebGPU', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.waitForFunction(
      () => document.getElementById('ready')?.textContent === 'ready',
      undefined,
      { timeout: 60_000 },
    );
  });

  const run = (fn: keyof BeyondHarness) =>
    session.page.evaluate(
      (name) =>
        (window as unknown as { harness: { beyond: BeyondHarness } }).harness.beyond[name](),
      fn,
    );

  it('switch pooling, unpooling and their gradients match the CPU', async () => {
    const r = await run('switchPooling');
    expect(r.backend).toBe('webgpu');
    expect(r.warnings).toEqual([]);
    expect(r.sizes.every((n) => n > 0)).toBe(true);
    const [pooled, switches, unpooled, gradX, gradValues] = r.diffs;
    expect(switches).toBe(0);
    expect(pooled).toBe(0);
    expect(unpooled).toBe(0);
    expect(gradX).toBeLessThan(1e-5);
    expect(gradValues).toBeLessThan(1e-5);
  });

  it('the switch autoencoder gives the same output and weight gradients', async () => {
    const r = await run('switchAutoencoder');
    expect(r.backend).toBe('webgpu');
    expect(r.warnings).toEqual([]);
    expect(r.diffs.length).toBe(11); // output + 5 kernels + 5 biases
    expect(Math.max(...r.diffs)).toBeLessThan(1e-4);
  });

  it('augmentation matches the CPU', async () => {
    const r = await run('augmentation');
    expect(r.backend).toBe('webgpu');
    expect(r.warnings).toEqual([]);
    expect(r.diffs[0]).toBeLessThan(1e-2);
    // The harness page has no favicon: its 404 is the only console error allowed.
    expect(session.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
