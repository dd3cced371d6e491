/**
 * The backend probe's results, one record per (browser, adapter, app version): how long a training
 * step took on each backend this browser offers. They describe the machine, not a study, so they
 * live in their own small database (`cinebreath-device`): erasing or migrating the study never
 * depends on them, and "Erase all local data" removes them too.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DEVICE_DB_NAME = 'cinebreath-device';

/** What one backend did in the probe (all times in ms; null when it did not get that far). */
export interface BackendMeasurement {
  name: 'webgpu' | 'webgl' | 'cpu';
  /** What computes: the WebGPU adapter, the WebGL renderer, or the CPU. */
  device: string;
  /** A software rasteriser (SwiftShader, lavapipe, WARP…) or the fallback adapter. */
  software: boolean;
  /** Starting the backend. */
  startMs: number | null;
  /** Building the model and its first training step, which compile the GPU programs. */
  firstStepMs: number | null;
  /** A later training step of `sequences` sequences: the throughput. */
  stepMs: number | null;
  sequences: number;
  /** Software renderers: times scaled from a small input by the CPU's ratio (see the probe). */
  scaledFromSmall?: boolean;
  /** Why there is no step time: the time limit, or the error. */
  failure?: string;
}

export interface BackendProbeRecord {
  /** userAgent | adapter | app version: a change of any re-measures. */
  key: string;
  userAgent: string;
  adapter: string;
  appVersion: string;
  measuredAt: number;
  limitMs: number;
  measurements: BackendMeasurement[];
}

interface DeviceDB extends DBSchema {
  probes: { key: string; value: BackendProbeRecord };
}

let pending: Promise<IDBPDatabase<DeviceDB>> | null = null;

function open(): Promise<IDBPDatabase<DeviceDB>> {
  pending ??= openDB<DeviceDB>(DEVICE_DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('probes', { keyPath: 'key' });
    },
    blocking() {
      void pending?.then((db) => db.close());
      pending = null;
    },
  }).catch((err: unknown) => {
    pending = null;
    throw err;
  });
  return pending;
}

export async function getBackendProbe(key: string): Promise<BackendProbeRecord | undefined> {
  return (await open()).get('probes', key);
}

export async function putBackendProbe(record: BackendProbeRecord): Promise<void> {
  await (await open()).put('probes', record);
}

/** Deletes every stored probe (with "Erase all local data"). */
export async function eraseBackendProbes(): Promise<void> {
  const p = pending;
  pending = null;
  if (p) (await p.catch(() => null))?.close();
  await deleteDB(DEVICE_DB_NAME);
}
