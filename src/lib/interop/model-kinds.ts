/**
 * What kind of network a model file holds, told from its metadata or, for files from Keras or
 * stock tfjs, from its input and output shapes; and whether it fits the open project.
 */
import { AUDIO_FEATURES, CHANNELS, FRAMES_PER_SEQUENCE, type Resolution } from '../shapes';
import { CHEMICAL_KEYS } from '../study/chemicals';
import { InteropError } from './errors';

export const MODEL_KINDS = [
  'autoencoder',
  'scene-head',
  'gas-head',
  'audio-scenes',
  'audio-gases',
] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

const isVideoInput = (s: readonly number[]) =>
  s.length === 4 && s[0] === FRAMES_PER_SEQUENCE && s[3] === CHANNELS;
const isAudioInput = (s: readonly number[]) => s.length === 1 && s[0] === AUDIO_FEATURES;
const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** The kind from shapes alone (no batch dimension), or null when they match no known network. */
export function inferKind(input: readonly number[], output: readonly number[]): ModelKind | null {
  if (isVideoInput(input)) {
    if (same(input, output)) return 'autoencoder';
    if (output.length === 1) return output[0] === CHEMICAL_KEYS.length ? 'gas-head' : 'scene-head';
  }
  if (isAudioInput(input) && output.length === 1) {
    return output[0] === CHEMICAL_KEYS.length ? 'audio-gases' : 'audio-scenes';
  }
  return null;
}

/** What the open project offers that a model must fit. */
export interface ProjectShapes {
  /** Frame sizes of the project's movies (empty when it has none). */
  resolutions: Resolution[];
  /** Label names of the project's label sets (empty when it has none). */
  labelNames: string[];
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Throws an InteropError saying why a model cannot serve this project. */
export function checkFitsProject(
  fileName: string,
  kind: string,
  input: readonly number[],
  output: readonly number[],
  labelNames: readonly string[] | null,
  project: ProjectShapes,
): void {
  const video = kind === 'autoencoder' || kind === 'scene-head' || kind === 'gas-head';
  if (video && !isVideoInput(input)) {
    throw new InteropError(
      `${fileName}: a ${kind} takes ${FRAMES_PER_SEQUENCE} frames × height × width × ${CHANNELS}, ` +
        `this one takes ${fmt(input)}.`,
    );
  }
  if (video) {
    const [, height, width] = input;
    const other = project.resolutions.find((r) => r.width !== width || r.height !== height);
    if (other) {
      throw new InteropError(
        `${fileName} expects ${width}×${height} frames; this project's movies are ` +
          `${other.width}×${other.height}. Import it into a project decoded at ${width}×${height}.`,
      );
    }
  }
  if ((kind === 'audio-scenes' || kind === 'audio-gases') && !isAudioInput(input)) {
    throw new InteropError(
      `${fileName}: an audio network takes ${AUDIO_FEATURES} features, this one takes ${fmt(input)}.`,
    );
  }
  if ((kind === 'gas-head' || kind === 'audio-gases') && !same(output, [CHEMICAL_KEYS.length])) {
    throw new InteropError(
      `${fileName}: a gas model gives ${CHEMICAL_KEYS.length} values (${CHEMICAL_KEYS.join(', ')}), ` +
        `this one gives ${fmt(output)}.`,
    );
  }
  if (kind === 'scene-head' || kind === 'audio-scenes') {
    if (labelNames && labelNames.length !== output[0]) {
      throw new InteropError(
        `${fileName}: it names ${labelNames.length} labels but gives ${output[0]} outputs.`,
      );
    }
    const unknown = labelNames?.filter((n) => !project.labelNames.includes(n)) ?? [];
    if (project.labelNames.length && unknown.length) {
      throw new InteropError(
        `${fileName} predicts labels this project does not have: ${unknown.join(', ')}.`,
      );
    }
  }
}
