/**
 * NumPy `.npy` reading and writing (format versions 1.0–3.0; C order; uint8, int32, float32,
 * float64), the interchange format researchers move arrays to and from Keras or PyTorch with.
 * npyjs was considered: it reads but does not write, and reports no errors for Fortran order.
 */

export type NpyDtype = 'uint8' | 'int32' | 'float32' | 'float64';

export type NpyData = Uint8Array | Int32Array | Float32Array | Float64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, NpyDtype> = {
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i4': 'int32',
  '<f4': 'float32',
  '<f8': 'float64',
};

const DESCR_OF: Record<NpyDtype, string> = {
  uint8: '|u1',
  int32: '<i4',
  float32: '<f4',
  float64: '<f8',
};

export class NpyError extends Error {
  override name = 'NpyError';
}

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new NpyError(`Unreadable .npy header: ${text.trim()}`);
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new NpyError(`Bad dimension “${s}” in .npy shape.`);
      return n;
    });
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** Reads an .npy file. `name` is used in error messages. */
export function readNpy(buffer: ArrayBuffer, name = 'array'): NpyArray {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(`${name} is not a NumPy .npy file (magic string missing).`);
  }
  const major = bytes[6];
  const view = new DataView(buffer);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new NpyError(`${name}: .npy format version ${major} is not supported (1–3 are).`);
  }
  if (offset + headerLen > bytes.length) throw new NpyError(`${name}: .npy header is truncated.`);
  const decoder = new TextDecoder(major === 3 ? 'utf-8' : 'latin1');
  const header = parseHeader(decoder.decode(bytes.subarray(offset, offset + headerLen)));
  if (header.fortran) {
    throw new NpyError(
      `${name}: Fortran-order arrays are not supported; save with np.ascontiguousarray.`,
    );
  }
  const dtype = DESCR[header.descr];
  if (!dtype) {
    throw new NpyError(
      `${name}: dtype ${header.descr} is not supported (uint8, little-endian int32, float32, float64 are).`,
    );
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  const start = offset + headerLen;
  const width = BYTES[dtype];
  if (bytes.length - start < count * width) {
    throw new NpyError(`${name}: data is truncated (${count} values of ${width} bytes expected).`);
  }
  // Copy so the data is aligned and independent of the file buffer.
  const body = buffer.slice(start, start + count * width);
  return { dtype, shape: header.shape, data: new ARRAY[dtype](body) };
}

const BYTES: Record<NpyDtype, number> = { uint8: 1, int32: 4, float32: 4, float64: 8 };
const ARRAY = {
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** The header of a C-order .npy (version 1.0, padded to 64 bytes as NumPy does). */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array<ArrayBuffer> {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/** Writes a C-order .npy (version 1.0). */
export function writeNpy(data: NpyData, shape: readonly number[]): Uint8Array<ArrayBuffer> {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new NpyError(
      `Shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}.`,
    );
  }
  const header = npyHeader(dtypeOf(data), shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}
