/**
 * A movie file's identity, to recognise the same file dropped again: name, size and a SHA-256 of
 * its first and last megabyte (reading the whole of a 5-GB film would take longer than decoding
 * the part that matters).
 */
const EDGE_BYTES = 1 << 20;

export interface FileIdentity {
  fileName: string;
  size: number;
  hash: string;
}

export async function fileIdentity(file: Blob & { name: string }): Promise<FileIdentity> {
  const head = file.slice(0, Math.min(EDGE_BYTES, file.size));
  const tail = file.slice(Math.max(file.size - EDGE_BYTES, 0), file.size);
  const bytes = await new Blob([head, tail]).arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  return { fileName: file.name, size: file.size, hash };
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.fileName === b.fileName && a.size === b.size && a.hash === b.hash;
}
