// The switch-unpooling run pair from the real page on the demo, at tiny settings (one epoch, the
// first three sequences of each movie, the CPU backend: SwiftShader's WebGPU is ~10× slower): both
// autoencoders train in the training worker and are kept, a small scene head and gas head train
// for one epoch on each arm's frozen encoder, the table holds reconstruction loss, scene F1 and gas
// MAE, and the pair's curves appear in Inside the network.
import { describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import { legendLabels } from './charts';
import { loadDemo } from './demo';

describe('video experiments in the notebook', () => {
  const baseUrl = inject('baseUrl');
  const session = useBrowser();

  it('runs the switch-unpooling pair on the demo', { timeout: 600_000 }, async () => {
    const { page } = session;
    await page.goto(baseUrl);
    await loadDemo(page);
    const beyond = page.locator('#beyond');
    await beyond.scrollIntoViewIfNeeded();
    await beyond.getByLabel('Experiment').selectOption('switch-unpooling');
    expect(await beyond.getByTestId('experiment-explanation').textContent()).toContain(
      'scene weighted F1 and gas MAE',
    );
    await beyond.getByLabel('Epochs per arm').fill('1');
    await beyond.getByLabel('Batch', { exact: true }).fill('4');
    await beyond.getByLabel('Sequences per movie').fill('3');
    await beyond.getByLabel('Backend').selectOption('cpu');
    await beyond.getByLabel('Head epochs').fill('1');
    await beyond.getByLabel('Head units').fill('8');
    await beyond.getByRole('button', { name: 'Run', exact: true }).click();
    const table = beyond.getByTestId('result-table');
    await table.or(page.getByRole('alert')).first().waitFor({ timeout: 540_000 });
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.querySelectorAll('td')].map((td) =>
            (td.querySelector('.metric') ?? td).textContent!.trim(),
          ),
        ),
      );
    console.log('switch-unpooling result', JSON.stringify(cells));
    expect(cells.map(([metric]) => metric)).toEqual([
      'validation reconstruction loss',
      'scene weighted F1 (frozen encoder)',
      'gas MAE (frozen encoder)',
    ]);
    // BCE of two untrained-ish autoencoders, F1 in [0, 1], MAE of a head after one epoch.
    const limits = [1, 1, Infinity];
    for (const [i, [, baseline, variant, , , verdict, n]] of cells.entries()) {
      for (const v of [Number(baseline), Number(variant)]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(limits[i]);
      }
      // one seed per arm and no per-row values: no interval, so no verdict is claimed
      expect(verdict).toBe('no clear difference');
      expect(n).toMatch(/^1 seed/);
    }
    // The two encoders differ, so their reconstructions do.
    expect(cells[0][1]).not.toBe(cells[0][2]);
    expect(await table.textContent()).toContain('upsampling decoder vs switch unpooling');
    expect(await table.textContent()).toContain('8 train / 4 validation');

    await page.locator('#inside').scrollIntoViewIfNeeded();
    await expect
      .poll(
        async () => (await legendLabels(page.locator('#inside').getByTestId('curves'))).join('\n'),
        { timeout: 30_000 },
      )
      .toContain('switch-unpooling · variant: switch unpooling');
    expect(session.errors).toEqual([]);
  });
});
