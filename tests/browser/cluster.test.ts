// The cluster round trip through the notebook: the demo's dataset exported in the page, one
// epoch trained by torchrun on two gloo processes (cluster/, PyTorch DDP), the model files
// imported through the Share section's entry point and run on the page's backend (WebGPU here),
// giving PyTorch's outputs on the same sequences.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useBrowser } from './use-browser';
import {
  maxAbsDiff,
  python,
  readNpyFile,
  requirePyTorch,
  torchrun,
  weightsFile,
} from '../cluster-tools';

type Harness = Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;

describe('cluster round trip', () => {
  const baseUrl = inject('baseUrl');
  const dir = mkdtempSync(join(tmpdir(), 'cinebreath-cluster-'));
  const session = useBrowser();
  beforeAll(requirePyTorch);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains the demo export on 2 processes; the notebook imports the models with PyTorch’s outputs', async () => {
    const { page } = session;
    await page.goto(`${baseUrl}/tests/browser/harness/index.html`);
    await expect.poll(() => page.locator('#ready').textContent()).toBe('ready');
    const exported = (await page.evaluate(async () => {
      const h = (window as unknown as { harness: Harness }).harness;
      return h.cluster.exportDemoDataset();
    })) as { projectId: string; name: string; tar: string };
    const tar = join(dir, exported.name);
    writeFileSync(tar, Buffer.from(exported.tar, 'base64'));

    const out = join(dir, 'models');
    const log = torchrun(2, 29541, join(dir, 'logs'), [
      ...['--data', tar, '--epochs', '1', '--head-epochs', '1', '--batch', '4'],
      ...['--head-units', '8', '--name', 'demo', '--out', out],
    ]);
    expect(log).toMatch(/autoencoder epoch 1: loss 0\.\d+, valLoss 0\.\d+/);
    const files = readdirSync(out)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual([
      'demo-autoencoder-batch-norm-cluster.json',
      'demo-gases-head-cluster.json',
      'demo-scenes-head-cluster.json',
    ]);
    const [ae, gases, scenes] = files.map((f) => join(out, f));
    const asFiles = (json: string) =>
      [json, weightsFile(out, json.split('/').pop()!)].map((p) => ({
        name: p.split('/').pop()!,
        base64: readFileSync(p).toString('base64'),
      }));
    expect(
      JSON.parse(readFileSync(scenes, 'utf8')).userDefinedMetadata.cinebreath.labelNames.length,
    ).toBeGreaterThan(1);

    // Rows of three movies, training and validation alike.
    const rows = ['--data', tar, '--rows', '0,9,27'];
    const x = join(dir, 'x.npy');
    python('predict', ['--model', ae, ...rows, '--out', join(dir, 'ae.npy'), '--save-inputs', x]);
    for (const [head, name] of [
      [gases, 'gases'],
      [scenes, 'scenes'],
    ]) {
      python('predict', [
        '--model',
        head,
        '--encoder',
        ae,
        ...rows,
        '--out',
        join(dir, `${name}.npy`),
      ]);
    }
    const inputs = readNpyFile(x);
    // The page's CPU backend: SwiftShader's WebGPU would spend minutes compiling shaders.
    const got = (await page.evaluate(
      async ([projectId, aeFiles, headFiles, data, shape]) => {
        const h = (window as unknown as { harness: Harness }).harness;
        await h.backend.initBackend(['cpu']);
        return h.cluster.importAndPredict(projectId, aeFiles, headFiles, data, shape);
      },
      [
        exported.projectId,
        asFiles(ae),
        [asFiles(gases), asFiles(scenes)],
        Buffer.from(inputs.data as Uint8Array).toString('base64'),
        inputs.shape,
      ] as const,
    )) as { backend: string; kinds: string[]; channelOrder: string; outputs: number[][] };
    expect(got.backend).toBe('cpu');
    expect(got.kinds).toEqual(['autoencoder', 'gases', 'scenes']);
    expect(got.channelOrder).toBe('rgb');
    ['ae', 'gases', 'scenes'].forEach((name, i) => {
      const want = readNpyFile(join(dir, `${name}.npy`)).data as Float32Array;
      expect(want.length, name).toBeGreaterThan(0);
      expect(maxAbsDiff(got.outputs[i], want), name).toBeLessThan(1e-4);
    });
  }, 600_000);
});
