/**
 * The IndexedDB schema: what lives where, and how older databases are migrated.
 *
 * One database, `cinebreath`. Every record belongs to a project (`projectId`) so that deleting a
 * project is one indexed sweep per store. Binary payloads are ArrayBuffers (Safari fails on Blobs
 * in IndexedDB) and each record stays well under 64 MB (Firefox refuses values above ~256 MiB):
 * frames are stored one 30-s sequence per record, checkpoint payloads in chunks of at most 32 MiB.
 *
 *  store          key                   holds
 *  projects       id                    name, timestamps, project-wide settings
 *  movies         id                    name, duration, frame rate, source file identity, ingest
 *                                       settings, ingest state (incomplete until the last sequence)
 *  sequences      [movieId, index]      uint8 frames of one 30-s sequence (30×H×W×3, channel order
 *                                       recorded on the movie)
 *  audioClips     [movieId, index]      mono float32 PCM of one 30-s sequence
 *  audioFeatures  movieId               n×193 float32 features of a movie (computed or imported)
 *  labelSets      id                    one imported label CSV: names, detected layout, n×L matrix
 *  screenings     id                    one VOC screening: chemicals found, rows×6 values (NaN = ?)
 *  models         id                    a model's topology, kind and metadata
 *  checkpoints    [modelId, epoch]      a checkpoint after an epoch: weight and optimizer specs and
 *                                       payload sizes (v1 records also hold the payloads inline)
 *  checkpointChunks [modelId, epoch, part]  the checkpoint's weight bytes then its optimizer bytes,
 *                                       cut into parts (v2; store/checkpoints.ts reads and writes)
 *  runs           id                    training configuration and per-epoch metrics
 *  encodings      [cacheKey, index]     values cached per (source, sequence): frozen-encoder outputs
 *                                       per checkpoint, the spectrogram CNN's log-mel; deleted
 *                                       with their movie
 *
 * Migrations are numbered: `MIGRATIONS[v]` upgrades a database at version v to v + 1. Never edit a
 * shipped migration; append a new one and raise DB_VERSION.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

export const DB_NAME = 'cinebreath';

export type ChannelOrder = 'rgb' | 'bgr';

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** Free-form per-section settings, owned by the section that writes them. */
  settings: Record<string, unknown>;
  /** True for the built-in synthetic demo study. */
  demo?: boolean;
}

export interface MovieIngestSettings {
  startS: number;
  endS: number | null;
  width: number;
  height: number;
  fit: 'stretch' | 'crop';
  channelOrder: ChannelOrder;
}

export interface MovieRecord {
  id: string;
  projectId: string;
  name: string;
  durationS: number;
  frameRate: number;
  source: { fileName: string; size: number; hash: string };
  settings: MovieIngestSettings;
  state: 'incomplete' | 'complete' | 'failed';
  /** Sequences stored so far: sequences [0, sequencesDone) exist. */
  sequencesDone: number;
  sequencesTotal: number;
  error?: string;
  /** Which decoder made the frames (“WebCodecs (avc1.64001f)”, “ffmpeg.wasm (why not WebCodecs)”). */
  decoder?: string;
  /** Where the credits detector thinks closing credits begin (s), a suggestion for `endS`. */
  creditsStartS?: number | null;
  createdAt: number;
}

export interface SequenceRecord {
  movieId: string;
  index: number;
  projectId: string;
  /** uint8, frames × height × width × 3 in the movie's channel order. */
  frames: ArrayBuffer;
}

export interface AudioClipRecord {
  movieId: string;
  index: number;
  projectId: string;
  sampleRate: number;
  /** float32 mono samples. */
  samples: ArrayBuffer;
}

export interface AudioFeaturesRecord {
  movieId: string;
  projectId: string;
  source: 'computed' | 'imported';
  rows: number;
  /** float32, rows × 193. */
  features: ArrayBuffer;
}

export interface LabelSetRecord {
  id: string;
  projectId: string;
  movieId: string | null;
  fileName: string;
  layout: 'label-rows' | 'sequence-rows';
  names: string[];
  rows: number;
  /** uint8, rows (sequences) × names.length. */
  matrix: ArrayBuffer;
  createdAt: number;
}

export interface ScreeningRecord {
  id: string;
  projectId: string;
  movieId: string | null;
  fileName: string;
  screeningIndex: number;
  chemicals: string[];
  missingChemicals: string[];
  rows: number;
  /** float32, rows × chemicals.length, raw (unnormalised), NaN where the file had `?`. */
  values: ArrayBuffer;
  createdAt: number;
}

export interface ModelRecord {
  id: string;
  projectId: string;
  kind: string;
  name: string;
  createdAt: number;
  /** tfjs layers model topology (model.json's modelTopology). */
  topology: unknown;
  meta: Record<string, unknown>;
}

export interface CheckpointRecord {
  modelId: string;
  epoch: number;
  projectId: string;
  weightSpecs: unknown[];
  weights: ArrayBuffer;
  optimizerSpecs: unknown[];
  optimizer: ArrayBuffer;
  createdAt: number;
}

/**
 * How a checkpoint's payloads are cut into `checkpointChunks`: parts [0, ⌈weightBytes / chunkBytes⌉)
 * hold the weights, the following ⌈optimizerBytes / chunkBytes⌉ parts the optimizer state.
 */
