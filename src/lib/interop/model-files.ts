/**
 * Models leave the browser as TensorFlow.js layers files — `<name>.json` (model.json: topology,
 * weights manifest and our metadata under `userDefinedMetadata.cinebreath`) plus
 * `<name>.weights.bin` — or as one `.cbmodel` container holding the same JSON and weights, and
 * come back from either, or from a Keras 2 .h5. Stock `tf.loadLayersModel` reads the two-file
 * form; every import is rebuilt in tfjs and checked against the project before anything is saved.
 */
import * as tf from '@tensorflow/tfjs';
import '../models/layers';
import type { ChannelOrder, CheckpointRecord, ModelRecord, RunRecord } from '../store/schema';
import { newId } from '../util/id';
import { APP_VERSION } from './app-version';
import { InteropError } from './errors';
import { openContainer, packContainer } from './container';
import { buildKerasModel } from './keras-model';
import type { KerasH5Content } from './keras-h5';
import { checkFitsProject, inferKind, type ProjectShapes } from './model-kinds';

/** Bump when the metadata below changes meaning; readers refuse newer ones. */
export const MODEL_META_VERSION = 1;

/** What we write under `userDefinedMetadata.cinebreath`. */
export interface ModelFileMeta {
  metaVersion: number;
  appVersion: string;
  exportedAt: string;
  kind: string;
  name: string;
  epoch: number;
  /** Without the batch dimension. */
  inputShape: number[] | null;
  resolution: { width: number; height: number } | null;
  channelOrder: ChannelOrder | null;
  labelNames: string[] | null;
  chemicals: string[] | null;
  normalisation: unknown;
  split: unknown;
  /** Per-epoch metrics of the runs that trained this model. */
  history: Record<string, unknown>[];
  /** The model record's full metadata, as stored. */
  meta: Record<string, unknown>;
}

export interface ModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: { cinebreath?: ModelFileMeta };
}

export interface DownloadFile {
  name: string;
  blob: Blob;
}

/** A file name from a model name: letters, digits, dashes. */
export function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/[\s_]+/g, '-')
      .toLowerCase() || 'model'
  );
}

