/**
 * The line a training cell shows for its latest run. A run stored as "running" that no job of
 * this page is running lost its worker (the tab or browser closed mid-run): it is shown as
 * interrupted after its last finished epoch, which is also where Resume continues.
 */
import type { RunRecord } from '../store/schema';

export function describeRunState(run: RunRecord, epochsDone: number, runningHere: boolean): string {
  const total = (run.config as { epochs?: number }).epochs ?? '?';
  const of = `${epochsDone} of ${total} epochs`;
  if (run.state === 'running' && !runningHere) {
    return `Run interrupted after epoch ${epochsDone} · ${of} · Resume continues from its last checkpoint`;
  }
  return `Run ${run.state}${run.message ? `: ${run.message}` : ''} · ${of}`;
}
