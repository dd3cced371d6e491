// What a benchmark is, and small helpers to time code and print comparable rows.
export interface Benchmark {
  title: string;
  run(): Promise<void>;
}

/** Median wall time in ms of `repeats` runs after `warmup` untimed runs. */
export async function timeMedian(fn: () => unknown, repeats = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export interface Row {
  name: string;
  baselineMs: number | null;
  ms: number;
  extra?: string;
}

/** Prints rows with the ratio baseline / new (> 1 means faster than the baseline). */
export function printRows(baselineName: string, rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.name.length), 8);
  console.log(`${'case'.padEnd(w)}  ${baselineName.padStart(12)}  ${'new'.padStart(10)}  speed-up`);
  for (const r of rows) {
    const base = r.baselineMs == null ? '—' : `${r.baselineMs.toFixed(1)} ms`;
    const ratio = r.baselineMs == null ? '—' : `${(r.baselineMs / r.ms).toFixed(2)}×`;
    console.log(
      `${r.name.padEnd(w)}  ${base.padStart(12)}  ${`${r.ms.toFixed(1)} ms`.padStart(10)}  ${ratio}${r.extra ? `  ${r.extra}` : ''}`,
    );
  }
}