/** The first batch input shape in a Keras/tfjs topology (batch dimension dropped). */
export function topologyInputShape(topology: unknown): number[] | null {
  let found: number[] | null = null;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const shape = o.batch_input_shape ?? o.batchInputShape ?? o.batch_shape;
    if (Array.isArray(shape)) {
      found = shape.slice(1) as number[];
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(topology);
  return found;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const strs = (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : null);

export function describeModel(
  model: ModelRecord,
  checkpoint: CheckpointRecord,
  runs: readonly RunRecord[],
): ModelFileMeta {
  const m = model.meta;
  const res = m.resolution as { width?: unknown; height?: unknown } | undefined;
  const order = str(m.channelOrder);
  return {
    metaVersion: MODEL_META_VERSION,
    appVersion: APP_VERSION,
    exportedAt: new Date().toISOString(),
    kind: model.kind,
    name: model.name,
    epoch: checkpoint.epoch,
    inputShape: topologyInputShape(model.topology),
    resolution:
      res && typeof res.width === 'number' && typeof res.height === 'number'
        ? { width: res.width, height: res.height }
        : null,
    channelOrder: order === 'rgb' || order === 'bgr' ? order : null,
    // The notebook's heads store their outputs' names as `names` (scenes: labels, gases: chemicals).
    labelNames: strs(m.labelNames) ?? (model.kind === 'scenes' ? strs(m.names) : null),
    chemicals: strs(m.chemicals) ?? (model.kind === 'gases' ? strs(m.names) : null),
    normalisation: m.normalisation ?? null,
    split: m.split ?? null,
    history: runs.filter((r) => r.modelId === model.id).flatMap((r) => r.epochs),
    meta: m,
  };
}

function modelJson(
  model: ModelRecord,
  checkpoint: CheckpointRecord,
  runs: readonly RunRecord[],
  weightsPath: string,
): ModelJson {
  return {
    format: 'layers-model',
    generatedBy: `Cinebreath ${APP_VERSION}`,
    convertedBy: null,
    modelTopology: model.topology,
    weightsManifest: [
      { paths: [weightsPath], weights: checkpoint.weightSpecs as tf.io.WeightsManifestEntry[] },
    ],
    userDefinedMetadata: { cinebreath: describeModel(model, checkpoint, runs) },
  };
}

/** model.json + weights.bin, loadable with stock `tf.loadLayersModel`. */
export function exportModelFiles(
  model: ModelRecord,
  checkpoint: CheckpointRecord,
  runs: readonly RunRecord[] = [],
): DownloadFile[] {
  const base = slug(model.name);
  const json = modelJson(model, checkpoint, runs, `${base}.weights.bin`);
  return [
    { name: `${base}.json`, blob: new Blob([JSON.stringify(json)], { type: 'application/json' }) },
    {
      name: `${base}.weights.bin`,
      blob: new Blob([checkpoint.weights], { type: 'application/octet-stream' }),
    },
  ];
}

/** The same model.json and weights in one `.cbmodel` container. */
export function exportModelSingleFile(
  model: ModelRecord,
  checkpoint: CheckpointRecord,
  runs: readonly RunRecord[] = [],
): DownloadFile {
  const base = slug(model.name);
  const json = modelJson(model, checkpoint, runs, `${base}.weights.bin`);
  return {
    name: `${base}.cbmodel`,
    blob: packContainer({ kind: 'model', modelJson: json }, [checkpoint.weights]),
  };
}

/** A model read from files, not yet checked or stored. */
export interface IncomingModel {
  fileName: string;
  topology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weights: ArrayBuffer;
  cinebreath: ModelFileMeta | null;
  /** Extra metadata for models that did not come from Cinebreath (e.g. a Keras file's origin). */
  origin: Record<string, unknown>;
}

function checkModelJson(json: unknown, fileName: string): ModelJson {
  const j = json as Partial<ModelJson> | null;
  if (!j || typeof j !== 'object' || !j.modelTopology) {
    throw new InteropError(
      `${fileName} is JSON but not a TensorFlow.js layers model (no modelTopology).`,
    );
  }
  if (!Array.isArray(j.weightsManifest)) {
    throw new InteropError(`${fileName} has no weightsManifest: it is a topology without weights.`);
  }
  const meta = j.userDefinedMetadata?.cinebreath;
  if (meta && meta.metaVersion > MODEL_META_VERSION) {
    throw new InteropError(
      `${fileName} was exported by a newer Cinebreath (${meta.appVersion}). Reload this page ` +
        `to get the newest version; nothing was imported.`,
    );
  }
  return j as ModelJson;
}

const baseName = (p: string) => p.split('/').pop() ?? p;

/** A tfjs model.json together with the weight files it names (matched by file name). */
export async function readModelJson(
  jsonFile: File,
  others: readonly File[],
): Promise<IncomingModel> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await jsonFile.text());
  } catch {
    throw new InteropError(`${jsonFile.name} is not valid JSON.`);
  }
  const json = checkModelJson(parsed, jsonFile.name);
  const paths = json.weightsManifest.flatMap((g) => g.paths.map(baseName));
  const missing = paths.filter((p) => !others.some((f) => f.name === p));
  if (missing.length) {
    throw new InteropError(
      `${jsonFile.name} needs its weights file${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')}: drop ${missing.length > 1 ? 'them' : 'it'} together with the ` +
        `model.json. Nothing was imported.`,
    );
  }
  const parts = paths.map((p) => others.find((f) => f.name === p)!);
  const weights = await new Blob(parts).arrayBuffer();
  return {
    fileName: jsonFile.name,
    topology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weights,
    cinebreath: json.userDefinedMetadata?.cinebreath ?? null,
    origin: { importedFrom: jsonFile.name },
  };
}

