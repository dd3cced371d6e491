/**
 * Reads a Keras 2 HDF5 model file (`model.save('x.h5')`) into plain data: the `model_config`
 * JSON, the training config and every layer's weights in the order Keras saved them. h5wasm (the
 * HDF5 C library compiled to WebAssembly, maintained by NIST) reads it; jsfive, the pure-JS
 * alternative, needs the whole file in one ArrayBuffer and is less complete. In the browser the
 * file is mounted read-only with WORKERFS inside a worker (see keras-h5.worker.ts) so a large
 * file is read lazily; in Node (tests) the bytes are written to h5wasm's in-memory file system.
 */
import type { Dataset as H5Dataset, File as H5File, Group as H5Group } from 'h5wasm';
import { InteropError } from './errors';
import { hdf5EndOfFile, sniff, SNIFF_BYTES } from './sniff';

export interface KerasWeight {
  /** Keras' weight name, e.g. `conv3d_1/kernel:0`. */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface KerasLayerWeights {
  layer: string;
  weights: KerasWeight[];
}

export interface KerasH5Content {
  fileName: string;
  kerasVersion: string | null;
  backend: string | null;
  /** `{ class_name, config }` as Keras wrote it. */
  modelConfig: { class_name: string; config: unknown };
  trainingConfig: unknown;
  layers: KerasLayerWeights[];
}

/** Refuses what is clearly not a readable Keras 2 HDF5 file, from its first bytes and size. */
export function checkKerasFileHead(head: Uint8Array, size: number, fileName: string): void {
  const kind = sniff(head);
  if (kind === 'zip') {
    throw new InteropError(
      `${fileName} is a Keras 3 “.keras” archive (a zip file). Cinebreath reads Keras 2 HDF5 ` +
        `files: in Python, load the model and save it with model.save("model.h5") ` +
        `(Keras 3: keras.saving.save_model(model, "model.h5")), then drop the .h5 file here.`,
    );
  }
  if (kind !== 'hdf5') {
    throw new InteropError(`${fileName} is not an HDF5 file (no HDF5 signature at its start).`);
  }
  const expected = hdf5EndOfFile(head);
  if (expected !== null && size < expected) {
    throw new InteropError(
      `${fileName} is truncated: it has ${size} bytes but its header says ${expected}. ` +
        `Download or copy it again; nothing was imported.`,
    );
  }
}

type Entity = ReturnType<H5Group['get']>;
const isGroup = (e: Entity): e is H5Group => e !== null && 'keys' in e && 'create_group' in e;
const isDataset = (e: Entity): e is H5Dataset => e !== null && 'slice' in e && 'shape' in e;

function attr(node: H5Group, name: string): unknown {
  const a = node.attrs[name];
  return a ? a.value : undefined;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map(String);
  return [];
}

function parseJsonAttr(value: unknown, what: string, fileName: string): unknown {
  if (value === undefined || value === null) return null;
  try {
    return JSON.parse(String(value));
  } catch {
    throw new InteropError(`${fileName}: its ${what} is not valid JSON.`);
  }
}

/** Reads the model from an open h5wasm file. */
export function readKerasContent(file: H5File, fileName: string): KerasH5Content {
  const rootKeys = file.keys();
  const config = parseJsonAttr(attr(file, 'model_config'), 'model_config', fileName) as {
    class_name?: unknown;
    config?: unknown;
  } | null;
  if (!config) {
    const weightsOnly =
      attr(file, 'layer_names') !== undefined || rootKeys.includes('model_weights');
    throw new InteropError(
      weightsOnly
        ? `${fileName} holds only weights (saved with save_weights), not the model's architecture ` +
            `(“model_config”). Save the whole model with model.save("model.h5") and drop that file.`
        : `${fileName} is an HDF5 file but not a Keras model (no “model_config”).`,
    );
  }
  if (typeof config.class_name !== 'string' || config.config === undefined) {
    throw new InteropError(`${fileName}: its model_config has no class_name/config.`);
  }
  const nested = rootKeys.includes('model_weights') ? file.get('model_weights') : null;
  const weightsRoot = isGroup(nested) ? nested : file;
  const layers: KerasLayerWeights[] = [];
  for (const layer of strings(attr(weightsRoot, 'layer_names'))) {
    const group = weightsRoot.get(layer);
    if (!isGroup(group)) {
      throw new InteropError(`${fileName}: weights of layer “${layer}” are missing.`);
    }
    const weights: KerasWeight[] = [];
    for (const name of strings(attr(group, 'weight_names'))) {
      const dataset = group.get(name);
      if (!isDataset(dataset)) {
        throw new InteropError(`${fileName}: weight “${name}” of layer “${layer}” is missing.`);
      }
      const value = dataset.value;
      if (!(value instanceof Float32Array || value instanceof Float64Array)) {
        throw new InteropError(
          `${fileName}: weight “${name}” is not stored as 32- or 64-bit floats.`,
        );
      }
      weights.push({
        name,
        shape: dataset.shape ?? [],
        data: value instanceof Float32Array ? value : Float32Array.from(value),
      });
    }
    layers.push({ layer, weights });
  }
  const version = attr(file, 'keras_version');
  const backend = attr(file, 'backend');
  return {
    fileName,
    kerasVersion: typeof version === 'string' ? version : null,
    backend: typeof backend === 'string' ? backend : null,
    modelConfig: config as KerasH5Content['modelConfig'],
    trainingConfig: parseJsonAttr(attr(file, 'training_config'), 'training_config', fileName),
    layers,
  };
}

/** Opens `path` (already in h5wasm's file system) and reads it, turning library failures into messages. */
export function readKerasPath(
  h5wasm: typeof import('h5wasm').default,
  path: string,
  fileName: string,
): KerasH5Content {
  let file: H5File;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (err) {
    throw new InteropError(`${fileName} could not be opened as HDF5 (${String(err)}).`);
  }
  if (file.file_id < 0n) {
    throw new InteropError(`${fileName} could not be opened as HDF5; it may be damaged.`);
  }
  try {
    return readKerasContent(file, fileName);
  } catch (err) {
    if (err instanceof InteropError) throw err;
    throw new InteropError(
      `${fileName} could not be read; it may be truncated or damaged (${err instanceof Error ? err.message : String(err)}).`,
    );
  } finally {
    file.close();
  }
}

let counter = 0;

/**
 * Reads a Keras .h5 from bytes in memory (Node and small files). The browser uses the worker,
 * which mounts the File instead of copying it.
 */
export async function readKerasH5Bytes(
  bytes: Uint8Array,
  fileName: string,
): Promise<KerasH5Content> {
  checkKerasFileHead(bytes.subarray(0, SNIFF_BYTES), bytes.length, fileName);
  const h5wasm = (await import('h5wasm')).default;
  const { FS } = await h5wasm.ready;
  const path = `/cinebreath-import-${++counter}.h5`;
  FS.writeFile(path, bytes);
  try {
    return readKerasPath(h5wasm, path, fileName);
  } finally {
    FS.unlink(path);
  }
}
