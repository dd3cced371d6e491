/**
 * The page's handle on the training worker. Stop is immediate: the worker is asked to stop
 * between batches and, if it has not confirmed within a moment (a long GPU step), it is
 * terminated; the run is then marked stopped in the store. Checkpoints are written in single
 * transactions, so the last one is intact either way and Resume continues from it.
 */
import type {
  ArmRequest,
  HeadArmRequest,
  StartRequest,
  TrainingEvent,
  TrainingRequest,
} from './protocol';
import { setRunState } from '../store/runs';

const STOP_GRACE_MS = 1500;

export class TrainingClient {
  private worker: Worker | null = null;
  private runId: string | null = null;
  private stopTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly onEvent: (e: TrainingEvent) => void) {}

  get busy(): boolean {
    return this.worker !== null;
  }

  private spawn(): Worker {
    this.dispose();
    const worker = new Worker(new URL('./training.worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.onmessage = (ev: MessageEvent<TrainingEvent>) => this.handle(ev.data);
    worker.onerror = (ev) => {
      this.onEvent({ type: 'error', message: ev.message || 'The training worker failed.' });
      this.dispose();
    };
    this.worker = worker;
    return worker;
  }

  private handle(e: TrainingEvent): void {
    if (e.type === 'run') this.runId = e.run.id;
    this.onEvent(e);
    if ((e.type === 'state' && e.state !== 'running') || e.type === 'error') this.dispose();
  }

  start(req: StartRequest): void {
    this.spawn().postMessage(req satisfies TrainingRequest);
  }

  /** One arm of a video experiment or its head; no run is stored, so a stop that times out reports nothing. */
  arm(req: ArmRequest | HeadArmRequest): void {
    this.spawn().postMessage(req satisfies TrainingRequest);
  }

  resume(runId: string): void {
    this.runId = runId;
    this.spawn().postMessage({ type: 'resume', runId } satisfies TrainingRequest);
  }

  stop(): void {
    if (!this.worker) return;
    this.worker.postMessage({ type: 'stop' } satisfies TrainingRequest);
    const runId = this.runId;
    this.stopTimer = setTimeout(() => {
      this.dispose();
      if (runId) {
        void setRunState(runId, 'stopped').then(() =>
          this.onEvent({ type: 'state', runId, state: 'stopped' }),
        );
      }
    }, STOP_GRACE_MS);
  }

  dispose(): void {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = null;
    this.worker?.terminate();
    this.worker = null;
  }
}