/** A `.cbmodel` container. */
export async function readModelContainer(file: Blob, fileName: string): Promise<IncomingModel> {
  const c = await openContainer(file, fileName);
  if (c.header.kind !== 'model') {
    throw new InteropError(`${fileName} is a Cinebreath ${c.header.kind} file, not a model.`);
  }
  const json = checkModelJson(c.header.modelJson, fileName);
  return {
    fileName,
    topology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weights: await c.payload(0),
    cinebreath: json.userDefinedMetadata?.cinebreath ?? null,
    origin: { importedFrom: fileName },
  };
}

/** Rebuilds a Keras .h5 in tfjs and takes its topology and weights in tfjs' own format. */
export async function incomingFromKeras(content: KerasH5Content): Promise<IncomingModel> {
  const model = await buildKerasModel(content);
  try {
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = artifacts as unknown as tf.io.ModelArtifacts;
    const weights =
      a.weightData instanceof ArrayBuffer
        ? a.weightData
        : await new Blob(a.weightData as ArrayBuffer[]).arrayBuffer();
    return {
      fileName: content.fileName,
      topology: a.modelTopology,
      weightSpecs: a.weightSpecs ?? [],
      weights,
      cinebreath: null,
      origin: {
        importedFrom: content.fileName,
        kerasVersion: content.kerasVersion,
        trainingConfig: content.trainingConfig,
      },
    };
  } finally {
    model.dispose();
  }
}

export interface PreparedModel {
  model: ModelRecord;
  checkpoint: CheckpointRecord;
  inputShape: number[];
  outputShape: number[];
}

/**
 * Builds the incoming model in tfjs (proving it loads: every layer known, every weight the right
 * size), works out its kind and checks it fits the project. Returns the records to store.
 */
export async function prepareModel(
  incoming: IncomingModel,
  projectId: string,
  project: ProjectShapes,
): Promise<PreparedModel> {
  const { fileName } = incoming;
  let built: tf.LayersModel;
  try {
    built = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: incoming.topology as tf.io.ModelJSON['modelTopology'],
        weightSpecs: incoming.weightSpecs,
        weightData: incoming.weights,
      }),
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InteropError(
      /Unknown layer/i.test(why)
        ? `${fileName} uses a layer Cinebreath does not know (${why}). Nothing was imported.`
        : `${fileName} could not be loaded as a model (${why}). Nothing was imported.`,
    );
  }
  const inputShape = built.inputs[0].shape.slice(1) as number[];
  const outputShape = built.outputs[0].shape.slice(1) as number[];
  built.dispose();
  const meta = incoming.cinebreath;
  const kind = meta?.kind ?? inferKind(inputShape, outputShape);
  if (!kind) {
    throw new InteropError(
      `${fileName} takes [${inputShape.join(', ')}] and gives [${outputShape.join(', ')}]: ` +
        `neither a video model (30 frames × height × width × 3) nor an audio model (193 ` +
        `features). Nothing was imported.`,
    );
  }
  checkFitsProject(fileName, kind, inputShape, outputShape, meta?.labelNames ?? null, project);
  const id = newId();
  const now = Date.now();
  const name = meta?.name ?? fileName.replace(/\.(json|cbmodel|h5|hdf5)$/i, '');
  const record: ModelRecord = {
    id,
    projectId,
    kind,
    name,
    createdAt: now,
    topology: incoming.topology,
    meta: {
      ...(meta?.meta ?? {}),
      ...incoming.origin,
      ...(meta ? { history: meta.history, exportedBy: meta.appVersion } : {}),
      // The paper's Keras autoencoder saw frames as OpenCV reads them: BGR.
      channelOrder:
        meta?.channelOrder ?? (kind === 'audio-scenes' || kind === 'audio-gases' ? null : 'bgr'),
    },
  };
  const checkpoint: CheckpointRecord = {
    modelId: id,
    epoch: meta?.epoch ?? 0,
    projectId,
    weightSpecs: incoming.weightSpecs,
    weights: incoming.weights,
    optimizerSpecs: [],
    optimizer: new ArrayBuffer(0),
    createdAt: now,
  };
  return { model: record, checkpoint, inputShape, outputShape };
}
