/**
 * The study's fixed shapes and rates (paper §III-A). Every module that needs one imports it here.
 */

/** Frames are sampled at one per second… */
export const FRAMES_PER_SECOND = 1;
/** …and grouped into sequences of 30 frames, one per 30 s of film. */
export const FRAMES_PER_SEQUENCE = 30;
export const SECONDS_PER_SEQUENCE = FRAMES_PER_SEQUENCE / FRAMES_PER_SECOND;

export interface Resolution {
  width: number;
  height: number;
}
/** The paper's frame size, and the higher resolution it wished for. */
export const RESOLUTIONS = {
  '64x36': { width: 64, height: 36 },
  '128x72': { width: 128, height: 72 },
} as const satisfies Record<string, Resolution>;
export const DEFAULT_RESOLUTION: Resolution = RESOLUTIONS['64x36'];
export const CHANNELS = 3;

export function sequenceBytes(res: Resolution): number {
  return FRAMES_PER_SEQUENCE * res.height * res.width * CHANNELS;
}

/** Audio: mono float32 at librosa's default rate, one clip per sequence. */
export const AUDIO_SAMPLE_RATE = 22050;
export const AUDIO_CLIP_SAMPLES = AUDIO_SAMPLE_RATE * SECONDS_PER_SEQUENCE;

/** The 193 audio features, in the order of the original extractor. */
export const AUDIO_FEATURE_GROUPS = [
  ['mfcc', 40],
  ['chroma', 12],
  ['mel', 128],
  ['contrast', 7],
  ['tonnetz', 6],
] as const;
export const AUDIO_FEATURES = AUDIO_FEATURE_GROUPS.reduce((n, [, k]) => n + k, 0);

/** VOC measurements come one row per 30 s of film, like the sequences. */
export const SECONDS_PER_VOC_ROW = 30;

/** Hidden Dense width of the heads on the frozen encoder (paper §III-C/D). */
export const HEAD_UNITS = { scenes: 1024, gases: 512 } as const;
