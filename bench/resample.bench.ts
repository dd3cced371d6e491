// What the WebCodecs path's resampler costs: 60 s of 48-kHz mono noise to 22050 Hz through
// `MonoResampler` (its WebAssembly kernel, `src/lib/ingest/wat/resample.wat`), pushed in 1024-sample
// pieces as decoded audio arrives and taken a second at a time; CPU time (process.cpuUsage) and
// wall time per minute of audio, median of the rounds, the load average beside them.
import { loadavg } from 'node:os';
import { MonoResampler } from '../src/lib/ingest/resample.ts';
import type { Benchmark } from './harness.ts';

const IN_RATE = 48000;
const OUT_RATE = 22050;
const SECONDS = 60;
const ROUNDS = Number(process.env.RESAMPLE_BENCH_ROUNDS ?? 15);
const PIECE = 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Resamples `input` as the ingest does; returns how many samples came out. */
function resampleAll(input: Float32Array): number {
  const r = new MonoResampler(IN_RATE, OUT_RATE);
  const total = Math.ceil((input.length * OUT_RATE) / IN_RATE);
  let made = 0;
  const drain = () => {
    for (let part; made < total && (part = r.take(Math.min(OUT_RATE, total - made)));) {
      made += part.length;
    }
  };
  for (let at = 0; at < input.length; at += PIECE) {
    r.push(input.subarray(at, at + PIECE), at);
    drain();
  }
  r.end();
  drain();
  return made;
}

const bench: Benchmark = {
  title: 'resampler: ms per minute of 48-kHz audio → 22050 Hz (WebAssembly kernel)',
  async run() {
    const input = noise(IN_RATE * SECONDS, 7);
    resampleAll(input); // compiles the kernel and warms the JIT
    const cpu: number[] = [];
    const wall: number[] = [];
    const load0 = loadavg()[0];
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      resampleAll(input);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const ms = (xs: number[]) =>
      `${median(xs).toFixed(1)} ms (median; min ${Math.min(...xs).toFixed(1)})`;
    console.log(
      `${ROUNDS} rounds of ${SECONDS} s, load ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)}`,
    );
    console.log(`CPU  ${ms(cpu)}\nwall ${ms(wall)}`);
  },
};

export default bench;
