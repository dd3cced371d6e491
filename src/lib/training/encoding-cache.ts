/**
 * The frozen encoder's output, computed once per (autoencoder checkpoint, sequence) and kept in
 * the `encodings` store, so head epochs, stops, resumes and a second head reuse it. Every
 * autoencoder trained here has the paper's encoder: the switch-unpooling one has the same layers
 * with the same weights in the same order (unpooling has none, and its pooling outputs the same
 * maxima), so the paper's model restored from its checkpoint encodes exactly as it does.
 */
import * as tf from '@tensorflow/tfjs';
import { getCheckpoint } from '../store/checkpoints';
import { getEncoding, hasEncoding, putEncodings } from '../store/encodings';
import { checkpointState, encodingCacheKey, getModel } from '../store/runs';
import { buildAutoencoder, encoderDepth } from '../models/autoencoder';
import { encode } from '../models/forward';
import type { SequenceRef } from '../study/dataset';
import { restoreWeights } from '../models/weights';
import type { BatchLoader } from './loop';
import { sequenceLoader } from './batch-loaders';
import type { ModelMeta } from './model-meta';
import type { TrainingEvent } from './protocol';

/** What encoding needs from the job it runs in. */
export interface EncodingJob {
  /** True once the user asked to stop: encoding ends at the next group of sequences. */
  stopRequested: () => boolean;
  /** Throws after a GPU fault, so no encoding computed after one is cached. */
  checkGpu: () => void;
  emit: (e: TrainingEvent) => void;
}

/** Computes the missing encodings of the head's rows once, then serves them from the cache. */
export async function encodingLoader(meta: ModelMeta, job: EncodingJob): Promise<BatchLoader> {
  const ref = meta.encoder!;
  const keyOf = (r: SequenceRef) => encodingCacheKey(ref, r.movieId);
  const missing: SequenceRef[] = [];
  for (const r of meta.rows) {
    if (!(await hasEncoding(keyOf(r), r.index))) missing.push(r);
  }
  const unique = [...new Map(missing.map((r) => [`${r.movieId}/${r.index}`, r])).values()];
  if (unique.length) {
    const aeRecord = await getModel(ref.modelId);
    const cp = await getCheckpoint(ref.modelId, ref.epoch);
    if (!aeRecord || !cp) throw new Error('The autoencoder checkpoint for the encoder is gone.');
    const aeMeta = aeRecord.meta as unknown as ModelMeta;
    const ae = buildAutoencoder({
      batchNorm: aeMeta.batchNorm ?? true,
      inputShape: aeMeta.inputShape,
    });
    try {
      restoreWeights(ae, checkpointState(cp).weights);
      await encodeMissing(ae, aeMeta, aeRecord.projectId, unique, keyOf, job);
    } finally {
      ae.dispose();
    }
  }
  const k = meta.outputs!;
  const y = Float32Array.from(meta.y!);
  return async (rows) => {
    const width = meta.inputDim!;
    const x = new Float32Array(rows.length * width);
    const by = new Float32Array(rows.length * k);
    for (let i = 0; i < rows.length; i++) {
      const r = meta.rows[rows[i]];
      const rec = await getEncoding(keyOf(r), r.index);
      if (!rec) throw new Error(`Encoding of sequence ${r.index + 1} is missing.`);
      x.set(new Float32Array(rec.values), i * width);
      by.set(y.subarray(rows[i] * k, (rows[i] + 1) * k), i * k);
    }
    return { x: tf.tensor2d(x, [rows.length, width]), y: tf.tensor2d(by, [rows.length, k]) };
  };
}

/** Runs the frozen encoder on `rows` (8 at a time) and caches each sequence's output. */
async function encodeMissing(
  ae: tf.Sequential,
  aeMeta: ModelMeta,
  projectId: string,
  rows: SequenceRef[],
  keyOf: (r: SequenceRef) => string,
  job: EncodingJob,
): Promise<void> {
  const load = sequenceLoader({ ...aeMeta, rows });
  for (let i = 0; i < rows.length; i += 8) {
    if (job.stopRequested()) break;
    const idx = [...Array(Math.min(8, rows.length - i)).keys()].map((k) => i + k);
    const batch = await load(idx);
    let values: Float32Array;
    try {
      const enc = encode(ae, encoderDepth(aeMeta.batchNorm ?? true), batch.x);
      try {
        values = (await enc.data()) as Float32Array;
      } finally {
        enc.dispose();
      }
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    // Never cache an encoding computed after a GPU fault.
    job.checkGpu();
    const width = values.length / idx.length;
    const encoded = idx.map((i, k) => ({
      cacheKey: keyOf(rows[i]),
      index: rows[i].index,
      projectId,
      values: values.slice(k * width, (k + 1) * width).buffer,
    }));
    await putEncodings(encoded, 'encoder outputs');
    job.emit({
      type: 'phase',
      phase: 'encoding',
      text: `Encoding sequences with the frozen encoder: ${i + idx.length} / ${rows.length}…`,
    });
  }
}
