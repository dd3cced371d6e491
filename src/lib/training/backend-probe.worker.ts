/// <reference lib="webworker" />
/**
 * The backend probe's worker: times a training step of the paper's autoencoder on one backend,
 * off the main thread. Messages follow backend-probe-protocol.ts.
 */
import '../models/layers';
import { dropGpuWork, measureBackend } from './backend-probe';
import type { ProbeEvent, ProbeRequest } from './backend-probe-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (ev: MessageEvent<ProbeRequest>) => {
  const post = (e: ProbeEvent) => scope.postMessage(e);
  if (ev.data.type === 'abort') {
    dropGpuWork();
    post({ type: 'aborted' });
    return;
  }
  const { backend, shape, sequences } = ev.data;
  measureBackend(backend, shape, sequences, post).catch((err: unknown) =>
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
};
