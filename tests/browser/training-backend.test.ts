// The backend "automatic" picks, by measurement, in a real Chromium whose only WebGPU adapter is
// SwiftShader (software): the probe times each backend in its own worker under a time limit,
// automatic avoids the software adapter when the CPU measures faster, the result is kept across a
// reload, and a demo run's first batch arrives within the probe's estimate (a generous factor).
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { loadDemo } from './demo';

describe('backend chosen by measurement', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('measures each backend, avoids the software WebGPU adapter, and keeps the result', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('no-project').waitFor();
    const backend = page.getByTestId('backend');
    await expect.poll(() => backend.textContent()).toMatch(/not measured yet/);
    expect(await page.getByTestId('adapter').textContent()).toMatch(/SwiftShader.*\(software/i);
    await backend.getByRole('button', { name: 'Measure now' }).click();
    await expect
      .poll(() => backend.textContent(), { timeout: 240_000, interval: 1000 })
      .toMatch(/automatic → /);
    const text = (await backend.textContent())!;
    // The CPU finished its steps; the software WebGPU adapter either ran out of time or measured
    // slower, and the choice names each backend's result.
    expect(text).toMatch(/automatic → cpu/);
    expect(text).toMatch(/CPU: \d+\.\d+ s per sequence/);
    expect(text).toMatch(/WebGPU \([^)]*swiftshader \(software( fallback)?\)\)/i);
    expect(text).toMatch(/WebGL \(/);
    // The abandoned software-GPU programs finish compiling in the browser's GPU process, which
    // answers no page until then (docs/training.md): wait for it before reloading.
    await expect
      .poll(
        () =>
          page.evaluate(
            () =>
              new Promise<boolean>((resolve) => {
                void navigator.gpu.requestAdapter().then(() => resolve(true));
                setTimeout(() => resolve(false), 1000);
              }),
          ),
        { timeout: 180_000, interval: 2000 },
      )
      .toBe(true);
    await page.reload();
    await expect.poll(() => backend.textContent(), { timeout: 30_000 }).toMatch(/automatic → cpu/);
    expect(session.errors).toEqual([]);
  }, 300_000);

  it('runs the demo on the measured choice; the first batch arrives within the estimate', async () => {
    const { page } = session;
    await loadDemo(page);
    const cell = page.locator('#autoencoder');
    await cell.getByLabel('Epochs', { exact: true }).fill('1');
    await cell.getByLabel('Batch', { exact: true }).fill('4');
    const clicked = Date.now();
    await cell.getByRole('button', { name: 'Run' }).click();
    // From the click the cell says what it is doing, never the previous run's lines.
    await expect
      .poll(() => cell.getByTestId('autoencoder-phase').textContent(), { timeout: 10_000 })
      .toMatch(/Choosing the backend|Starting the cpu backend|Reading|Building|first batch/);
    const estimate = (await cell.getByTestId('autoencoder-estimate').textContent())!;
    expect(estimate).toMatch(/^cpu: CPU, (fastest measured|the only backend that finished)/);
    const m = /first batch expected in about (?:(\d+) min )?(\d+) s/.exec(estimate);
    expect(m).not.toBeNull();
    const predictedS = Number(m![1] ?? 0) * 60 + Number(m![2]);
    const progress = page.getByRole('group', { name: 'Autoencoder progress' });
    await progress.waitFor({ timeout: Math.max(60, 4 * predictedS) * 1000 });
    const firstBatchS = (Date.now() - clicked) / 1000;
    // Generous: the machine is shared; the estimate must still be the right order of magnitude.
    expect(firstBatchS).toBeLessThan(Math.max(60, 4 * predictedS));
    expect(await progress.textContent()).toMatch(
      /epoch 1 of 1 · batch \d+ \/ \d+ · \d+\.\d+ sequences\/s · epoch ETA .* · run ETA/,
    );
    await cell.getByRole('button', { name: 'Stop' }).click();
    await expect
      .poll(() => cell.getByTestId('autoencoder-run-state').textContent(), { timeout: 30_000 })
      .toMatch(/Run stopped|Run done/);
    expect(session.errors).toEqual([]);
  }, 300_000);
});
