/**
 * Model records and training runs in the store: a run's model record, one checkpoint per epoch
 * (weights + optimizer state) written in the same transaction as the run's per-epoch metrics, so
 * the curve and the resumable state never disagree, and the run's state (running, paused,
 * stopped, done, failed); models kept without a run (experiment arms, imports) with their
 * checkpoint, all or nothing.
 */
import {
  CHECKPOINT_STORES,
  latestCheckpointEpoch,
  putCheckpoint,
  type TrainingState,
} from './checkpoints';
import { openStore, writeTransaction } from './db';
import { encodingKey, type CheckpointRecord, type ModelRecord, type RunRecord } from './schema';

/** One checkpoint of one autoencoder, the source of a frozen encoder's outputs. */
export interface EncoderRef {
  modelId: string;
  epoch: number;
}

export async function createRun(model: ModelRecord, run: RunRecord): Promise<void> {
  await writeTransaction(['models', 'runs'], `run “${model.name}”`, async (tx) => {
    await tx.objectStore('models').put(model);
    await tx.objectStore('runs').put(run);
  });
}

export async function getRun(id: string): Promise<RunRecord | undefined> {
  return (await openStore()).get('runs', id);
}

export async function getModel(id: string): Promise<ModelRecord | undefined> {
  return (await openStore()).get('models', id);
}

export async function listModels(projectId: string): Promise<ModelRecord[]> {
  const models = await (await openStore()).getAllFromIndex('models', 'byProject', projectId);
  return models.sort((a, b) => a.createdAt - b.createdAt);
}

export async function listRuns(projectId: string, kind?: string): Promise<RunRecord[]> {
  const runs = await (await openStore()).getAllFromIndex('runs', 'byProject', projectId);
  return runs.filter((r) => !kind || r.kind === kind).sort((a, b) => a.createdAt - b.createdAt);
}

export async function setRunState(
  id: string,
  state: RunRecord['state'],
  message?: string,
): Promise<void> {
  await writeTransaction(['runs'], 'run state', async (tx) => {
    const run = await tx.objectStore('runs').get(id);
    if (!run) return;
    await tx.objectStore('runs').put({ ...run, state, message });
  });
}

/** Puts `runs` in one transaction (a run pair is saved whole or not at all). */
export async function putRuns(runs: readonly RunRecord[], what: string): Promise<void> {
  await writeTransaction(['runs'], what, async (tx) => {
    for (const run of runs) await tx.objectStore('runs').put(run);
  });
}

/** Appends an epoch's metrics and its checkpoint atomically. */
export async function saveEpoch(
  runId: string,
  epochMetrics: Record<string, unknown>,
  epoch: number,
  state: TrainingState,
): Promise<void> {
  const stores = ['runs', ...CHECKPOINT_STORES] as ['runs', ...typeof CHECKPOINT_STORES];
  await writeTransaction(stores, `checkpoint of epoch ${epoch}`, async (tx) => {
    const run = await tx.objectStore('runs').get(runId);
    if (!run || !run.modelId) throw new Error(`Run ${runId} no longer exists.`);
    await putCheckpoint(tx, checkpointRecord(run.modelId, run.projectId, epoch, state));
    await tx.objectStore('runs').put({
      ...run,
      epochs: [...run.epochs.filter((e) => e.epoch !== epoch), epochMetrics],
    });
  });
}

function checkpointRecord(
  modelId: string,
  projectId: string,
  epoch: number,
  state: TrainingState,
): CheckpointRecord {
  return {
    modelId,
    epoch,
    projectId,
    weightSpecs: state.weights.specs,
    weights: state.weights.data,
    optimizerSpecs: state.optimizer.specs,
    optimizer: state.optimizer.data,
    createdAt: Date.now(),
  };
}

export function checkpointState(c: CheckpointRecord): TrainingState {
  return {
    weights: { specs: c.weightSpecs as TrainingState['weights']['specs'], data: c.weights },
    optimizer: {
      specs: c.optimizerSpecs as TrainingState['optimizer']['specs'],
      data: c.optimizer,
    },
  };
}

