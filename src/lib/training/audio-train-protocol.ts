/**
 * The one message protocol of the audio training worker.
 */
import type { MultiLabelReport } from '../metrics/classification';
import type { TrainedAudioNetwork } from './audio-models';
import type { AudioEpoch, AudioTrainConfig, AudioTrainData } from './audio-trainer';

export type AudioTrainRequest =
  { type: 'train'; data: AudioTrainData; configs: AudioTrainConfig[] } | { type: 'stop' };

export type AudioTrainResponse =
  | { type: 'backend'; name: string }
  | { type: 'epoch'; variant: AudioTrainConfig['variant']; epoch: AudioEpoch }
  | {
      type: 'done';
      variant: AudioTrainConfig['variant'];
      report: MultiLabelReport | null;
      /** Gases: validation MAE per chemical. */
      mae: number[] | null;
      /** The final model's outputs on the validation rows, in their order (rows × outputs). */
      validationScores: Float32Array;
      /** The trained network (raw-feature input), for the caller to keep. */
      network: TrainedAudioNetwork;
      stopped: boolean;
    }
  | { type: 'finished' }
  | { type: 'error'; message: string };
