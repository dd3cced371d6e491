// What the WebCodecs path's scaler costs per 1080p picture (1920×1080 → 64×36, as every picked
// frame of a 1080p film): the WebAssembly scaler (`src/lib/ingest/scale.ts`) against the previous
// float64 JS scaler (`tests/scale-reference.ts`) on an NV12 noise picture, alternating picture by picture in one process so
// that the shared machine's load weighs on both alike; CPU time (process.cpuUsage) and wall time.
import { cpus, loadavg } from 'node:os';
import { FrameScaler } from '../src/lib/ingest/scale.ts';
import { noisePicture, ReferenceScaler } from '../tests/scale-reference.ts';
import type { Benchmark } from './harness.ts';

const W = 1920;
const H = 1080;
const ROUNDS = Number(process.env.SCALE_BENCH_ROUNDS ?? 40);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(fn: () => unknown): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall };
}

const bench: Benchmark = {
  title: 'scaler: ms per 1080p picture → 64×36, previous JS vs WebAssembly (alternating)',
  async run() {
    const target = { width: 64, height: 36, fit: 'stretch' as const };
    const scaler = new FrameScaler(W, H, target);
    const reference = new ReferenceScaler(W, H, target);
    // The new scaler reads the picture in place, where the worker's copyTo writes it.
    const inPlace = noisePicture(W, H, true, 7, (n) => scaler.pictureBuffer(n), true);
    const elsewhere = noisePicture(W, H, true, 7, undefined, true);
    const runs = {
      previous: () => reference.scale(elsewhere),
      'wasm, in place': () => scaler.scale(inPlace),
      'wasm, copied in': () => scaler.scale(elsewhere),
    };
    const times: Record<string, { cpu: number[]; wall: number[] }> = {};
    for (const name of Object.keys(runs)) times[name] = { cpu: [], wall: [] };
    const load0 = loadavg()[0];
    for (let r = 0; r < ROUNDS + 3; r++) {
      for (const [name, fn] of Object.entries(runs)) {
        const m = measure(fn);
        if (r < 3) continue; // warm-up: the JIT and wasm tier-up
        times[name].cpu.push(m.cpu);
        times[name].wall.push(m.wall);
      }
    }
    const base = median(times.previous.cpu);
    console.log(
      `${ROUNDS} pictures each, ${cpus().length} cores, load ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)}`,
    );
    for (const [name, t] of Object.entries(times)) {
      const cpu = median(t.cpu);
      console.log(
        `${name.padEnd(16)} CPU ${cpu.toFixed(1).padStart(6)} ms (median; min ${Math.min(...t.cpu).toFixed(1)})` +
          `  wall ${median(t.wall).toFixed(1).padStart(6)} ms  ×${(base / cpu).toFixed(1)}`,
      );
    }
  },
};

export default bench;
