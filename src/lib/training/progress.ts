/**
 * The progress line a training cell shows: batch i / n of epoch e, sequences per second and the
 * ETA of the epoch and of the run, from measured throughput (the last finished epoch's time once
 * there is one). Before the first batch the backend probe's estimate stands in.
 */
import { formatDuration } from '../util/format';
import type { BatchInfo } from './loop';

export interface ProgressLine {
  /** Of the whole run, in [0, 1]. */
  fraction: number;
  label: string;
  sequencesPerSecond: number;
  etaEpochS: number;
  etaRunS: number;
}

/**
 * `epochs`: the run's last epoch (exclusive end, 1-based count); `lastEpochS`: the duration of the
 * latest finished epoch (training and validation), when one has finished in this job.
 */
export function progressLine(b: BatchInfo, epochs: number, lastEpochS?: number): ProgressLine {
  const rate = b.elapsedS > 0 ? b.sequencesDone / b.elapsedS : 0;
  const left = b.sequencesTotal - b.sequencesDone;
  const etaEpochS = rate > 0 ? left / rate : Infinity;
  const epochS = lastEpochS ?? (rate > 0 ? b.sequencesTotal / rate : Infinity);
  const epochsAfter = Math.max(0, epochs - b.epoch - 1);
  const etaRunS = etaEpochS + epochsAfter * epochS;
  const fraction = Math.min(1, (b.epoch + b.sequencesDone / b.sequencesTotal) / epochs);
  const label =
    `epoch ${b.epoch + 1} of ${epochs} · batch ${b.batch} / ${b.batches} · ` +
    `${rate.toFixed(rate < 10 ? 2 : 1)} sequences/s · epoch ETA ${formatDuration(etaEpochS)} · ` +
    `run ETA ${formatDuration(etaRunS)} · loss ${b.loss.toFixed(4)}`;
  return { fraction, label, sequencesPerSecond: rate, etaEpochS, etaRunS };
}

/**
 * The audio networks' line: epochs done of both networks together (they train one after the
 * other in one worker), epochs per second and the ETA.
 */
export function epochsLine(done: number, total: number, elapsedS: number): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '—';
  return `epoch ${done} of ${total} (both networks) · ${rate.toFixed(1)} epochs/s · ETA ${eta}`;
}