export interface CheckpointChunking {
  chunkBytes: number;
  weightBytes: number;
  optimizerBytes: number;
}

/**
 * A `checkpoints` record as stored: since v2 the payloads live in `checkpointChunks` (`chunks`
 * set); v1 records hold them inline (and a whole CheckpointRecord is still read as one).
 */
export type StoredCheckpointRecord = Omit<CheckpointRecord, 'weights' | 'optimizer'> &
  (
    | { chunks: CheckpointChunking; weights?: undefined; optimizer?: undefined }
    | { chunks?: undefined; weights: ArrayBuffer; optimizer: ArrayBuffer }
  );

export interface CheckpointChunkRecord {
  modelId: string;
  epoch: number;
  part: number;
  projectId: string;
  bytes: ArrayBuffer;
}

export interface RunRecord {
  id: string;
  projectId: string;
  kind: string;
  modelId: string | null;
  config: Record<string, unknown>;
  epochs: Record<string, unknown>[];
  state: 'running' | 'paused' | 'stopped' | 'done' | 'failed';
  createdAt: number;
  message?: string;
}

export interface EncodingRecord {
  /** `<what computed it>:<movieId>` (see `encodingKey`), so a movie's entries can be found. */
  cacheKey: string;
  index: number;
  projectId: string;
  /** float32 encoder output of one sequence. */
  values: ArrayBuffer;
}

/** The `encodings` cache key of one movie's values computed by `source` (a checkpoint, a mel). */
export function encodingKey(source: string, movieId: string): string {
  return `${source}:${movieId}`;
}

/** The movie an `encodings` cache key belongs to. */
export function encodingMovie(cacheKey: string): string {
  return cacheKey.slice(cacheKey.lastIndexOf(':') + 1);
}

export interface CinebreathDB extends DBSchema {
  projects: { key: string; value: ProjectRecord };
  movies: { key: string; value: MovieRecord; indexes: { byProject: string } };
  sequences: { key: [string, number]; value: SequenceRecord; indexes: { byProject: string } };
  audioClips: { key: [string, number]; value: AudioClipRecord; indexes: { byProject: string } };
  audioFeatures: { key: string; value: AudioFeaturesRecord; indexes: { byProject: string } };
  labelSets: { key: string; value: LabelSetRecord; indexes: { byProject: string } };
  screenings: { key: string; value: ScreeningRecord; indexes: { byProject: string } };
  models: { key: string; value: ModelRecord; indexes: { byProject: string } };
  checkpoints: {
    key: [string, number];
    value: StoredCheckpointRecord;
    indexes: { byProject: string };
  };
  checkpointChunks: {
    key: [string, number, number];
    value: CheckpointChunkRecord;
    indexes: { byProject: string };
  };
  runs: { key: string; value: RunRecord; indexes: { byProject: string } };
  encodings: { key: [string, number]; value: EncodingRecord; indexes: { byProject: string } };
}

export type StoreName = StoreNames<CinebreathDB>;

/** The project stores of schema v1, as migration 0 → 1 created them. */
const V1_PROJECT_STORES = [
  'movies',
  'sequences',
  'audioClips',
  'audioFeatures',
  'labelSets',
  'screenings',
  'models',
  'checkpoints',
  'runs',
  'encodings',
] as const satisfies readonly StoreName[];

/** Every store whose records carry a projectId (all but `projects`). */
export const PROJECT_STORES = [
  ...V1_PROJECT_STORES,
  'checkpointChunks',
] as const satisfies readonly StoreName[];

type UpgradeTx = IDBPTransaction<CinebreathDB, StoreName[], 'versionchange'>;
type Migration = (db: IDBPDatabase<CinebreathDB>, tx: UpgradeTx) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1: the initial schema.
  (db) => {
    db.createObjectStore('projects', { keyPath: 'id' });
    const keyed = {
      movies: 'id',
      sequences: ['movieId', 'index'],
      audioClips: ['movieId', 'index'],
      audioFeatures: 'movieId',
      labelSets: 'id',
      screenings: 'id',
      models: 'id',
      checkpoints: ['modelId', 'epoch'],
      runs: 'id',
      encodings: ['cacheKey', 'index'],
    } as const satisfies Record<(typeof V1_PROJECT_STORES)[number], string | readonly string[]>;
    for (const name of V1_PROJECT_STORES) {
      const keyPath = keyed[name];
      const store = db.createObjectStore(name, {
        keyPath: typeof keyPath === 'string' ? keyPath : [...keyPath],
      });
      store.createIndex('byProject', 'projectId');
    }
  },
  // 1 → 2: checkpoint payloads in chunks (a scene head's checkpoint is ~792 MB). Existing
  // checkpoints keep their inline payloads: rewriting hundreds of MB inside the upgrade could
  // exhaust the quota and leave the database unopenable; they are read as they are.
  (db) => {
    const store = db.createObjectStore('checkpointChunks', {
      keyPath: ['modelId', 'epoch', 'part'],
    });
    store.createIndex('byProject', 'projectId');
  },
];

export const DB_VERSION = MIGRATIONS.length;
