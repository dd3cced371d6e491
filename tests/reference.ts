// The study's reference data for tests: public data and values computed by Keras 2 and librosa,
// kept in tests/fixtures/reference (see its README). A missing file is an error, never a skip.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REFERENCE_DIR = resolve(import.meta.dirname, 'fixtures/reference');

export function referencePath(relative: string): string {
  const path = join(REFERENCE_DIR, relative);
  if (!existsSync(path)) {
    throw new Error(`Reference file ${relative} not found under ${REFERENCE_DIR}.`);
  }
  return path;
}

/** A reference file's bytes as a standalone ArrayBuffer (Node's Buffer may share a pool). */
export function readReference(relative: string): ArrayBuffer {
  const buf = readFileSync(referencePath(relative));
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
