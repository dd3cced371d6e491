/**
 * The page's handle on the training worker. "Automatic" backend is resolved here, before the
 * worker starts, from the backend probe (measured once per browser, adapter and app version), and
 * the probe's estimate of the first batch is passed on. Stop is immediate: the worker is asked to
 * stop between batches and, if it has not confirmed within a moment (a long GPU step), it is
 * terminated; the run is then marked stopped in the store. Checkpoints are written in single
 * transactions, so the last one is intact either way and Resume continues from it.
 */
import type { BackendName } from '../compute/backend';
import type {
  ArmRequest,
  HeadArmRequest,
  StartRequest,
  TrainingConfig,
  TrainingEvent,
  TrainingRequest,
} from './protocol';
import { setRunState } from '../store/runs';
import { automaticBackend, storedBackendProbe } from './backend-probe-client';
import { predictFirstBatchMs, type BackendChoice } from './backend-choice';

const STOP_GRACE_MS = 1500;

/** Events of the page side, before the worker exists. */
export type ClientEvent =
  | TrainingEvent
  /** The backend the job will run on and the probe's estimate of its first batch. */
  | { type: 'estimate'; choice: BackendChoice; firstBatchMs: number | null }
  /** Stopped before the worker started (while the backend was chosen). */
  | { type: 'cancelled' };

export class TrainingClient {
  private worker: Worker | null = null;
  private runId: string | null = null;
  private stopTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every launch and stop: a launch still choosing its backend checks it. */
  private generation = 0;

  constructor(private readonly onEvent: (e: ClientEvent) => void) {}

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

  /**
   * The backends the job tries: the user's forced one, else the measured choice. Reports the
   * choice and its first-batch estimate; null when a stop came while it was measuring.
   */
  private async backendsFor(
    config: TrainingConfig,
    forced?: BackendName[],
  ): Promise<BackendName[] | null> {
    const generation = ++this.generation;
    this.onEvent({ type: 'phase', phase: 'choosing-backend', text: 'Choosing the backend…' });
    const report = (text: string) =>
      this.onEvent({ type: 'phase', phase: 'choosing-backend', text });
    const order = forced ?? config.backends;
    let choice: BackendChoice;
    if (order?.length) {
      const m = (await storedBackendProbe())?.measurements.find((x) => x.name === order[0]);
      choice = { name: order[0], reason: 'chosen in the cell’s settings', measurement: m ?? null };
    } else {
      choice = await automaticBackend(report);
    }
    if (generation !== this.generation) return null;
    const firstBatchMs = predictFirstBatchMs(choice.measurement, config.batchSize);
    this.onEvent({ type: 'estimate', choice, firstBatchMs });
    return order?.length ? [...order] : [choice.name];
  }

  private launch(
    config: TrainingConfig,
    send: (backends: BackendName[]) => void,
    forced?: BackendName[],
  ): void {
    this.backendsFor(config, forced).then(
      (backends) => {
        if (backends) send(backends);
        else this.onEvent({ type: 'cancelled' });
      },
      (err: unknown) =>
        this.onEvent({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
  }

  start(req: StartRequest): void {
    this.runId = null;
    this.launch(req.config, (backends) =>
      this.spawn().postMessage({ ...req, backends } satisfies TrainingRequest),
    );
  }

  /** One arm of a video experiment or its head; no run is stored, so a stop that times out reports nothing. */
  arm(req: ArmRequest | HeadArmRequest): void {
    this.runId = null;
    this.launch(req.config, (backends) =>
      this.spawn().postMessage({ ...req, backends } satisfies TrainingRequest),
    );
  }

  /** Resumes `runId` from its last checkpoint, on `backends` when given (a switch of backend). */
  resume(runId: string, config: TrainingConfig, backends?: BackendName[]): void {
    this.runId = runId;
    this.launch(
      config,
      (order) =>
        this.spawn().postMessage({
          type: 'resume',
          runId,
          backends: order,
        } satisfies TrainingRequest),
      backends,
    );
  }

  stop(): void {
    if (!this.worker) {
      // Still choosing the backend: the launch sees the new generation and sends nothing.
      this.generation++;
      return;
    }
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
