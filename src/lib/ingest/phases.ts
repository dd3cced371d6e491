/**
 * Milliseconds spent per phase of a WebCodecs ingest, for the benchmark: both of the path's
 * workers keep one and the video decoder worker's phases are added to the other's at the end.
 */
export class Phases {
  readonly ms: Record<string, number> = {};

  add(name: string, since: number): void {
    this.ms[name] = (this.ms[name] ?? 0) + performance.now() - since;
  }

  /** Adds another worker's phases to these. */
  merge(ms: Record<string, number>): void {
    for (const [name, value] of Object.entries(ms)) this.ms[name] = (this.ms[name] ?? 0) + value;
  }

  async time<T>(name: string, work: Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      this.add(name, t0);
    }
  }
}
