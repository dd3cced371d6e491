/**
 * Frames as pictures: stored sequences and model reconstructions turned into RGBA for display, with
 * the channel order handled. Sequences are stored in the movie's channel order and a model consumes
 * and produces its own (the original Keras model saw OpenCV's BGR), so both sides are converted to
 * RGB for the eye and the input is reordered for the model when the two differ.
 */
import type { ChannelOrder } from '../store/schema';

/** A copy of interleaved 3-channel data with the first and third channel of every pixel swapped. */
export function swapRedBlue<T extends Uint8Array | Float32Array>(data: T): T {
  const out = data.slice() as T;
  for (let i = 0; i + 2 < out.length; i += 3) {
    out[i] = data[i + 2];
    out[i + 2] = data[i];
  }
  return out;
}

/** `data` (3-channel, in order `from`) as order `to`; the same array when they agree. */
export function reorderChannels<T extends Uint8Array | Float32Array>(
  data: T,
  from: ChannelOrder,
  to: ChannelOrder,
): T {
  return from === to ? data : swapRedBlue(data);
}

export interface FrameSize {
  width: number;
  height: number;
}

/**
 * RGBA pixels of frame `frame` of a sequence (frames × height × width × 3, channel order `order`).
 * `unit` is 255 for stored bytes and 1 for model outputs in [0, 1].
 */
export function frameRgba(
  data: ArrayLike<number>,
  frame: number,
  size: FrameSize,
  order: ChannelOrder,
  unit = 255,
): Uint8ClampedArray<ArrayBuffer> {
  const pixels = size.width * size.height;
  const start = frame * pixels * 3;
  if (frame < 0 || start + pixels * 3 > data.length) {
    throw new Error(`Frame ${frame} is not in this sequence.`);
  }
  const [r, b] = order === 'rgb' ? [0, 2] : [2, 0];
  const scale = 255 / unit;
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const s = start + p * 3;
    out[p * 4] = Math.round(data[s + r] * scale);
    out[p * 4 + 1] = Math.round(data[s + 1] * scale);
    out[p * 4 + 2] = Math.round(data[s + b] * scale);
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Frames side by side, left to right, as one RGBA strip (the thumbnail strip of a sequence). */
export function frameStrip(
  data: ArrayLike<number>,
  frames: readonly number[],
  size: FrameSize,
  order: ChannelOrder,
  unit = 255,
): { width: number; height: number; pixels: Uint8ClampedArray<ArrayBuffer> } {
  const width = size.width * frames.length;
  const pixels = new Uint8ClampedArray(width * size.height * 4);
  frames.forEach((frame, k) => {
    const one = frameRgba(data, frame, size, order, unit);
    for (let y = 0; y < size.height; y++) {
      pixels.set(
        one.subarray(y * size.width * 4, (y + 1) * size.width * 4),
        (y * width + k * size.width) * 4,
      );
    }
  });
  return { width, height: size.height, pixels };
}

/** Mean absolute difference between a stored sequence (bytes) and a reconstruction in [0, 1]. */
export function reconstructionError(
  original: ArrayLike<number>,
  reconstruction: ArrayLike<number>,
): number {
  if (original.length !== reconstruction.length) {
    throw new Error(
      `Reconstruction has ${reconstruction.length} values; the sequence has ${original.length}.`,
    );
  }
  let sum = 0;
  for (let i = 0; i < original.length; i++) sum += Math.abs(original[i] / 255 - reconstruction[i]);
  return original.length ? sum / original.length : NaN;
}
