/**
 * Stored sequences as the views need them: the frames with their size and channel order, and
 * thumbnails (a sequence's first frame) for the picker.
 */
import { getSequence } from '../store/movies';
import type { ChannelOrder, MovieRecord } from '../store/schema';
import { frameRgba, type FrameSize } from './frames';

export interface StoredFrames {
  frames: Uint8Array;
  size: FrameSize;
  order: ChannelOrder;
}

export async function sequenceFrames(movie: MovieRecord, index: number): Promise<StoredFrames> {
  const record = await getSequence(movie.id, index);
  if (!record) throw new Error(`Sequence ${index + 1} of “${movie.name}” is not stored.`);
  const { width, height, channelOrder } = movie.settings;
  return { frames: new Uint8Array(record.frames), size: { width, height }, order: channelOrder };
}

export interface Picture {
  width: number;
  height: number;
  pixels: Uint8ClampedArray<ArrayBuffer>;
}

export async function sequenceThumbnail(movie: MovieRecord, index: number): Promise<Picture> {
  const { frames, size, order } = await sequenceFrames(movie, index);
  return { ...size, pixels: frameRgba(frames, 0, size, order) };
}

/** Sequences of a movie that can be shown: those stored so far. */
export function storedSequences(movie: MovieRecord): number {
  return movie.sequencesDone;
}
