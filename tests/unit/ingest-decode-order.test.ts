// What the WebCodecs path feeds its video decoder workers: runs from the keyframe before each
// picked sample, cut into segments that start at keyframes and span at least one sequence.
import { describe, expect, it } from 'vitest';
import { decodeRuns, segmentsOf, stamp } from '../../src/lib/ingest/decode-order';
import type { VideoIndex } from '../../src/lib/ingest/mp4-index';
import { FEED_KEY, FEED_PICKED } from '../../src/lib/ingest/protocol';

/** A movie at `fps` with a keyframe every `gop` samples, in presentation order. */
function movie(seconds: number, fps: number, gop: number): VideoIndex {
  return {
    codec: 'avc1.640028',
    width: 1920,
    height: 1080,
    audio: null,
    samples: Array.from({ length: seconds * fps }, (_, i) => ({
      offset: 1000 + i * 500,
      size: 500 - (i % 7),
      sync: i % gop === 0,
      ptsS: i / fps,
    })),
  } as unknown as VideoIndex;
}

describe('decodeRuns', () => {
  it('decodes from the keyframe before each picked sample and skips what no pick needs', () => {
    const index = movie(20, 10, 50);
    // Picks at 1.2 s, 1.3 s and 7.0 s: keyframes at 0 s and 5 s.
    const order = decodeRuns(index, new Set([12, 13, 70]));
    expect(order).toEqual([
      ...Array.from({ length: 14 }, (_, i) => i),
      ...Array.from({ length: 21 }, (_, i) => 50 + i),
    ]);
  });
});

describe('segmentsOf', () => {
  const index = movie(200, 24, 132);
  const picked = new Map(
    Array.from({ length: 200 }, (_, k) => [Math.min(k * 24 + 11, 200 * 24 - 1), k]),
  );
  const order = decodeRuns(index, new Set(picked.keys()));
  const segments = segmentsOf(index, order, picked);

  it('keeps the decode order whole, each sample once, with its bytes, time and flags', () => {
    const offsets = segments.flatMap((s) => [...s.offsets]);
    expect(offsets).toEqual(order.map((d) => index.samples[d].offset));
    const all = segments.flatMap((s) => [...s.flags.keys()].map((i) => [s, i] as const));
    all.forEach(([s, i], n) => {
      const sample = index.samples[order[n]];
      expect(s.sizes[i]).toBe(sample.size);
      expect(s.timestamps[i]).toBe(stamp(sample));
      expect(s.flags[i] & FEED_KEY).toBe(sample.sync ? FEED_KEY : 0);
      expect(s.flags[i] & FEED_PICKED).toBe(picked.has(order[n]) ? FEED_PICKED : 0);
    });
  });

  it('starts every segment at a keyframe and makes each but the last span at least 30 s', () => {
    expect(segments.length).toBeGreaterThan(4);
    for (const [n, s] of segments.entries()) {
      expect(s.flags[0] & FEED_KEY).toBe(FEED_KEY);
      const spanS = (s.timestamps[s.timestamps.length - 1] - s.timestamps[0]) / 1e6;
      if (n < segments.length - 1) {
        const nextStartS = segments[n + 1].timestamps[0] / 1e6;
        expect(nextStartS - s.timestamps[0] / 1e6).toBeGreaterThanOrEqual(30);
        // Cut at the first keyframe past 30 s: never a whole GOP (5.5 s) later.
        expect(spanS).toBeLessThan(30 + 5.5);
      }
    }
  });
});
