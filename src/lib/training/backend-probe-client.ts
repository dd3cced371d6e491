/**
 * Runs the backend probe from the page and keeps its result: each backend the browser offers is
 * timed in its own worker under a time limit (backend-probe.worker.ts), one after the other so
 * they do not slow each other down, and the result is stored per (browser, adapter, app version)
 * in store/backend-probes.ts. One measurement at a time: every caller that asks while one runs
 * shares it, and listeners (the status strip) hear every new result.
 */
import {
  adapterLabel,
  describeAdapter,
  isSoftwareAdapter,
  isSoftwareRenderer,
  type BackendName,
} from '../compute/backend';
import { PAPER_SEQUENCE_SHAPE, type SequenceShape } from '../models/autoencoder';
import {
  getBackendProbe,
  putBackendProbe,
  type BackendMeasurement,
  type BackendProbeRecord,
} from '../store/backend-probes';
import type { ProbeEvent, ProbeRequest } from './backend-probe-protocol';
import { chooseBackend, type BackendChoice } from './backend-choice';

/** Sequences per probe step: demo-sized, enough for the per-sequence rate. */
export const PROBE_SEQUENCES = 2;
/** Time limit of the first backend measured (the CPU, which always works), start to second step. */
export const PROBE_LIMIT_MS = 120_000;
/**
 * The other backends' limit, as a multiple of the CPU's whole probe (at least MIN_LIMIT_MS): a
 * backend that needs several times as long as the CPU to start, compile and take two steps is
 * not going to be the faster one.
 */
const LIMIT_FACTOR = 2;
const MIN_LIMIT_MS = 20_000;
/**
 * The input a software renderer is timed on (1/45 of the demo's): its submitted work stays small,
 * since a worker's GPU programs outlive it in the browser's GPU process and, on a software
 * adapter, a demo-size step there stalls every page of the browser for minutes.
 */
const SMALL_SEQUENCE_SHAPE: SequenceShape = [8, 12, 16, 3];
/** How long a worker told to abort may take to drop its GPU work before it is terminated. */
const ABORT_GRACE_MS = 2000;
/** Measured first, so the others' limits follow from it. */
const PROBE_ORDER: readonly BackendName[] = ['cpu', 'webgl', 'webgpu'];

type Listener = (probe: BackendProbeRecord) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<(text: string) => void>();
let running: Promise<BackendProbeRecord> | null = null;

