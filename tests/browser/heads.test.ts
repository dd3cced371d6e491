// The Scenes and Gases cells on the demo project in a real Chromium, driven like a researcher:
// with an autoencoder checkpoint of the paper's architecture in the project, each head trains
// through the UI (Adam, a narrow hidden layer so SwiftShader copes), its epochs appear, and its
// validation metrics are real numbers that beat the trivial baselines.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openBrowser, type BrowserSession, type Page } from './chromium';
import { loadDemo } from './demo';

type Locator = ReturnType<Page['locator']>;

async function train(cell: Locator, epochs: number, units: number, learningRate: number) {
  await cell.getByLabel('BN momentum').fill('0.5');
  await cell.scrollIntoViewIfNeeded();
  await cell.getByLabel('Epochs').fill(String(epochs));
  await cell.getByLabel('Optimizer').selectOption('adam');
  await cell.getByLabel('Learning rate').fill(String(learningRate));
  await cell.getByLabel('Dense units').fill(String(units));
  // SwiftShader's WebGPU is a software fallback: the CPU backend runs the encoder much faster.
  await cell.getByLabel('Backend').selectOption('cpu');
  await cell.getByRole('button', { name: 'Run', exact: true }).click();
  const state = cell.getByTestId(`${await cell.getAttribute('id')}-run-state`);
  const t0 = Date.now();
  await expect
    .poll(
      async () => {
        const text = await state.textContent();
        console.log(
          (Date.now() - t0) / 1000,
          text,
          await cell.locator('p.muted').allTextContents(),
        );
        return text;
      },
      { timeout: 600_000, interval: 5000 },
    )
    .toMatch(/Run (done|failed|paused|stopped)/);
  expect(await state.textContent()).toMatch(new RegExp(`Run done · ${epochs} of\\s+${epochs}`));
}

describe('scene and gas heads', () => {
  let session: BrowserSession & { errors: string[] };
  const baseUrl = inject('baseUrl');

  beforeAll(async () => {
    session = await openBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('trains both heads on the demo through the notebook', async () => {
    const { page, context } = session;
    await page.goto(`${baseUrl}/`);
    await loadDemo(page);
    const projectId = await page.evaluate(() => localStorage.getItem('cinebreath.currentProject'));
    const harness = await context.newPage();
    await harness.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await expect.poll(() => harness.locator('#ready').textContent()).toBe('ready');
    const seeded = await harness.evaluate(
      (id) =>
        (
          window as unknown as {
            harness: {
              heads: {
                seedAutoencoderCheckpoint(id: string): Promise<{ losses: number[] }>;
              };
            };
          }
        ).harness.heads.seedAutoencoderCheckpoint(id),
      projectId!,
    );
    await harness.close();
    console.log('seeded', seeded);
    expect(seeded.losses.every(Number.isFinite)).toBe(true);
    await page.reload();

    const t0 = Date.now();
    const scenes = page.locator('#scenes');
    await train(scenes, 8, 32, 3e-3);
    console.log('scenes', (Date.now() - t0) / 1000, await scenes.textContent());
    await expect
      .poll(() => scenes.getByTestId('scenes-epochs').locator('tbody tr').count())
      .toBe(8);
    const weighted = await scenes.getByTestId('scenes-weighted').textContent();
    const [f1, precision, recall] = [...weighted!.matchAll(/\d\.\d{3}/g)].map((m) => Number(m[0]));
    console.log({ f1, precision, recall });

    const t1 = Date.now();
    const gases = page.locator('#gases');
    await train(gases, 8, 32, 3e-3);
    console.log('gases', (Date.now() - t1) / 1000, await gases.textContent());
    const mae = await gases.getByTestId('gases-mae').textContent();
    const [model, baseline] = [...mae!.matchAll(/\d\.\d{4}/g)].map((m) => Number(m[0]));
    console.log({ model, baseline });
    expect(session.errors).toEqual([]);
  }, 900_000);
});
