/**
 * Which video samples the WebCodecs path decodes, in what order, and how the work is split between
 * its video decoder workers: pure functions of the index and the picked samples.
 */
import { SECONDS_PER_SEQUENCE } from '../shapes';
import type { VideoIndex, VideoSample } from './mp4-index';
import { FEED_KEY, FEED_PICKED, type DecodeFeed } from './protocol';

/** Least movie time per segment, s. */
const SEGMENT_S = SECONDS_PER_SEQUENCE;

/** Decode-order sample indices to feed: from the keyframe before each picked sample up to it. */
export function decodeRuns(index: VideoIndex, picked: Set<number>): number[] {
  const order: number[] = [];
  const targets = [...picked].sort((a, b) => a - b);
  let next = 0;
  for (const t of targets) {
    if (t < next) continue;
    let key = t;
    while (key > 0 && !index.samples[key].sync) key--;
    for (let d = Math.max(key, next); d <= t; d++) order.push(d);
    next = t + 1;
  }
  return order;
}

/** A sample's presentation time in µs: the timestamp that identifies its decoded picture. */
export const stamp = (sample: VideoSample) => Math.round(sample.ptsS * 1e6);

/**
 * The samples of `order` as the video decoder workers' segments: each starts at a keyframe and
 * spans at least `SEGMENT_S` of the movie (one sequence: the workers finish segments out of
 * order, and the sequences waiting for the slowest stay few).
 */
export function segmentsOf(
  index: VideoIndex,
  order: number[],
  picked: Map<number, unknown>,
): DecodeFeed[] {
  const cuts: number[] = [];
  let startS = -Infinity;
  order.forEach((d, i) => {
    const { sync, ptsS } = index.samples[d];
    if (i === 0 || (sync && ptsS - startS >= SEGMENT_S)) [cuts[cuts.length], startS] = [i, ptsS];
  });
  return cuts.map((from, c) => {
    const part = order.slice(from, cuts[c + 1] ?? order.length);
    const feed: DecodeFeed = {
      offsets: new Float64Array(part.length),
      sizes: new Uint32Array(part.length),
      timestamps: new Float64Array(part.length),
      flags: new Uint8Array(part.length),
    };
    part.forEach((d, i) => {
      const sample = index.samples[d];
      feed.offsets[i] = sample.offset;
      feed.sizes[i] = sample.size;
      feed.timestamps[i] = stamp(sample);
      feed.flags[i] = (sample.sync ? FEED_KEY : 0) | (picked.has(d) ? FEED_PICKED : 0);
    });
    return feed;
  });
}
