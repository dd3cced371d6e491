/**
 * Where the audio-feature experiments' arms train: one function type per model (the audio worker
 * in the app, in-process in tests), their worker adapters, progress and the stop signal, shared
 * by the gas and video runners.
 */
import type { AudioTrainClient } from '../training/audio-train-client';
import type { AudioEpoch, AudioTrainConfig, AudioTrainData } from '../training/audio-trainer';
import type { CnnEpoch, CnnJob, CnnTrainResult } from '../training/audio-cnn-trainer';
import type { ArmResult } from './gas-tables';

/** Trains one configuration on one dataset (the audio worker in the app, in-process in tests). */
export type TrainArm = (
  data: AudioTrainData,
  config: AudioTrainConfig,
  onEpoch: (e: AudioEpoch) => void,
) => Promise<ArmResult>;

/** Trains arms in the audio training worker (wasm, else cpu), one worker run per arm. */
export function trainInWorker(client: AudioTrainClient): TrainArm {
  return async (data, config, onEpoch) => {
    const result: ArmResult = { history: [], scores: new Float32Array(0), stopped: false };
    await client.train(data, [config], (msg) => {
      if (msg.type === 'epoch') {
        result.history.push(msg.epoch);
        onEpoch(msg.epoch);
      } else if (msg.type === 'done') {
        result.scores = msg.validationScores;
        result.stopped = msg.stopped;
      }
    });
    return result;
  };
}

/** Trains the spectrogram CNN on a job's clips (the audio worker on WebGPU in the app). */
export type TrainCnn = (
  job: CnnJob,
  onEpoch: (e: CnnEpoch) => void,
  onSpectrograms: (done: number, total: number) => void,
) => Promise<CnnTrainResult & { backend?: string }>;

/** Trains the CNN in the audio training worker (WebGPU, else cpu). */
export function trainCnnInWorker(client: AudioTrainClient): TrainCnn {
  return async (job, onEpoch, onSpectrograms) => {
    let result: (CnnTrainResult & { backend?: string }) | null = null;
    let backend = '';
    await client.trainCnn(job, (msg) => {
      if (msg.type === 'backend') backend = msg.name;
      else if (msg.type === 'spectrograms') onSpectrograms(msg.done, msg.total);
      else if (msg.type === 'cnn-epoch') onEpoch(msg.epoch);
      else if (msg.type === 'cnn-done') result = { ...msg.result, backend };
    });
    if (!result) throw new Error('The spectrogram CNN run ended without a result.');
    return result;
  };
}

export interface ExperimentProgress {
  fraction: number;
  label: string;
}

export class ExperimentStopped extends Error {
  override name = 'ExperimentStopped';
  constructor() {
    super('The experiment was stopped; nothing was saved.');
  }
}
