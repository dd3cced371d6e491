/**
 * EBML, the binary format under Matroska and WebM: element ids and sizes as variable-length
 * integers, read from a file through a sliding window (mkv-index.ts builds the index on it).
 */
/** The EBML magic that opens every Matroska/WebM file. */
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

export function isMatroska(head: Uint8Array): boolean {
  return EBML_MAGIC.every((b, i) => head[i] === b);
}

export const ID = {
  ebml: 0x1a45dfa3,
  docType: 0x4282,
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  defaultDuration: 0x23e383,
  codecDelay: 0x56aa,
  contentEncodings: 0x6d80,
  video: 0xe0,
  colour: 0x55b0,
  matrixCoefficients: 0x55b1,
  range: 0x55b9,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  audio: 0xe1,
  samplingFrequency: 0xb5,
  channels: 0x9f,
  cluster: 0x1f43b675,
  timecode: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  referenceBlock: 0xfb,
  blockDuration: 0x9b,
} as const;

/** Level-1 elements: where an unknown-size Cluster ends. */
export const TOP_LEVEL = new Set([
  ID.cluster,
  ID.info,
  ID.tracks,
  0x114d9b74, // SeekHead
  0x1c53bb6b, // Cues
  0x1254c367, // Tags
  0x1043a770, // Chapters
  0x1941a469, // Attachments
]);

export const WINDOW = 16 << 20;
/** The most a block header (track, time, flags, lace sizes) is read as. */
export const BLOCK_HEAD = 64 << 10;

/** Reads the file through one large window that slides forward. */
export class WindowReader {
  #start = 0;
  #bytes = new Uint8Array(0);
  /** Bytes read from the file, for the benchmark's figure. */
  bytesRead = 0;
  constructor(private readonly file: Blob) {}

  /** Up to `len` bytes at `pos` (fewer at the file's end). */
  async at(pos: number, len: number): Promise<Uint8Array> {
    const end = Math.min(this.file.size, pos + len);
    if (pos < this.#start || end > this.#start + this.#bytes.length) {
      this.#start = pos;
      const to = Math.min(this.file.size, pos + Math.max(len, WINDOW));
      this.#bytes = new Uint8Array(await this.file.slice(pos, to).arrayBuffer());
      this.bytesRead += this.#bytes.length;
    }
    return this.#bytes.subarray(pos - this.#start, end - this.#start);
  }
}

export class MatroskaError extends Error {}

export interface Vint {
  value: number;
  length: number;
  /** All value bits set: an unknown size. */
  unknown: boolean;
}

/** An EBML variable-length integer at `at` (marker bit removed); null past the bytes. */
export function vint(bytes: Uint8Array, at: number, maxLength = 8): Vint | null {
  const first = bytes[at];
  if (first === undefined) return null;
  let length = 1;
  while (length <= maxLength && !(first & (0x80 >> (length - 1)))) length++;
  if (length > maxLength) throw new MatroskaError('it is not a Matroska file that could be read');
  if (at + length > bytes.length) return null;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i];
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown: allOnes };
}

export function uint(bytes: Uint8Array): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

export function float(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 4) return view.getFloat32(0);
  if (bytes.length === 8) return view.getFloat64(0);
  return 0;
}

export interface EbmlElement {
  id: number;
  /** Where the element's data starts. */
  data: number;
  /** Where it ends (the file's end for an unknown size). */
  end: number;
  unknown: boolean;
}

/** The element header at `pos`, or null when the file ends inside it. */
export async function element(
  reader: WindowReader,
  pos: number,
  limit: number,
): Promise<EbmlElement | null> {
  const head = await reader.at(pos, 12);
  const id = vint(head, 0, 4);
  if (!id) return null;
  const size = vint(head, id.length);
  if (!size) return null;
  const data = pos + id.length + size.length;
  const idValue = uint(head.subarray(0, id.length));
  return {
    id: idValue,
    data,
    end: size.unknown ? limit : data + size.value,
    unknown: size.unknown,
  };
}

/** The children of [from, to), each read fully (small master elements only: Info, Tracks). */
export function children(bytes: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  for (let at = 0; at < bytes.length;) {
    const id = vint(bytes, at, 4);
    const size = id && vint(bytes, at + id.length);
    if (!id || !size) break;
    const start = at + id.length + size.length;
    const end = size.unknown ? bytes.length : Math.min(bytes.length, start + size.value);
    const key = uint(bytes.subarray(at, at + id.length));
    out.set(key, [...(out.get(key) ?? []), bytes.subarray(start, end)]);
    at = end;
  }
  return out;
}
