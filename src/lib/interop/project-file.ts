/**
 * A whole project as one `.cinebreath` file (the container of container.ts): settings, movies'
 * metadata, labels, screenings, audio features, models, checkpoints and runs, and optionally the
 * decoded frames and audio clips (large). The frozen-encoder cache is left out (it is rebuilt).
 *
 * The header holds every record as JSON with binary fields replaced by `{ $blob: n }` (payload
 * n of the container) and non-finite numbers by `{ $num: "NaN" }`. `formatVersion` numbers the
 * layout of those records: `restoreProject` migrates older files step by step
 * (PROJECT_MIGRATIONS[v] turns version v into v + 1) and refuses newer ones. It checks the whole
 * file before writing and writes in one transaction, so a refused file changes nothing.
 */
import { addRecords, listProjectRecords } from '../store/project-records';
import { getProject } from '../store/projects';
import { PROJECT_STORES, type CinebreathDB, type ProjectRecord } from '../store/schema';
import { newId } from '../util/id';
import { openContainer, packContainer } from './container';
import { InteropError } from './errors';
import { APP_VERSION } from './app-version';
import { slug, type DownloadFile } from './model-files';

export const PROJECT_FORMAT_VERSION = 1;

type ProjectRecords = Record<string, unknown[]>;

/** PROJECT_MIGRATIONS[v - 1] upgrades the records of a version-v file to v + 1. None yet. */
export const PROJECT_MIGRATIONS: readonly ((records: ProjectRecords) => ProjectRecords)[] = [];

type ExportedStore = 'projects' | Exclude<(typeof PROJECT_STORES)[number], 'encodings'>;

/** The stores a project file carries, in the order they are written back: all but the cache. */
export const EXPORTED_STORES: readonly ExportedStore[] = [
  'projects',
  ...PROJECT_STORES.filter((s): s is Exclude<typeof s, 'encodings'> => s !== 'encodings'),
];

export interface ProjectExportOptions {
  /** Include the decoded frames (about 200 KB per 30 s at 64×36). */
  frames?: boolean;
  /** Include the audio clips (about 2.6 MB per 30 s). */
  audioClips?: boolean;
}

const FRAMES_LEFT_OUT =
  'Frames were left out of the project file; drop the movie again to decode them.';

function encode(value: unknown, payloads: ArrayBuffer[]): unknown {
  if (value instanceof ArrayBuffer) {
    payloads.push(value);
    return { $blob: payloads.length - 1 };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
  if (Array.isArray(value)) return value.map((v) => encode(v, payloads));
  if (value && typeof value === 'object') {
    if (ArrayBuffer.isView(value)) {
      throw new Error('Typed arrays are not stored in records; store their ArrayBuffer.');
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, payloads)]));
  }
  return value;
}

async function decode(
  value: unknown,
  payload: (i: number) => Promise<ArrayBuffer>,
): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => decode(v, payload)));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$blob === 'number') return payload(o.$blob);
    if (keys.length === 1 && typeof o.$num === 'string') return Number(o.$num);
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = await decode(o[k], payload);
    return out;
  }
  return value;
}

/** Packs a project into one downloadable file. */
export async function exportProject(
  projectId: string,
  opts: ProjectExportOptions = {},
): Promise<DownloadFile> {
  const project = await getProject(projectId);
  if (!project) throw new InteropError('That project no longer exists.');
  const left: ExportedStore[] = [];
  if (!opts.frames) left.push('sequences');
  if (!opts.audioClips) left.push('audioClips');
  const records: Record<string, unknown[]> = { projects: [project] };
  for (const name of EXPORTED_STORES) {
    if (name === 'projects') continue;
    records[name] = left.includes(name) ? [] : await listProjectRecords(name, projectId);
  }
  if (!opts.frames) {
    records.movies = (records.movies as CinebreathDB['movies']['value'][]).map((m) =>
      m.sequencesDone ? { ...m, state: 'incomplete', sequencesDone: 0, error: FRAMES_LEFT_OUT } : m,
    );
  }
  const payloads: ArrayBuffer[] = [];
  const encoded = encode(records, payloads);
  const blob = packContainer(
    {
      kind: 'project',
      formatVersion: PROJECT_FORMAT_VERSION,
      appVersion: APP_VERSION,
      exportedAt: new Date().toISOString(),
      leftOut: left,
      records: encoded,
    },
    payloads,
  );
  return { name: `${slug(project.name)}.cinebreath`, blob };
}

