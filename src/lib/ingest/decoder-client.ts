/**
 * Owns one decoder worker for one movie. Cancelling terminates the worker, which really stops
 * ffmpeg mid-frame; sequences already handed to `onSequence` are finished first, in order. A
 * worker that finished cleanly is kept for the next movie, so the 30-MB ffmpeg core is compiled
 * once per page rather than once per file.
 */
import type { DecodePlan } from './plan';
import type { MediaInfo } from './probe';
import type { DecodedSequence, FromDecoder, ToDecoder } from './protocol';

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface DecodeHandlers {
  onSequence(s: DecodedSequence): Promise<void>;
  onProgress(decodedS: number): void;
}

let idle: Worker | null = null;

export class DecoderClient {
  #worker: Worker | null = null;
  #reject: ((e: Error) => void) | null = null;
  #broken = false;

  #start(): Worker {
    if (!this.#worker && idle) [this.#worker, idle] = [idle, null];
    this.#worker ??= new Worker(new URL('./ffmpeg.worker.ts', import.meta.url), {
      type: 'module',
    });
    this.#worker.onerror = (e) => {
      this.#broken = true;
      this.#reject?.(new Error(`the decoder stopped: ${e.message || 'worker error'}`));
    };
    return this.#worker;
  }

  #request(msg: ToDecoder, onMessage: (m: FromDecoder) => boolean | void): Promise<void> {
    const worker = this.#start();
    return new Promise<void>((resolve, reject) => {
      this.#reject = reject;
      worker.onmessage = ({ data }: MessageEvent<FromDecoder>) => {
        if (data.type === 'failed') reject(new Error(data.reason));
        else if (onMessage(data)) resolve();
      };
      worker.postMessage(msg);
    }).finally(() => (this.#reject = null));
  }

  async probe(file: File): Promise<MediaInfo> {
    let info: MediaInfo | null = null;
    await this.#request({ type: 'probe', file }, (m) => {
      if (m.type === 'probed') info = m.info;
      return m.type === 'probed';
    });
    return info!;
  }

  /**
   * Decodes the plan (its audio clips alone with `audioOnly`); resolves once every sequence has
   * been stored by `onSequence`.
   */
  async decode(
    file: File,
    plan: DecodePlan,
    handlers: DecodeHandlers,
    audioOnly = false,
  ): Promise<void> {
    let writes = Promise.resolve();
    let writeError: Error | null = null;
    await this.#request({ type: 'decode', file, plan, audioOnly }, (m) => {
      if (m.type === 'sequence') {
        writes = writes.then(() =>
          writeError
            ? undefined
            : handlers.onSequence(m.sequence).catch((e: Error) => {
                writeError = e;
                this.cancel(e);
              }),
        );
      } else if (m.type === 'progress') {
        handlers.onProgress(m.decodedS);
      }
      return m.type === 'done';
    }).catch(async (e: unknown) => {
      await writes;
      throw writeError ?? e;
    });
    await writes;
    if (writeError) throw writeError;
  }

  cancel(reason: Error = new CancelledError()): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#reject?.(reason);
  }

  /** Ends this client; a worker that did not fail is kept for the next client. */
  dispose(healthy: boolean): void {
    if (healthy && !this.#broken && !idle && this.#worker) idle = this.#worker;
    else this.#worker?.terminate();
    this.#worker = null;
  }
}
