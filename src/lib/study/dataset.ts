/**
 * What every model section trains on: the project's sequences aligned with their ground truth,
 * and ONE split definition shared by the video heads, the audio networks and the views.
 * Built from the store by the study-data module; the training code only sees these shapes.
 */

/** One 30-s sequence of one movie. */
export interface SequenceRef {
  movieId: string;
  index: number;
}

/** How rows are divided into training and validation. */
export type SplitSpec =
  /** The last `fraction` of each movie's sequences validate (paper: 0.2). */
  | { kind: 'last-fraction'; fraction: number }
  /** Gas rows of one screening per movie validate (default: each movie's first screening). */
  | { kind: 'screening-out'; screeningIds?: Record<string, string> }
  /** Every row of one movie validates. */
  | { kind: 'movie-out'; movieId: string };

export const DEFAULT_SPLIT: SplitSpec = { kind: 'last-fraction', fraction: 0.2 };

export interface Split {
  /** Row numbers into the dataset's `rows`. */
  train: number[];
  validation: number[];
  /** Why the split differs from what was asked (e.g. screening-out on scene labels). */
  note?: string;
}

/** Scene labels: one row per labelled sequence, `names.length` binary targets. */
export interface LabelDataset {
  names: string[];
  rows: SequenceRef[];
  /** rows × names.length, 0/1. */
  y: Float32Array;
  split: Split;
}

/** VOC targets: one row per (sequence, screening), normalised to [0, 1]. */
export interface GasDataset {
  chemicals: string[];
  rows: (SequenceRef & { screeningId: string })[];
  /** rows × chemicals.length, in [0, 1]. */
  y: Float32Array;
  split: Split;
}
