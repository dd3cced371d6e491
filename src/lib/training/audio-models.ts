/**
 * Trained audio MLPs kept in the project. A finished (or stopped) run of the Audio section leaves
 * the same records a video model does — a model record (kind `audio-scenes` / `audio-gases`, tfjs
 * topology, metadata), one checkpoint with the final weights and a run with the per-epoch metrics,
 * written in one transaction — so the Share section lists, downloads and re-imports them with no
 * special case. The improved variant's standardiser is folded into the first layer by the trainer
 * (the stored model takes raw features) and its mean and std are kept in `meta.normalisation`,
 * which travels in the downloaded file's metadata.
 */
import * as tf from '@tensorflow/tfjs';
import { AUDIO_FEATURES } from '../shapes';
import { latestCheckpointEpoch } from '../store/checkpoints';
import { keepModelWithRun } from '../store/runs';
import type { ModelRecord, RunRecord } from '../store/schema';
import { newId } from '../util/id';
import { loadStoredModel } from '../models/stored-model';
import type { AudioMlpVariant, AudioTask, Standardizer } from '../models/audio-mlp';
import { captureWeights } from '../models/weights';
import type { EncodedTensors } from './optimizer';
import type { AudioEpoch, AudioTrainConfig } from './audio-trainer';

/** A trained network as it leaves the training worker. */
export interface TrainedAudioNetwork {
  topology: unknown;
  weights: EncodedTensors;
  standardizer: Standardizer | null;
}

export async function captureAudioNetwork(
  model: tf.LayersModel,
  standardizer: Standardizer | null,
): Promise<TrainedAudioNetwork> {
  return {
    topology: model.toJSON(null, false),
    weights: await captureWeights(model),
    standardizer,
  };
}

/** How the stored model's inputs relate to the 193 features, as kept in `meta.normalisation`. */
export type AudioNormalisation =
  | { kind: 'none' }
  | { kind: 'standardised'; foldedIntoFirstLayer: true; mean: number[]; std: number[] };

export interface AudioModelToKeep {
  projectId: string;
  network: TrainedAudioNetwork;
  config: AudioTrainConfig;
  /** Label names (scenes) or chemical keys (gases), in output order. */
  outputs: string[];
  /** What trained and what validated, e.g. "1039 train / 263 validation". */
  split: string;
  history: readonly AudioEpoch[];
  stopped: boolean;
  backend?: string;
}

const KINDS: Record<AudioTask, string> = { scenes: 'audio-scenes', gases: 'audio-gases' };

export function audioModelName(config: AudioTrainConfig, epochs: number): string {
  return `audio ${config.task} (${config.variant}) · ${epochs} epochs · seed ${config.seed}`;
}

function normalisationOf(s: Standardizer | null): AudioNormalisation {
  return s
    ? { kind: 'standardised', foldedIntoFirstLayer: true, mean: [...s.mean], std: [...s.std] }
    : { kind: 'none' };
}

/** Stores the model, its final checkpoint and its run atomically; returns the model record. */
export async function keepAudioModel(m: AudioModelToKeep): Promise<ModelRecord> {
  const { config } = m;
  const epoch = m.history.at(-1)?.epoch ?? 0;
  const now = Date.now();
  const model: ModelRecord = {
    id: newId(),
    projectId: m.projectId,
    kind: KINDS[config.task],
    name: audioModelName(config, epoch),
    createdAt: now,
    topology: m.network.topology,
    meta: {
      task: config.task,
      variant: config.variant satisfies AudioMlpVariant,
      inputShape: [AUDIO_FEATURES],
      ...(config.task === 'scenes' ? { labelNames: m.outputs } : { chemicals: m.outputs }),
      normalisation: normalisationOf(m.network.standardizer),
      split: m.split,
      seed: config.seed,
      ...(m.backend ? { backend: m.backend } : {}),
    },
  };
  const run: RunRecord = {
    id: newId(),
    projectId: m.projectId,
    kind: model.kind,
    modelId: model.id,
    config: { ...config, name: model.name, input: 'audio features', split: m.split },
    epochs: m.history.map(({ valLoss, ...e }) => ({ ...e, val_loss: valLoss })),
    state: m.stopped ? 'stopped' : 'done',
    createdAt: now,
  };
  await keepModelWithRun(model, run, {
    modelId: model.id,
    epoch,
    projectId: m.projectId,
    weightSpecs: m.network.weights.specs,
    weights: m.network.weights.data,
    optimizerSpecs: [],
    optimizer: new ArrayBuffer(0),
    createdAt: now,
  });
  return model;
}

/** A stored audio model's outputs on rows × 193 raw features (rows × outputs). */
export async function predictStoredAudioModel(
  modelId: string,
  x: Float32Array,
): Promise<Float32Array> {
  await tf.ready();
  const epoch = await latestCheckpointEpoch(modelId);
  if (epoch === undefined) throw new Error('That model has no saved weights.');
  const { model } = await loadStoredModel(modelId, epoch);
  try {
    const out = tf.tidy(() =>
      model.predict(tf.tensor2d(x, [x.length / AUDIO_FEATURES, AUDIO_FEATURES])),
    ) as tf.Tensor;
    const values = Float32Array.from(await out.data());
    out.dispose();
    return values;
  } finally {
    model.dispose();
  }
}
