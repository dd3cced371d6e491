// The paper's layers and a few training steps on WebGPU (SwiftShader here) equal the CPU backend,
// which agrees with PyTorch: this is what catches tfjs's broken rank-5 WebGPU kernels.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';
import type * as Models from './harness/models.harness';

type Harness = { harness: { models: typeof Models } };

describe('models on WebGPU', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser(async () => {
    await session.page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await session.page.locator('#ready', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
  });

  it('every layer’s forward pass and gradients match the CPU backend (≤ 1e-4 relative)', async () => {
    const result = await session.page.evaluate(() =>
      (window as unknown as Harness).harness.models.compareLayers(),
    );
    console.log(JSON.stringify(result.cases));
    expect(result.backend).toBe('webgpu');
    expect(result.cases.length).toBeGreaterThan(10);
    for (const c of result.cases) {
      expect({ name: c.name, forward: c.forward < 1e-4 }).toEqual({ name: c.name, forward: true });
      expect({ name: c.name, gradient: c.gradient < 1e-4 }).toEqual({
        name: c.name,
        gradient: true,
      });
    }
  }, 300_000);

  it('a few Adadelta steps give the same losses and moving statistics on WebGPU as on the CPU', async () => {
    const { cpu, webgpu } = await session.page.evaluate(() =>
      (window as unknown as Harness).harness.models.compareTraining(4),
    );
    console.log(JSON.stringify({ cpu: cpu.losses, webgpu: webgpu.losses }));
    expect(webgpu.losses).toHaveLength(4);
    // Training moves the loss (the comparison is not between constants).
    expect(Math.abs(cpu.losses[3] - cpu.losses[0])).toBeGreaterThan(1e-3);
    webgpu.losses.forEach((l, i) =>
      expect(Math.abs(l - cpu.losses[i]) / cpu.losses[i]).toBeLessThan(1e-4),
    );
    // Four batch-norm layers' moving mean and variance, updated four times.
    expect(webgpu.moving.length).toBe(cpu.moving.length);
    expect(cpu.moving.length).toBeGreaterThan(8);
    const scale = Math.max(...cpu.moving.map(Math.abs));
    const error = Math.max(...webgpu.moving.map((m, i) => Math.abs(m - cpu.moving[i])));
    console.log(JSON.stringify({ movingError: error / scale }));
    expect(error / scale).toBeLessThan(1e-4);
  }, 300_000);
});

describe('autoencoder cell', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('starts training in the worker on WebGPU, stops at once, and offers Resume', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await loadDemo(page);
    const cell = page.locator('#autoencoder');
    // Batch 1 keeps a full-size step short on SwiftShader; the batch size is a setting. WebGPU
    // is forced: "automatic" would measure and pick the CPU over this software adapter.
    await cell.getByLabel('Batch', { exact: true }).fill('1');
    await cell.getByLabel('Backend').selectOption('webgpu');
    await cell.getByRole('button', { name: 'Run' }).click();
    await expect
      .poll(() => cell.getByTestId('autoencoder-backend').textContent(), { timeout: 60_000 })
      .toMatch(/^webgpu — WebGPU on/);
    await expect
      .poll(() => cell.getByTestId('autoencoder-run-state').textContent(), { timeout: 60_000 })
      .toMatch(/Run running · 0 of\s+10 epochs/);
    await cell.getByRole('button', { name: 'Stop' }).click();
    await expect
      .poll(() => cell.getByTestId('autoencoder-run-state').textContent(), { timeout: 10_000 })
      .toMatch(/Run stopped/);
    await cell.getByTestId('autoencoder-resume').waitFor();
    expect(session.errors).toEqual([]);
  }, 300_000);
});
