// Gives the heads an encoder to train on: a full-size autoencoder (the paper's architecture, batch
// norm on) stored as a run of the project with one checkpoint, after a few real training steps on
// the project's demo sequences on the CPU backend — through the same loop, state capture and
// store writes as the training worker. A whole epoch of the autoencoder on SwiftShader would take
// many minutes; the heads only need a stored checkpoint of the real architecture.
import '../../../src/lib/models/layers';
import { initBackend } from '../../../src/lib/compute/backend';
import { listMovies, getSequence } from '../../../src/lib/store/movies';
import { newId } from '../../../src/lib/util/id';
import type { ModelRecord, RunRecord } from '../../../src/lib/store/schema';
import { buildAutoencoder, type SequenceShape } from '../../../src/lib/models/autoencoder';
import { binaryCrossentropy } from '../../../src/lib/training/losses';
import { makeOptimizer } from '../../../src/lib/training/optimizer';
import { trainStep } from '../../../src/lib/training/loop';
import { captureState } from '../../../src/lib/training/checkpoint';
import { createRun, saveEpoch } from '../../../src/lib/training/runs';
import { sequenceInput } from '../../../src/lib/views/activations';
import { CHANNELS, FRAMES_PER_SEQUENCE } from '../../../src/lib/shapes';
import { saveStudySettings } from '../../../src/lib/study/settings';

export async function seedAutoencoderCheckpoint(
  projectId: string,
  steps = 2,
): Promise<{ modelId: string; losses: number[] }> {
  await initBackend(['cpu']);
  const movies = await listMovies(projectId);
  const { width, height } = movies[0].settings;
  const inputShape: SequenceShape = [FRAMES_PER_SEQUENCE, height, width, CHANNELS];
  const model = buildAutoencoder({ batchNorm: true, inputShape, seed: 1 });
  const optimizer = makeOptimizer({ name: 'adam', learningRate: 1e-3 });
  const record: ModelRecord = {
    id: newId(),
    projectId,
    kind: 'autoencoder',
    name: 'Autoencoder (batch norm)',
    createdAt: Date.now(),
    topology: model.toJSON(null, false),
    meta: { kind: 'autoencoder', batchNorm: true, inputShape, rows: [], train: [], validation: [] },
  };
  const run: RunRecord = {
    id: newId(),
    projectId,
    kind: 'autoencoder',
    modelId: record.id,
    config: { epochs: 1, batchSize: 1, optimizer: { name: 'adam', learningRate: 1e-3 } },
    epochs: [],
    state: 'done',
    createdAt: Date.now(),
  };
  await createRun(record, run);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const movie = movies[s % movies.length];
    const seq = (await getSequence(movie.id, Math.floor(s / movies.length)))!;
    const x = sequenceInput(new Uint8Array(seq.frames), { width, height });
    losses.push(await trainStep(model, optimizer, binaryCrossentropy, { x, y: x }));
    x.dispose();
  }
  const state = await captureState(model, optimizer);
  await saveEpoch(run.id, { epoch: 1, loss: losses.at(-1), valLoss: null }, 1, state);
  model.dispose();
  optimizer.dispose();
  return { modelId: record.id, losses };
}

/**
 * The demo's breath responds to the scene one 30-s row earlier; a researcher declares that as the
 * study's lag (settings `lag`), so sequence r is paired with gas row r + lag.
 */
export async function setGasLag(projectId: string, lag: number): Promise<void> {
  await saveStudySettings(projectId, { lag });
}
