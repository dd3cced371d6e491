/**
 * Owns the audio training worker: starts a run (the MLPs, or the spectrogram CNN), relays epochs
 * and results, stops it.
 */
import type { CnnJob } from './audio-cnn-trainer';
import type { AudioTrainRequest, AudioTrainResponse } from './audio-train-protocol';
import type { AudioTrainConfig, AudioTrainData } from './audio-trainer';

export class AudioTrainClient {
  private worker: Worker | null = null;

  train(
    data: AudioTrainData,
    configs: AudioTrainConfig[],
    onMessage: (msg: AudioTrainResponse) => void,
  ): Promise<void> {
    return this.run({ type: 'train', data, configs }, onMessage);
  }

  trainCnn(job: CnnJob, onMessage: (msg: AudioTrainResponse) => void): Promise<void> {
    return this.run({ type: 'train-cnn', job }, onMessage);
  }

  private run(req: AudioTrainRequest, onMessage: (msg: AudioTrainResponse) => void): Promise<void> {
    this.worker?.terminate();
    const worker = new Worker(new URL('./audio-train.worker.ts', import.meta.url), {
      type: 'module',
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<AudioTrainResponse>) => {
        const msg = event.data;
        if (msg.type === 'error') reject(new Error(msg.message));
        else if (msg.type === 'finished') resolve();
        else onMessage(msg);
      };
      worker.onerror = (e) => reject(new Error(`Training worker failed: ${e.message}`));
      worker.postMessage(req);
    }).finally(() => {
      worker.terminate();
      if (this.worker === worker) this.worker = null;
    });
  }

  stop(): void {
    const req: AudioTrainRequest = { type: 'stop' };
    this.worker?.postMessage(req);
  }
}
