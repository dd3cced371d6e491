/**
 * Cinebreath's single-file container, used for a model in one file (`.cbmodel`) and for a whole
 * project (`.cinebreath`). Layout, all little-endian:
 *
 *   0   8 bytes   ASCII "CINEBRTH"
 *   8   uint32    container layout version (1)
 *   12  uint32    header length H in bytes
 *   16  H bytes   UTF-8 JSON header; its `blobs` lists { offset, byteLength } of each payload,
 *                 offsets counted from the data start
 *   align8(16+H)  the payloads, each starting on an 8-byte boundary
 *
 * Chosen over one JSON with base64 weights because base64 adds a third to the size and must be
 * built as one giant string (a 264 MB classifier would not fit in a JS string comfortably);
 * here payloads are written from Blob parts and read back by slicing the File, so neither side
 * holds more than one payload at a time, and Python splits it in five lines (see README).
 */
import { InteropError } from './errors';
import { CONTAINER_MAGIC } from './sniff';

export const CONTAINER_LAYOUT_VERSION = 1;
const PREAMBLE = 16;

export interface BlobRef {
  offset: number;
  byteLength: number;
}

export interface ContainerHeader {
  kind: string;
  blobs: BlobRef[];
  [key: string]: unknown;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Packs a JSON header and binary payloads into one Blob (payloads are referenced, not copied). */
export function packContainer(
  header: Omit<ContainerHeader, 'blobs'>,
  payloads: readonly (ArrayBuffer | ArrayBufferView<ArrayBuffer> | Blob)[],
): Blob {
  const blobs: BlobRef[] = [];
  const parts: BlobPart[] = [];
  let offset = 0;
  for (const p of payloads) {
    const byteLength = p instanceof Blob ? p.size : p.byteLength;
    blobs.push({ offset, byteLength });
    parts.push(p, new Uint8Array(align8(byteLength) - byteLength));
    offset = align8(offset + byteLength);
  }
  const json = new TextEncoder().encode(JSON.stringify({ ...header, blobs }));
  const pre = new Uint8Array(align8(PREAMBLE + json.length));
  for (let i = 0; i < 8; i++) pre[i] = CONTAINER_MAGIC.charCodeAt(i);
  const view = new DataView(pre.buffer);
  view.setUint32(8, CONTAINER_LAYOUT_VERSION, true);
  view.setUint32(12, json.length, true);
  pre.set(json, PREAMBLE);
  return new Blob([pre, ...parts]);
}

export interface OpenContainer {
  header: ContainerHeader;
  /** Reads payload i from the file (only that slice). */
  payload(i: number): Promise<ArrayBuffer>;
}

/** Reads a container's header and checks that every payload it lists is present. */
export async function openContainer(file: Blob, fileName: string): Promise<OpenContainer> {
  const pre = new Uint8Array(await file.slice(0, PREAMBLE).arrayBuffer());
  if (pre.length < PREAMBLE || String.fromCharCode(...pre.subarray(0, 8)) !== CONTAINER_MAGIC) {
    throw new InteropError(`${fileName} is not a Cinebreath file.`);
  }
  const view = new DataView(pre.buffer);
  const layout = view.getUint32(8, true);
  if (layout > CONTAINER_LAYOUT_VERSION) {
    throw new InteropError(
      `${fileName} was written by a newer Cinebreath (file layout ${layout}). Update this page ` +
        `(reload it) to open it; nothing was imported.`,
    );
  }
  const length = view.getUint32(12, true);
  if (PREAMBLE + length > file.size) {
    throw new InteropError(
      `${fileName} is truncated (its header is cut off); nothing was imported.`,
    );
  }
  let header: ContainerHeader;
  try {
    header = JSON.parse(
      new TextDecoder().decode(await file.slice(PREAMBLE, PREAMBLE + length).arrayBuffer()),
    ) as ContainerHeader;
  } catch {
    throw new InteropError(`${fileName} has a damaged header; nothing was imported.`);
  }
  if (!header || typeof header.kind !== 'string' || !Array.isArray(header.blobs)) {
    throw new InteropError(`${fileName} has a damaged header; nothing was imported.`);
  }
  const start = align8(PREAMBLE + length);
  const end = header.blobs.reduce((m, b) => Math.max(m, start + b.offset + b.byteLength), start);
  if (end > file.size) {
    throw new InteropError(
      `${fileName} is truncated: ${file.size} bytes of ${end}. Download or copy it again; ` +
        `nothing was imported.`,
    );
  }
  return {
    header,
    async payload(i) {
      const ref = header.blobs[i];
      if (!ref) throw new InteropError(`${fileName} refers to a missing payload (${i}).`);
      return file.slice(start + ref.offset, start + ref.offset + ref.byteLength).arrayBuffer();
    },
  };
}
