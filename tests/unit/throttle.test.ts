// The throttle that keeps an ingest's progress from re-rendering the page at every decoded second.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../src/lib/util/throttle';

describe('throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('runs the first call at once, then at most once per interval, the last call of a burst always', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const seen: number[] = [];
    let value = 0;
    const show = throttle(() => seen.push(value), 500);
    value = 1;
    show();
    expect(seen).toEqual([1]);
    // A burst of 20 calls 50 ms apart (1 s): the latest value every 500 ms, not 20 renders.
    for (let i = 2; i <= 21; i++) {
      vi.advanceTimersByTime(50);
      value = i;
      show();
    }
    expect(seen.length).toBeLessThanOrEqual(3);
    vi.advanceTimersByTime(500);
    expect(seen.at(-1)).toBe(21);
    expect(seen.length).toBeLessThanOrEqual(4);
    // Quiet for longer than the interval: the next call runs at once again.
    vi.advanceTimersByTime(2000);
    const before = seen.length;
    value = 22;
    show();
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)).toBe(22);
  });
});
