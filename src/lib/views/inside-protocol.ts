/**
 * The messages between the page and the "inside the network" worker, which runs models on stored
 * sequences and paints heatmap grids so that the page never blocks while a view renders.
 */
import type { LayerInfo } from './activations';
import type { GridLayout, ValueRange } from './heatmap';
import type { AugmentOptions, PreviewFrame } from '../training/augment';

export type ModelSource =
  | { kind: 'stored'; modelId: string; epoch: number }
  | { kind: 'untrained'; width: number; height: number };

export interface SequenceRef {
  movieId: string;
  index: number;
}

export type InsideRequest =
  /** Runs the model once on a sequence, keeping every volume layer's output for `grid`. */
  | { type: 'activations'; source: ModelSource; sequence: SequenceRef }
  /** Paints one layer of the last activations; `frames` null means all of the layer's frames. */
  | { type: 'grid'; layer: string; frames: number[] | null }
  /** A stored autoencoder's reconstruction of a sequence at a checkpoint. */
  | { type: 'reconstruct'; modelId: string; epoch: number; sequence: SequenceRef }
  /** One frame of a sequence and `variants` augmented versions of it (paper §V). */
  | {
      type: 'augment-preview';
      sequence: SequenceRef;
      frame: number;
      options: AugmentOptions;
      seed: number;
      variants: number;
    }
  /** A stored gas head's outputs for sequences of a movie, from the cached encodings. */
  | { type: 'gasPredictions'; modelId: string; epoch: number; movieId: string; indices: number[] };

export interface LayerSummary extends LayerInfo {
  range: ValueRange;
  dead: number[];
}

export interface ActivationsResult {
  modelName: string;
  untrained: boolean;
  backend: string;
  layers: LayerSummary[];
}

export interface GridResult {
  layer: string;
  /** Frames in the layer's output (the input's 30, or fewer after pooling). */
  layerFrames: number;
  layout: GridLayout;
  range: ValueRange;
  dead: number[];
  pixels: Uint8ClampedArray<ArrayBuffer>;
}

export interface ReconstructionResult {
  epoch: number;
  /** Reconstruction in RGB order, values in [0, 1], frames × height × width × 3. */
  rgb: Float32Array<ArrayBuffer>;
  /** Mean absolute error against the input, on the [0, 1] scale. */
  error: number;
}

export interface GasPredictionsResult {
  /** The head's output names (chemical keys), in output order. */
  outputs: string[];
  /** indices × outputs. */
  values: Float32Array<ArrayBuffer>;
}

export interface InsideResults {
  activations: ActivationsResult;
  grid: GridResult;
  reconstruct: ReconstructionResult;
  'augment-preview': PreviewFrame[];
  gasPredictions: GasPredictionsResult;
}

export type InsideMessage = { id: number; request: InsideRequest };

export type InsideReply =
  | { id: number; ok: true; result: InsideResults[InsideRequest['type']] }
  | { id: number; ok: false; error: string };
