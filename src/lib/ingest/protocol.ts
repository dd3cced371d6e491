/**
 * The one message protocol between an ingest client (page) and a decoder worker. Both decoder
 * workers (ffmpeg.wasm, WebCodecs) speak it, so the client and the store logic do not care which
 * one decodes a movie.
 */
import type { DecodePlan } from './plan';
import type { MediaInfo, PictureColour } from './probe';

export type ToDecoder =
  | { type: 'probe'; file: File }
  /**
   * `audioOnly` (ffmpeg.wasm): the plan's audio clips alone, with empty frame buffers. `colour`
   * (WebCodecs): needed to convert pictures as ffmpeg would; that worker makes frames alone.
   */
  | { type: 'decode'; file: File; plan: DecodePlan; audioOnly?: boolean; colour?: PictureColour };

/** One 30-s sequence, complete: frames (uint8, 30×H×W×3 RGB) and its audio clip (or null). */
export interface DecodedSequence {
  index: number;
  frames: ArrayBuffer;
  audio: ArrayBuffer | null;
}

export type FromDecoder =
  | { type: 'probed'; info: MediaInfo }
  /** WebCodecs: the container was read and the decoder configured; frames will follow. */
  | { type: 'started'; codec: string }
  | { type: 'sequence'; sequence: DecodedSequence }
  /** Seconds of the planned range decoded so far (one frame per second). */
  | { type: 'progress'; decodedS: number }
  | { type: 'done'; sequences: number; log: string[] }
  | { type: 'failed'; reason: string };
