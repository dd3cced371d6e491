// An exported scene classifier (or gas regressor) trained in the notebook names its outputs in
// the file's metadata: the heads store them as `names` in their model record.
import { describe, expect, it } from 'vitest';
import { describeModel } from '../../src/lib/interop/model-files';
import { headRows } from '../../src/lib/training/model-meta';
import { DEFAULT_TRAINING_CONFIG } from '../../src/lib/training/protocol';
import type { CheckpointRecord, ModelRecord } from '../../src/lib/store/schema';
import type { GasDataset, LabelDataset } from '../../src/lib/study/dataset';

function record(kind: 'scenes' | 'gases', dataset: LabelDataset | GasDataset): ModelRecord {
  const meta = headRows(
    { kind, config: DEFAULT_TRAINING_CONFIG, encoder: { modelId: 'ae', epoch: 1 }, dataset },
    64,
  );
  return {
    id: 'm',
    projectId: 'p',
    kind,
    name: 'head',
    createdAt: 0,
    topology: null,
    meta: meta as unknown as Record<string, unknown>,
  };
}

const rows = [{ movieId: 'a', index: 0 }];
const split = { train: [0], validation: [] };
const checkpoint = { epoch: 3 } as CheckpointRecord;

describe('exported head metadata', () => {
  it('carries the scene classifier’s label names', () => {
    const labels = { names: ['crowd', 'dialogue'], rows, split, y: new Float32Array(2) };
    const meta = describeModel(record('scenes', labels as unknown as LabelDataset), checkpoint, []);
    expect(meta.labelNames).toEqual(['crowd', 'dialogue']);
    expect(meta.chemicals).toBeNull();
  });

  it('carries the gas regressor’s chemicals', () => {
    const gases = { chemicals: ['co2', 'isoprene'], rows, split, y: new Float32Array(2) };
    const meta = describeModel(record('gases', gases as unknown as GasDataset), checkpoint, []);
    expect(meta.chemicals).toEqual(['co2', 'isoprene']);
    expect(meta.labelNames).toBeNull();
  });
});
