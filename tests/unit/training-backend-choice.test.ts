// "Automatic" backend by measurement, the first-batch estimate, the progress line with its ETAs
// and the run-state line, on made-up measurements and batches.
import { describe, expect, it } from 'vitest';
import {
  chooseBackend,
  describeMeasurement,
  predictFirstBatchMs,
} from '../../src/lib/training/backend-choice';
import { progressLine } from '../../src/lib/training/progress';
import { describeRunState } from '../../src/lib/training/run-state';
import type { BackendMeasurement } from '../../src/lib/store/backend-probes';
import type { RunRecord } from '../../src/lib/store/schema';

const cpu: BackendMeasurement = {
  name: 'cpu',
  device: 'CPU',
  software: false,
  startMs: 300,
  firstStepMs: 10_000,
  stepMs: 8000,
  sequences: 2,
};
const swiftshader: BackendMeasurement = {
  name: 'webgpu',
  device: 'google swiftshader (software fallback)',
  software: true,
  startMs: 400,
  firstStepMs: null,
  stepMs: null,
  sequences: 2,
  failure: 'no step within 38 s',
};

describe('automatic backend', () => {
  it('picks the CPU over a software WebGPU adapter that did not finish a step', () => {
    const choice = chooseBackend([swiftshader, cpu]);
    expect(choice.name).toBe('cpu');
    expect(choice.reason).toMatch(/^CPU, the only backend that finished a step in time/);
    expect(choice.reason).toContain('CPU: 4.00 s per sequence');
    expect(choice.reason).toContain('WebGPU (google swiftshader (software fallback)): no step');
  });

  it('picks the fastest measured, software or not, and never for being WebGPU', () => {
    const fastSoftware = { ...swiftshader, firstStepMs: 3000, stepMs: 2000, failure: undefined };
    expect(chooseBackend([fastSoftware, cpu]).name).toBe('webgpu');
    const slowGpu = { ...fastSoftware, software: false, stepMs: 9000 };
    const choice = chooseBackend([slowGpu, cpu]);
    expect(choice.name).toBe('cpu');
    expect(choice.reason).toMatch(/^CPU, fastest measured/);
  });

  it('falls back to a hardware GPU that started, else the CPU, when nothing finished', () => {
    const stuckCpu = { ...cpu, stepMs: null, failure: 'no step' };
    expect(chooseBackend([swiftshader, stuckCpu]).name).toBe('cpu');
    const gpu = { ...swiftshader, software: false, device: 'NVIDIA' };
    expect(chooseBackend([gpu, stuckCpu]).name).toBe('webgpu');
  });

  it('estimates the first batch from start, compile and the measured rate', () => {
    // 300 ms start + 2000 ms compiling + 16 × 4000 ms.
    expect(predictFirstBatchMs(cpu, 16)).toBe(300 + 2000 + 64_000);
    expect(predictFirstBatchMs(swiftshader, 16)).toBeNull();
    expect(describeMeasurement(cpu)).toBe('CPU: 4.00 s per sequence');
  });
});

describe('progress line', () => {
  it('gives throughput and the ETA of the epoch and the run', () => {
    const line = progressLine(
      {
        epoch: 1,
        batch: 2,
        batches: 6,
        loss: 0.5,
        sequencesDone: 8,
        sequencesTotal: 24,
        elapsedS: 4,
      },
      4,
    );
    expect(line.sequencesPerSecond).toBe(2);
    expect(line.etaEpochS).toBe(8);
    // The rest of this epoch, then two epochs of 24 sequences at 2 per second.
    expect(line.etaRunS).toBe(8 + 2 * 12);
    expect(line.fraction).toBeCloseTo((1 + 8 / 24) / 4);
    expect(line.label).toBe(
      'epoch 2 of 4 · batch 2 / 6 · 2.00 sequences/s · epoch ETA 8 s · run ETA 32 s · loss 0.5000',
    );
    // A finished epoch's measured duration (with validation) replaces the estimate.
    expect(
      progressLine(
        {
          epoch: 1,
          batch: 2,
          batches: 6,
          loss: 0.5,
          sequencesDone: 8,
          sequencesTotal: 24,
          elapsedS: 4,
        },
        4,
        20,
      ).etaRunS,
    ).toBe(8 + 2 * 20);
  });
});

describe('run state', () => {
  const run = {
    id: 'r',
    projectId: 'p',
    kind: 'autoencoder',
    modelId: 'm',
    config: { epochs: 5 },
    epochs: [],
    state: 'running',
    createdAt: 0,
  } as unknown as RunRecord;

  it('says a running run this page is not running was interrupted', () => {
    expect(describeRunState(run, 2, false)).toMatch(/^Run interrupted after epoch 2 · 2 of 5/);
    expect(describeRunState(run, 2, true)).toBe('Run running · 2 of 5 epochs');
    expect(describeRunState({ ...run, state: 'paused', message: 'GPU' }, 1, false)).toBe(
      'Run paused: GPU · 1 of 5 epochs',
    );
  });
});
