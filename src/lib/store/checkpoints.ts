/**
 * Checkpoints (weights and optimizer state after an epoch) in pieces small enough for IndexedDB:
 * the scene head's Dense(64512 → 1024) with Adadelta's two slots is ~792 MB, and browsers refuse
 * or choke on single values that large (Firefox above ~256 MiB). The `checkpoints` record keeps
 * the specs and payload sizes; the bytes go to `checkpointChunks`, at most CHECKPOINT_CHUNK_BYTES
 * each, written in the caller's transaction so a checkpoint lands whole or not at all. Records of
 * schema v1 hold their payloads inline and are read as they are.
 */
import { openStore, type WriteTx } from './db';
import type {
  CheckpointChunking,
  CheckpointRecord,
  StoreName,
  StoredCheckpointRecord,
} from './schema';
import type { io } from '@tensorflow/tfjs';

/** Tensors as bytes: tf.io weight specs and their payload, in the order they were encoded. */
export interface EncodedTensors {
  specs: io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

/** What a checkpoint holds: the model's weights and its optimizer's state. */
export interface TrainingState {
  weights: EncodedTensors;
  optimizer: EncodedTensors;
}

/** Bytes per chunk: 32 MiB, well under the schema's 64 MB per record. */
export const CHECKPOINT_CHUNK_BYTES = 32 * 1024 * 1024;

/** The stores a checkpoint write needs in its transaction. */
export const CHECKPOINT_STORES = ['checkpoints', 'checkpointChunks'] as const;

type CheckpointTx = WriteTx<['checkpoints', 'checkpointChunks']>;

/** Every part of one checkpoint, [modelId, epoch, 0] … [modelId, epoch, ∞]. */
function partsOf(modelId: string, epoch: number): IDBKeyRange {
  return IDBKeyRange.bound([modelId, epoch, 0], [modelId, epoch, Infinity]);
}

function partCount(bytes: number, chunkBytes: number): number {
  return Math.ceil(bytes / chunkBytes);
}

/**
 * Writes `checkpoint` in `tx` (which must include CHECKPOINT_STORES), replacing any checkpoint of
 * the same model and epoch. `add` refuses to replace one (the transaction aborts with IndexedDB's
 * ConstraintError). `chunkBytes` is for tests.
 */
export async function putCheckpoint<Names extends StoreName[]>(
  tx: WriteTx<Names>,
  checkpoint: CheckpointRecord,
  { add = false, chunkBytes = CHECKPOINT_CHUNK_BYTES } = {},
): Promise<void> {
  const t = tx as unknown as CheckpointTx;
  const { weights, optimizer, ...header } = checkpoint;
  const chunks: CheckpointChunking = {
    chunkBytes,
    weightBytes: weights.byteLength,
    optimizerBytes: optimizer.byteLength,
  };
  const stored: StoredCheckpointRecord = { ...header, chunks };
  const records = t.objectStore('checkpoints');
  await (add ? records.add(stored) : records.put(stored));
  const parts = t.objectStore('checkpointChunks');
  await parts.delete(partsOf(checkpoint.modelId, checkpoint.epoch));
  let part = 0;
  for (const payload of [weights, optimizer]) {
    for (let at = 0; at < payload.byteLength; at += chunkBytes) {
      await parts.put({
        modelId: checkpoint.modelId,
        epoch: checkpoint.epoch,
        part: part++,
        projectId: checkpoint.projectId,
        bytes: payload.slice(at, at + chunkBytes),
      });
    }
  }
}

/** The whole checkpoint of a model at an epoch, payloads reassembled, or undefined. */
export async function getCheckpoint(
  modelId: string,
  epoch: number,
): Promise<CheckpointRecord | undefined> {
  const db = await openStore();
  const tx = db.transaction(CHECKPOINT_STORES);
  const stored = await tx.objectStore('checkpoints').get([modelId, epoch]);
  if (!stored) return undefined;
  const { chunks, weights, optimizer, ...header } = stored;
  if (!chunks) return { ...header, weights: weights!, optimizer: optimizer! };
  const parts = tx.objectStore('checkpointChunks');
  let part = 0;
  // One chunk read at a time, so a ~792 MB checkpoint is never held twice.
  const assemble = async (bytes: number): Promise<ArrayBuffer> => {
    const out = new Uint8Array(bytes);
    for (let i = 0; i < partCount(bytes, chunks.chunkBytes); i++, part++) {
      const chunk = await parts.get([modelId, epoch, part]);
      if (!chunk) throw new Error(`Checkpoint of epoch ${epoch} is missing part ${part}.`);
      out.set(new Uint8Array(chunk.bytes), i * chunks.chunkBytes);
    }
    return out.buffer;
  };
  const w = await assemble(chunks.weightBytes);
  const o = await assemble(chunks.optimizerBytes);
  return { ...header, weights: w, optimizer: o };
}

/** The epochs checkpointed for a model, ascending. */
export async function checkpointEpochs(modelId: string): Promise<number[]> {
  const db = await openStore();
  const keys = await db.getAllKeys(
    'checkpoints',
    IDBKeyRange.bound([modelId, -Infinity], [modelId, Infinity]),
  );
  return keys.map(([, epoch]) => epoch).sort((a, b) => a - b);
}

/** The highest checkpointed epoch of a model, or undefined before its first epoch. */
export async function latestCheckpointEpoch(modelId: string): Promise<number | undefined> {
  const db = await openStore();
  const range = IDBKeyRange.bound([modelId, -Infinity], [modelId, Infinity]);
  const cursor = await db.transaction('checkpoints').store.openKeyCursor(range, 'prev');
  return cursor?.key[1];
}

/** The checkpoint with the highest epoch of a model, or undefined before the first epoch. */
export async function latestCheckpoint(modelId: string): Promise<CheckpointRecord | undefined> {
  const epoch = await latestCheckpointEpoch(modelId);
  return epoch === undefined ? undefined : getCheckpoint(modelId, epoch);
}
