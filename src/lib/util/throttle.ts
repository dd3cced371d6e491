/**
 * Calls that may come far more often than a page should re-render (an ingest's progress: one per
 * decoded second of movie, ten or more a second) run at most once per interval, the last call of a
 * burst always, at the end of its interval. Each progress update re-rendered the movie's row: at
 * one per decoded second that was ~10 % of a fast ingest's CPU in Chromium.
 */
export function throttle(fn: () => void, intervalMs: number): () => void {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = performance.now();
    fn();
  };
  return () => {
    if (timer !== null) return;
    const wait = last + intervalMs - performance.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
}