/** Calls `listener` with every new measurement; returns the unsubscribe. */
export function onBackendProbe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Calls `listener` with the progress of any measurement, whoever started it. */
export function onBackendProbeStatus(listener: (text: string) => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/** What the stored result is keyed by: a change of any of them re-measures. */
export async function probeIdentity(): Promise<
  Pick<BackendProbeRecord, 'key' | 'userAgent' | 'adapter' | 'appVersion'>
> {
  const userAgent = navigator.userAgent;
  const adapter = navigator.gpu ? adapterLabel(await describeAdapter()) : 'no WebGPU';
  const appVersion = __APP_VERSION__;
  return { key: `${userAgent} | ${adapter} | ${appVersion}`, userAgent, adapter, appVersion };
}

/** The stored measurement for this browser, adapter and app version, if any. */
export async function storedBackendProbe(): Promise<BackendProbeRecord | undefined> {
  return getBackendProbe((await probeIdentity()).key);
}

/**
 * Measures every backend now (or joins the measurement under way) and stores the result.
 * `onStatus` hears which backend is being timed.
 */
export function measureBackends(
  onStatus: (text: string) => void = () => {},
  limitMs = PROBE_LIMIT_MS,
): Promise<BackendProbeRecord> {
  const report = (text: string) => {
    onStatus(text);
    for (const l of statusListeners) l(text);
  };
  running ??= measureAll(report, limitMs).finally(() => (running = null));
  return running;
}

/** The automatic choice: from the stored measurement, or measured now when there is none. */
export async function automaticBackend(
  onStatus: (text: string) => void = () => {},
): Promise<BackendChoice> {
  const probe = (await storedBackendProbe()) ?? (await measureBackends(onStatus));
  return chooseBackend(probe.measurements);
}

async function measureAll(
  onStatus: (text: string) => void,
  limitMs: number,
): Promise<BackendProbeRecord> {
  const identity = await probeIdentity();
  const software = await softwareRenderers();
  const offered = PROBE_ORDER.filter((b) => b !== 'webgpu' || navigator.gpu);
  const measurements: BackendMeasurement[] = [];
  let limit = limitMs;
  let cpuSmall: BackendMeasurement | null = null;
  const status = (i: number, name: string, ms: number) =>
    onStatus(
      `Measuring the backends once for this browser (${i + 1} of ${offered.length}: ${name}, at most ${Math.round(ms / 1000)} s)…`,
    );
  for (const [i, name] of offered.entries()) {
    status(i, name, software[name] ? 2 * MIN_LIMIT_MS : limit);
    if (!software[name]) {
      const m = await measureOne(name, PAPER_SEQUENCE_SHAPE, limit);
      measurements.push(m);
      if (name === 'cpu' && m.stepMs != null) {
        const whole = (m.startMs ?? 0) + (m.firstStepMs ?? 0) + m.stepMs;
        limit = Math.min(limitMs, Math.max(MIN_LIMIT_MS, LIMIT_FACTOR * whole));
      }
      continue;
    }
    // A software renderer computes on the CPU: timed on the small input against the CPU's time
    // there, and scaled to the demo's size by the CPU's own ratio.
    const cpu = measurements.find((m) => m.name === 'cpu');
    cpuSmall ??= await measureOne('cpu', SMALL_SEQUENCE_SHAPE, MIN_LIMIT_MS);
    const small = await measureOne(name, SMALL_SEQUENCE_SHAPE, MIN_LIMIT_MS);
    measurements.push(scaled(small, cpuSmall, cpu));
  }
  const record: BackendProbeRecord = {
    ...identity,
    measuredAt: Date.now(),
    limitMs,
    measurements,
  };
  await putBackendProbe(record);
  for (const l of listeners) l(record);
  return record;
}

/**
 * A software renderer's small-input step times at the demo's size: its ratio to the CPU on the
 * small input times the CPU's demo-size times. Without that ratio, its failure stands.
 */
function scaled(
  small: BackendMeasurement,
  cpuSmall: BackendMeasurement,
  cpu: BackendMeasurement | undefined,
): BackendMeasurement {
  const base = { ...small, software: true };
  if (small.stepMs == null) {
    return { ...base, failure: `${small.failure ?? 'no step'} on a 1/45-size input` };
  }
  if (!cpu?.stepMs || !cpuSmall.stepMs || !cpu.firstStepMs || !cpuSmall.firstStepMs) {
    return { ...base, stepMs: null, failure: 'not comparable: the CPU did not finish its steps' };
  }
  return {
    ...base,
    firstStepMs: (small.firstStepMs ?? 0) * (cpu.firstStepMs / cpuSmall.firstStepMs),
    stepMs: small.stepMs * (cpu.stepMs / cpuSmall.stepMs),
    scaledFromSmall: true,
  };
}

/**
 * Which GPU backends are software renderers, read without starting them: the WebGPU adapter's
 * info and the WebGL renderer's name.
 */
async function softwareRenderers(): Promise<Record<BackendName, boolean>> {
  const adapter = navigator.gpu ? await describeAdapter().catch(() => null) : null;
  let renderer = '';
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    if (gl && ext) renderer = String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL));
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    renderer = '';
  }
  return { webgpu: isSoftwareAdapter(adapter), webgl: isSoftwareRenderer(renderer), cpu: false };
}

/** One backend in its own worker; the worker is ended at the step or at the limit. */
function measureOne(
  name: BackendName,
  shape: SequenceShape,
  limitMs: number,
): Promise<BackendMeasurement> {
  const m: BackendMeasurement = {
    name,
    device: name === 'cpu' ? 'CPU' : name,
    software: false,
    startMs: null,
    firstStepMs: null,
    stepMs: null,
    sequences: PROBE_SEQUENCES,
  };
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./backend-probe.worker.ts', import.meta.url), {
      type: 'module',
    });
    let ended = false;
    const end = (failure?: string) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      clearTimeout(abortTimer);
      worker.terminate();
      resolve(failure ? { ...m, failure } : m);
    };
    let abortTimer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = '';
    const timer = setTimeout(() => {
      const phase =
        m.startMs == null
          ? 'the backend had not started'
          : m.firstStepMs == null
            ? 'building and the first step (compiling) were still running'
            : 'its second step was still running';
      timedOut = `no step within ${Math.round(limitMs / 1000)} s (${phase})`;
      // Let the worker drop its GPU work first; terminate it anyway if it cannot answer.
      worker.postMessage({ type: 'abort' } satisfies ProbeRequest);
      abortTimer = setTimeout(() => end(timedOut), ABORT_GRACE_MS);
    }, limitMs);
    worker.onmessage = (ev: MessageEvent<ProbeEvent>) => {
      const e = ev.data;
      if (e.type === 'started') {
        m.device = e.device;
        m.software = e.software;
        m.startMs = e.startMs;
      } else if (e.type === 'first-step') m.firstStepMs = e.firstStepMs;
      else if (e.type === 'step') {
        m.stepMs = e.stepMs;
        end();
      } else if (e.type === 'aborted') end(timedOut);
      else end(e.message);
    };
    worker.onerror = (ev) => end(ev.message || 'the probe worker failed');
    worker.postMessage({
      type: 'measure',
      backend: name,
      shape,
      sequences: PROBE_SEQUENCES,
    } satisfies ProbeRequest);
  });
}