/**
 * The frozen encoder the heads train on: the latest checkpoint of the project's most recent
 * autoencoder. Throws a message for the UI when none has finished an epoch yet.
 */
export async function latestEncoder(
  projectId: string,
): Promise<{ modelId: string; epoch: number }> {
  const runs = (await listRuns(projectId, 'autoencoder')).filter((r) => r.modelId);
  for (const run of runs.sort((a, b) => b.createdAt - a.createdAt)) {
    // Only autoencoders trained here record the input shape the encoder needs.
    if (!(await getModel(run.modelId!))?.meta.inputShape) continue;
    const epoch = await latestCheckpointEpoch(run.modelId!);
    if (epoch !== undefined) return { modelId: run.modelId!, epoch };
  }
  throw new Error(
    'Train the autoencoder for at least one epoch first: its encoder feeds this head.',
  );
}

/** The `encodings` store's key for a movie's sequences encoded by one autoencoder checkpoint. */
export function encodingCacheKey(encoder: EncoderRef, movieId: string): string {
  return encodingKey(`${encoder.modelId}@${encoder.epoch}`, movieId);
}

/** Stores a model without a run (an experiment arm's autoencoder) and its state after `epoch`. */
export async function keepModel(
  model: ModelRecord,
  epoch: number,
  state: TrainingState,
): Promise<void> {
  const stores = ['models', ...CHECKPOINT_STORES] as ['models', ...typeof CHECKPOINT_STORES];
  await writeTransaction(stores, `model “${model.name}”`, async (tx) => {
    await tx.objectStore('models').put(model);
    await putCheckpoint(tx, checkpointRecord(model.id, model.projectId, epoch, state));
  });
}

/**
 * Removes a model, its checkpoints and the encodings its checkpoints made: what an experiment
 * that stopped half-way kept for a run pair it never saved.
 */
export async function discardModel(modelId: string): Promise<void> {
  const stores = ['models', 'encodings', ...CHECKPOINT_STORES] as [
    'models',
    'encodings',
    ...typeof CHECKPOINT_STORES,
  ];
  await writeTransaction(stores, 'unsaved experiment model', async (tx) => {
    await tx.objectStore('models').delete(modelId);
    await tx
      .objectStore('checkpoints')
      .delete(IDBKeyRange.bound([modelId, -Infinity], [modelId, Infinity]));
    await tx
      .objectStore('checkpointChunks')
      .delete(IDBKeyRange.bound([modelId, -Infinity, -Infinity], [modelId, Infinity, Infinity]));
    // Cache keys are `${modelId}@${epoch}:${movieId}`.
    await tx
      .objectStore('encodings')
      .delete(IDBKeyRange.bound([`${modelId}@`, -Infinity], [`${modelId}@\uffff`, Infinity]));
  });
}

/** Stores a trained model with its run and its checkpoint, all or nothing. */
export async function keepModelWithRun(
  model: ModelRecord,
  run: RunRecord,
  checkpoint: CheckpointRecord,
): Promise<void> {
  const stores = ['models', 'runs', ...CHECKPOINT_STORES] as [
    'models',
    'runs',
    ...typeof CHECKPOINT_STORES,
  ];
  await writeTransaction(stores, `model “${model.name}”`, async (tx) => {
    await tx.objectStore('models').put(model);
    await tx.objectStore('runs').put(run);
    await putCheckpoint(tx, checkpoint);
  });
}

/**
 * Adds an imported model and its checkpoint, all or nothing. `add`, not `put`: a model or
 * checkpoint that already exists aborts the import (IndexedDB's ConstraintError).
 */
export async function addModel(model: ModelRecord, checkpoint: CheckpointRecord): Promise<void> {
  const stores = ['models', ...CHECKPOINT_STORES] as ['models', ...typeof CHECKPOINT_STORES];
  await writeTransaction(stores, `model “${model.name}”`, async (tx) => {
    await tx.objectStore('models').add(model);
    await putCheckpoint(tx, checkpoint, { add: true });
  });
}
