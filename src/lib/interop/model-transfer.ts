/**
 * Models between the store and files: which files to download for a stored model, and the one
 * entry point for model files dropped on the page (.cbmodel, model.json + weights, Keras .h5).
 * An import is stored in one transaction after every check passed, so a refusal leaves the
 * project exactly as it was.
 */
import { latestCheckpoint, latestCheckpointEpoch } from '../store/checkpoints';
import { listLabelSets } from '../store/labels';
import { listMovies } from '../store/movies';
import { addModel, getModel, listModels, listRuns } from '../store/runs';
import type { ModelRecord } from '../store/schema';
import { InteropError } from './errors';
import { readKerasH5File } from './keras-h5-client';
import {
  exportModelFiles,
  exportModelSingleFile,
  incomingFromKeras,
  prepareModel,
  readModelContainer,
  readModelJson,
  type DownloadFile,
  type IncomingModel,
  type PreparedModel,
} from './model-files';
import type { ProjectShapes } from './model-kinds';
import { sniff } from './sniff';

/** What the project's movies and labels require of a model. */
export async function projectShapes(projectId: string): Promise<ProjectShapes> {
  const [movies, labelSets] = await Promise.all([listMovies(projectId), listLabelSets(projectId)]);
  const resolutions = movies.map((m) => ({ width: m.settings.width, height: m.settings.height }));
  return { resolutions, labelNames: [...new Set(labelSets.flatMap((l) => l.names))] };
}

/** Download files for a stored model: two tfjs files, or one `.cbmodel`. */
export async function modelDownloads(modelId: string, single: boolean): Promise<DownloadFile[]> {
  const model = await getModel(modelId);
  if (!model) throw new InteropError('That model no longer exists.');
  const checkpoint = await latestCheckpoint(modelId);
  if (!checkpoint)
    throw new InteropError(`“${model.name}” has no saved weights yet: train it first.`);
  const runs = await listRuns(model.projectId);
  return single
    ? [exportModelSingleFile(model, checkpoint, runs)]
    : exportModelFiles(model, checkpoint, runs);
}

/** A stored model as Share lists it: its latest checkpoint's epoch, if it has weights yet. */
export interface ModelListing {
  model: ModelRecord;
  epoch: number | undefined;
  /** Tells it apart from others of the same name: when it was made and its epoch. */
  label: string;
}

/**
 * The project's models, oldest first, each with the epoch of its latest checkpoint (none yet: not
 * downloadable) and a label that tells models of the same name apart.
 */
export async function listModelListings(projectId: string): Promise<ModelListing[]> {
  const models = await listModels(projectId);
  const count = new Map<string, number>();
  for (const m of models) count.set(m.name, (count.get(m.name) ?? 0) + 1);
  return Promise.all(
    models.map(async (model) => {
      const epoch = await latestCheckpointEpoch(model.id);
      const when = new Date(model.createdAt).toISOString().slice(0, 16).replace('T', ' ');
      const label =
        count.get(model.name)! > 1
          ? `${model.name} (${when}${epoch === undefined ? '' : `, epoch ${epoch}`})`
          : model.name;
      return { model, epoch, label };
    }),
  );
}

const head = async (f: Blob) => new Uint8Array(await f.slice(0, 4160).arrayBuffer());

/** Reads dropped model files (a model may span a model.json and its weight files). */
export async function readIncomingModel(files: readonly File[]): Promise<IncomingModel> {
  const kinds = await Promise.all(
    files.map(async (f) => ({ file: f, kind: sniff(await head(f)) })),
  );
  const json = kinds.find((k) => k.kind === 'json');
  if (json)
    return readModelJson(
      json.file,
      files.filter((f) => f !== json.file),
    );
  const first = kinds[0];
  if (!first) throw new InteropError('No file was dropped.');
  if (first.kind === 'container') return readModelContainer(first.file, first.file.name);
  if (first.kind === 'hdf5' || first.kind === 'zip') {
    return incomingFromKeras(await readKerasH5File(first.file));
  }
  if (/\.bin$/i.test(first.file.name)) {
    throw new InteropError(
      `${first.file.name} holds only weights: drop it together with its model.json.`,
    );
  }
  throw new InteropError(
    `${first.file.name} is not a model file Cinebreath reads (.cbmodel, model.json with its ` +
      `weights, or a Keras 2 .h5).`,
  );
}

/** Checks and stores dropped model files in the project; returns what was stored. */
export async function importModelFiles(
  files: readonly File[],
  projectId: string,
): Promise<PreparedModel> {
  const incoming = await readIncomingModel(files);
  const prepared = await prepareModel(incoming, projectId, await projectShapes(projectId));
  await addModel(prepared.model, prepared.checkpoint);
  return prepared;
}
