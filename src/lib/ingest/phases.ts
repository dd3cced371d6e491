/**
 * Milliseconds spent per phase of a WebCodecs ingest, for the benchmark: both of the path's
 * workers keep one and the video decoder worker's phases are added to the other's at the end.
 */
export class Phases {
  readonly ms: Record<string, number> = {};

  add(name: string, since: number): void {
    this.ms[name] = (this.ms[name] ?? 0) + performance.now() - since;
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
