/**
 * Watches the GPU a training job computes on and turns its faults into errors the job can act on.
 *
 * WebGPU reports out-of-memory and validation errors as `uncapturederror` events on the device, not
 * as exceptions (tfjs pushes no error scopes): the op "succeeds" and its result is garbage. The
 * supervisor listens for them and for `device.lost`; the job stops at the next batch boundary and
 * never checkpoints an epoch during which one happened, so the last checkpoint stays a sound one.
 * Work is raced against the fault (a lost device may never answer a read-back), but its model and
 * optimizer must be disposed only once the work has really exited: disposing them under a loop
 * that is still stepping destroys buffers it is about to read ("Buffer was destroyed before
 * mapping was resolved"). `workEnded` says when that is.
 */

/**
 * How long a fault waits for the loop to reach its next batch boundary before the run is reported
 * paused anyway (a lost device may never answer the read-back the loop is waiting for).
 */
const LOOP_EXIT_GRACE_MS = 5000;

const GPU_FAILURE = /device (was )?lost|out of memory|OOM|allocation|createBuffer/i;

/** The GPU reported a fault (lost device, out of memory, invalid work): results are unusable. */
export class GpuFault extends Error {}

/** A message for a failure that leaves the last checkpoint intact. */
export function describeFailure(err: unknown): { paused: boolean; message: string } {
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof GpuFault || GPU_FAILURE.test(text)) {
    return {
      paused: true,
      message: `The GPU failed (${text}). Training paused; the last checkpoint is intact — close other GPU-heavy tabs and Resume.`,
    };
  }
  return { paused: false, message: text };
}

export class GpuSupervisor {
  /** The first fault the GPU reported, if any. */
  private fault: string | null = null;
  /**
   * Rejects at the first GPU fault. A lost device may never answer a pending read-back, so work
   * is raced against this instead of waiting for the next batch boundary.
   */
  private readonly faulted: Promise<never>;
  private rejectFaulted: (err: GpuFault) => void = () => {};
  /** Work raced against a fault (`untilFault`) that has not ended yet. */
  private readonly pending = new Set<Promise<void>>();

  constructor() {
    this.faulted = new Promise<never>((_, reject) => (this.rejectFaulted = reject));
    this.faulted.catch(() => undefined);
  }

  /** Turns `device`'s loss and uncaptured errors into a fault. */
  watch(device: Pick<GPUDevice, 'lost' | 'addEventListener'> | null): void {
    if (!device) return;
    const fault = (text: string) => {
      this.fault ??= text;
      this.rejectFaulted(new GpuFault(this.fault));
    };
    void device.lost.then((info) =>
      fault(`GPU device lost (${info.reason ?? 'unknown'}): ${info.message || 'no detail'}`),
    );
    device.addEventListener('uncapturederror', (ev) => {
      const error = (ev as GPUUncapturedErrorEvent).error;
      const oom =
        typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError;
      fault(`${oom ? 'GPU out of memory' : 'GPU error'}: ${error.message}`);
    });
  }

  /** `work`, or a GpuFault as soon as the GPU reports one; `workEnded` waits for `work` itself. */
  untilFault<T>(work: Promise<T>): Promise<T> {
    const ended = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(ended);
    void ended.then(() => this.pending.delete(ended));
    return Promise.race([work, this.faulted]);
  }

  /** Work raced against a fault that is still running. */
  stillRunning(): Promise<void>[] {
    return [...this.pending];
  }

  /**
   * Resolves true once all raced work has ended, or false after `graceMs` while some still runs.
   */
  async workEnded(graceMs = LOOP_EXIT_GRACE_MS): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = Promise.all([...this.pending]).then(() => true);
    const late = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), graceMs)),
    );
    try {
      return await Promise.race([ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws once the GPU has reported a fault. */
  check(): void {
    if (this.fault) throw new GpuFault(this.fault);
  }

  /** `err`, or the GPU's fault when there was one: whatever failed after it failed because of it. */
  describe(err: unknown): { paused: boolean; message: string } {
    return describeFailure(this.fault ? new GpuFault(this.fault) : err);
  }
}