interface ProjectBundle {
  project: ProjectRecord;
  records: Record<ExportedStore, Record<string, unknown>[]>;
}

/** Reads, migrates and checks a project file without touching the store. */
export async function readProjectFile(file: Blob, fileName: string): Promise<ProjectBundle> {
  const c = await openContainer(file, fileName);
  const { header } = c;
  if (header.kind !== 'project') {
    throw new InteropError(
      `${fileName} is a Cinebreath ${header.kind} file, not a project: drop it on the model import.`,
    );
  }
  const version = header.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new InteropError(
      `${fileName} has no valid project format version; nothing was imported.`,
    );
  }
  if (version > PROJECT_FORMAT_VERSION) {
    throw new InteropError(
      `${fileName} was written by a newer Cinebreath (${String(header.appVersion)}, project ` +
        `format ${version}; this page reads up to ${PROJECT_FORMAT_VERSION}). Reload the page to ` +
        `get the newest version. Nothing was imported and your projects are untouched.`,
    );
  }
  let raw = header.records as ProjectRecords;
  for (let v = version; v < PROJECT_FORMAT_VERSION; v++) raw = PROJECT_MIGRATIONS[v - 1](raw);
  if (!raw || typeof raw !== 'object') {
    throw new InteropError(`${fileName} holds no records; nothing was imported.`);
  }
  const records = (await decode(raw, (i) => c.payload(i))) as ProjectBundle['records'];
  for (const name of Object.keys(records)) {
    if (!(EXPORTED_STORES as readonly string[]).includes(name)) {
      throw new InteropError(`${fileName} holds unknown data (“${name}”); nothing was imported.`);
    }
  }
  const projects = (records.projects ?? []) as unknown as ProjectRecord[];
  if (projects.length !== 1 || typeof projects[0]?.id !== 'string') {
    throw new InteropError(`${fileName} must hold exactly one project; nothing was imported.`);
  }
  const project = projects[0];
  for (const name of EXPORTED_STORES) {
    records[name] ??= [];
    if (name === 'projects') continue;
    if (records[name].some((r) => r.projectId !== project.id)) {
      throw new InteropError(
        `${fileName} mixes records of several projects; nothing was imported.`,
      );
    }
  }
  return { project, records };
}

function replaceIds(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return ids.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => replaceIds(v, ids));
  if (value && typeof value === 'object' && !(value instanceof ArrayBuffer)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceIds(v, ids)]));
  }
  return value;
}

/**
 * Restores a project file as a project of this browser and returns it. The project keeps its
 * ids, so a project moved to another machine is identical; if it already exists here, the
 * import becomes a copy with fresh ids (references inside records and settings follow).
 */
export async function restoreProject(file: Blob, fileName: string): Promise<ProjectRecord> {
  const bundle = await readProjectFile(file, fileName);
  let { records } = bundle;
  if (await getProject(bundle.project.id)) {
    const ids = new Map<string, string>();
    for (const name of [
      'projects',
      'movies',
      'labelSets',
      'screenings',
      'models',
      'runs',
    ] as const) {
      for (const r of records[name]) ids.set(r.id as string, newId());
    }
    records = replaceIds(records, ids) as ProjectBundle['records'];
    const project = records.projects[0] as unknown as ProjectRecord;
    records.projects[0] = { ...project, name: `${project.name} (imported)` };
  }
  try {
    // `add`: a record that already exists aborts the whole import rather than overwrite.
    await addRecords([...EXPORTED_STORES], records, `project “${bundle.project.name}”`);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'ConstraintError') {
      throw new InteropError(
        `${fileName} holds records that already exist in this browser under another project; ` +
          `nothing was imported.`,
      );
    }
    throw err;
  }
  return records.projects[0] as unknown as ProjectRecord;
}
