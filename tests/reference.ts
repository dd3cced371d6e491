// Where the study's reference data lives for tests: ../shared/reference, or CINEBREATH_REFERENCE.
// Absent data is an error that says where it was looked for, never a silent skip.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REFERENCE_DIR = resolve(process.env.CINEBREATH_REFERENCE ?? '../shared/reference');

export function referencePath(relative: string): string {
  const path = join(REFERENCE_DIR, relative);
  if (!existsSync(path)) {
    throw new Error(
      `Reference file ${relative} not found under ${REFERENCE_DIR}. Point CINEBREATH_REFERENCE at ` +
        `the study's reference folder (the one holding paper.md, keras/, librosa/, smelloffear/).`,
    );
  }
  return path;
}

/** A reference file's bytes as a standalone ArrayBuffer (Node's Buffer may share a pool). */
export function readReference(relative: string): ArrayBuffer {
  const buf = readFileSync(referencePath(relative));
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
