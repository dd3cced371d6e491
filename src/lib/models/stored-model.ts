/**
 * Rebuilds a stored model at a checkpoint: the model record's topology with the checkpoint's
 * weights, assigned by position (tfjs names variables per session, so a checkpoint written by the
 * training worker names them differently from this rebuild; shapes are checked). Custom layers
 * must be registered before this runs; the worker imports the modules that do.
 */
import * as tf from '@tensorflow/tfjs';
import { getCheckpoint } from '../store/checkpoints';
import { getModel } from '../store/runs';
import type { ChannelOrder, ModelRecord } from '../store/schema';
import { restoreWeights } from './weights';

export interface StoredModel {
  record: ModelRecord;
  epoch: number;
  model: tf.LayersModel;
  /** The channel order the model was trained on (model meta `channelOrder`), or null if unknown. */
  channelOrder: ChannelOrder | null;
}

export async function loadStoredModel(modelId: string, epoch: number): Promise<StoredModel> {
  const [record, checkpoint] = await Promise.all([
    getModel(modelId),
    getCheckpoint(modelId, epoch),
  ]);
  if (!record) throw new Error('That model is no longer stored.');
  if (!checkpoint) throw new Error(`“${record.name}” has no checkpoint for epoch ${epoch}.`);
  const model = await tf.models.modelFromJSON({
    modelTopology: record.topology as tf.io.ModelJSON['modelTopology'],
  });
  try {
    restoreWeights(model, {
      specs: checkpoint.weightSpecs as tf.io.WeightsManifestEntry[],
      data: checkpoint.weights,
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
  const order = record.meta.channelOrder;
  return { record, epoch, model, channelOrder: order === 'bgr' || order === 'rgb' ? order : null };
}
