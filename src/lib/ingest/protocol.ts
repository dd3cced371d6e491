/**
 * The one message protocol between an ingest client (page) and a decoder worker. Both decoder
 * workers (ffmpeg.wasm, WebCodecs) speak it, so the client and the store logic do not care which
 * one decodes a movie. Below it, the WebCodecs worker's own protocol with its video decoder worker.
 */
import type { DecodePlan } from './plan';
import type { MediaInfo, PictureColour } from './probe';

export type ToDecoder =
  | { type: 'probe'; file: File }
  /** WebCodecs: read the index and describe the movie from it (the index is kept for `decode`). */
  | { type: 'describe'; file: File }
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
  /** WebCodecs: what ffprobe would say, from the index alone; null where not certain (probe). */
  | { type: 'described'; info: MediaInfo | null }
  /**
   * WebCodecs: the container was read and the decoder configured; frames will follow, with their
   * clips when `audioCodec` is set (AudioDecoder takes the track), else without.
   */
  | { type: 'started'; codec: string; audioCodec: string | null }
  | { type: 'sequence'; sequence: DecodedSequence }
  /** Seconds of the planned range decoded so far (one frame per second). */
  | { type: 'progress'; decodedS: number }
  /** `phases`: milliseconds per phase of the work, for the benchmark (WebCodecs). */
  | { type: 'done'; sequences: number; log: string[]; phases?: Record<string, number> }
  /**
   * `decoderFault` (WebCodecs): the browser's decoder failed on the stream, not the file's bytes:
   * ffmpeg.wasm may decode the rest.
   */
  | { type: 'failed'; reason: string; decoderFault?: boolean };

/**
 * The video pictures to decode, in decode order, one entry per sample (typed arrays: a 4-h movie
 * has ~350,000 samples).
 */
export interface DecodeFeed {
  /** Byte range of each sample in the file. */
  offsets: Float64Array<ArrayBuffer>;
  sizes: Uint32Array<ArrayBuffer>;
  /** Presentation time, µs: the decoded picture's timestamp. */
  timestamps: Float64Array<ArrayBuffer>;
  /** `FEED_KEY` | `FEED_PICKED` (a picture the sampling rule keeps: sent back, never skipped). */
  flags: Uint8Array<ArrayBuffer>;
}

/**
 * The browser's decoder failed on a stream it had accepted (e.g. an AV1 file with hidden frames, a
 * picture format changing mid-way): ffmpeg.wasm may still decode the rest of the movie. Sent on as
 * `decoderFault`.
 */
export class DecoderFault extends Error {}

export const FEED_KEY = 1;
export const FEED_PICKED = 2;

export type ToVideoDecoder =
  /** `avcLength`: H.264's NAL length size (1–4), 0 for other codecs. */
  | { type: 'decode'; file: File; config: VideoDecoderConfig; feed: DecodeFeed; avcLength: number }
  /** One sent picture was converted and closed: room for another. */
  | { type: 'converted' };

export type FromVideoDecoder =
  /** A picked picture, transferred (the receiver closes it). */
  | { type: 'frame'; frame: VideoFrame }
  | { type: 'done'; phases: Record<string, number> }
  /** `decoderFault`: the browser's decoder failed, not the file's bytes. */
  | { type: 'failed'; reason: string; decoderFault: boolean };
