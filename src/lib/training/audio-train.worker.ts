/**
 * Trains the audio MLPs off the main thread, one configuration after another, streaming every
 * epoch's metrics and handing each trained network back to be kept. The MLPs run on the wasm
 * backend (a unit test shows it trains exactly as cpu does), falling back to cpu; the spectrogram
 * CNN of "Beyond the paper" runs on WebGPU, falling back to the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { AudioTrainRequest, AudioTrainResponse } from './audio-train-protocol';
import { initBackend } from '../compute/backend';
import { prepareWasm } from '../compute/wasm-gemm';
import { runCnnJob } from './audio-cnn-trainer';
import { captureAudioNetwork, type TrainedAudioNetwork } from './audio-models';
import { trainAudioMlp } from './audio-trainer';

const post = (msg: AudioTrainResponse) => (self as unknown as Worker).postMessage(msg);
let stopRequested = false;

async function backend(): Promise<string> {
  // the served binaries, single-threaded SIMD build: the small audio MLP gains nothing from the
  // threaded build's pthread workers
  await prepareWasm();
  for (const name of ['wasm', 'cpu']) {
    try {
      // a wasm binary that cannot be fetched may leave setBackend pending: give up after 15 s
      const started = await Promise.race([
        tf.setBackend(name),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000)),
      ]);
      if (started) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error('No TensorFlow.js backend could start in the training worker.');
}

self.onmessage = async (event: MessageEvent<AudioTrainRequest>) => {
  const msg = event.data;
  if (msg.type === 'stop') {
    stopRequested = true;
    return;
  }
  stopRequested = false;
  try {
    if (msg.type === 'train-cnn') {
      // WebGPU, else wasm: the CNN's step uses no conv or pool kernels (patches × kernel, max
      // reductions), and audio-cnn-pair.test.ts shows its gradients on wasm equal cpu's
      let name: string;
      try {
        name = (await initBackend(['webgpu'])).reason;
      } catch (err) {
        name = `${await backend()} (${err instanceof Error ? err.message : String(err)})`;
      }
      post({ type: 'backend', name });
      const result = await runCnnJob(msg.job, {
        spectrograms: (done, total) => post({ type: 'spectrograms', done, total }),
        epoch: (epoch) => post({ type: 'cnn-epoch', epoch }),
        shouldStop: () => stopRequested,
      });
      post({ type: 'cnn-done', result });
      post({ type: 'finished' });
      return;
    }
    post({ type: 'backend', name: await backend() });
    for (const config of msg.configs) {
      const r = await trainAudioMlp(msg.data, config, (epoch) => {
        post({ type: 'epoch', variant: config.variant, epoch });
        return !stopRequested;
      });
      let network: TrainedAudioNetwork;
      try {
        network = await captureAudioNetwork(r.model, r.standardizer);
      } finally {
        r.model.dispose();
      }
      post({
        type: 'done',
        variant: config.variant,
        report: r.report,
        mae: r.maePerOutput,
        validationScores: r.validationScores,
        network,
        stopped: r.stopped,
      });
      if (stopRequested) break;
    }
    post({ type: 'finished' });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
