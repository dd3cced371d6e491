/**
 * A pool of feature workers: clips are handed to whichever worker is free, so a two-hour movie's
 * 240 clips use every core the browser offers. Reports progress per finished clip and can be
 * cancelled; a clip that fails rejects the whole batch with the clip named.
 */
import type { ClipJob, FeatureKernels, FeatureRequest, FeatureResponse } from './protocol';

export interface ClipResult {
  key: number;
  features: Float32Array;
  chromaTuning: number;
  cqtTuning: number;
  kernels: FeatureKernels;
}

export type WorkerFactory = () => Worker;

const defaultFactory: WorkerFactory = () =>
  new Worker(new URL('./features.worker.ts', import.meta.url), { type: 'module' });

export function defaultPoolSize(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
  return Math.max(1, Math.min(8, cores - 1));
}

export class FeaturePool {
  private readonly workers: Worker[] = [];

  constructor(
    readonly size = defaultPoolSize(),
    private readonly factory: WorkerFactory = defaultFactory,
  ) {}

  /**
   * Computes every clip; `next(i)` loads clip i lazily so that only `size` clips are in memory.
   * Results arrive in `onResult` in completion order.
   */
  async run(
    count: number,
    next: (i: number) => Promise<ClipJob>,
    onResult: (r: ClipResult, done: number) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    while (this.workers.length < Math.min(this.size, count)) this.workers.push(this.factory());
    let issued = 0;
    let done = 0;
    const lanes = this.workers.slice(0, Math.min(this.size, count)).map(async (worker) => {
      while (issued < count) {
        if (signal?.aborted) throw new DOMException('Feature extraction stopped.', 'AbortError');
        const i = issued++;
        const job = await next(i);
        const r = await this.one(worker, job);
        done++;
        await onResult(r, done);
      }
    });
    await Promise.all(lanes);
  }

  private one(worker: Worker, job: ClipJob): Promise<ClipResult> {
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FeatureResponse>) => {
        const msg = event.data;
        if (msg.type === 'error') reject(new Error(`Clip ${job.key + 1}: ${msg.message}`));
        else {
          resolve({
            key: msg.key,
            features: new Float32Array(msg.features),
            chromaTuning: msg.chromaTuning,
            cqtTuning: msg.cqtTuning,
            kernels: msg.kernels,
          });
        }
      };
      worker.onerror = (e) => reject(new Error(`Feature worker failed: ${e.message}`));
      const req: FeatureRequest = { type: 'extract', job };
      worker.postMessage(req, [job.samples]);
    });
  }

  dispose(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
