/**
 * "Automatic" backend, decided by measurement: the backend whose probe step was fastest per
 * sequence. WebGPU is not preferred for being WebGPU: a software adapter (SwiftShader, lavapipe,
 * WARP) wins only if it really measured faster. Also the first estimates a run shows before its
 * first batch, from the same measurements.
 */
import type { BackendName } from '../compute/backend';
import type { BackendMeasurement } from '../store/backend-probes';

export interface BackendChoice {
  name: BackendName;
  /** One sentence: the measured step times and why this one. */
  reason: string;
  measurement: BackendMeasurement | null;
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', cpu: 'CPU' };

/** ms per sequence of the probe's later step, or null when it has none. */
export function perSequenceMs(m: BackendMeasurement): number | null {
  return m.stepMs == null ? null : m.stepMs / m.sequences;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** "CPU: 1.20 s per sequence" or "WebGPU (SwiftShader, software): no step within 30 s". */
export function describeMeasurement(m: BackendMeasurement): string {
  const device = m.name === 'cpu' ? LABEL.cpu : `${LABEL[m.name]} (${m.device})`;
  const per = perSequenceMs(m);
  const soft = m.software && !/software/.test(device) ? ' [software]' : '';
  return per == null
    ? `${device}${soft}: ${m.failure ?? 'not measured'}`
    : `${device}${soft}: ${seconds(per)} per sequence${m.scaledFromSmall ? ' (scaled from a small input)' : ''}`;
}

export function chooseBackend(measurements: readonly BackendMeasurement[]): BackendChoice {
  const measured = measurements
    .filter((m) => perSequenceMs(m) != null)
    .sort((a, b) => perSequenceMs(a)! - perSequenceMs(b)!);
  const all = measurements.map(describeMeasurement).join('; ');
  const best = measured[0];
  if (best) {
    const why =
      measured.length > 1 ? 'fastest measured' : 'the only backend that finished a step in time';
    return { name: best.name, reason: `${LABEL[best.name]}, ${why} — ${all}`, measurement: best };
  }
  // Nothing finished a step in time: a hardware GPU that at least started, else the CPU.
  const gpu = measurements.find((m) => m.name !== 'cpu' && !m.software && m.startMs != null);
  const name = gpu?.name ?? 'cpu';
  return {
    name,
    reason: `${LABEL[name]}: no backend finished a probe step in time — ${all}`,
    measurement: gpu ?? measurements.find((m) => m.name === 'cpu') ?? null,
  };
}

/**
 * The probe's estimate of a run's first batch (ms): starting and building, compiling (the first
 * step), then the batch's sequences at the measured rate. Null without a measured step.
 */
export function predictFirstBatchMs(
  m: BackendMeasurement | null,
  batchSize: number,
): number | null {
  const per = m ? perSequenceMs(m) : null;
  if (!m || per == null) return null;
  const compile = Math.max(0, (m.firstStepMs ?? 0) - m.stepMs!);
  return (m.startMs ?? 0) + compile + per * batchSize;
}
