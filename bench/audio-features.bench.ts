// Audio feature extraction speed: the 193 librosa features of one 30-s clip (one core), against
// 30 s of real time (a ratio above 1 is faster than real time). The machine may be shared: the
// load average is printed beside the figures, and the process's CPU time per clip too, which a
// loaded machine inflates much less than wall time. A worker extracts a movie's clips one after
// another, so the figures are per clip once the JIT has compiled the extractor (median of five
// clips after four); the first clip of a fresh process, compiled as it runs, is printed apart.
// Then the wasm kernels against the TypeScript loops they replace, interleaved (same features).
import { loadavg } from 'node:os';
import { renderClip } from '../src/lib/demo/demo-project.ts';
import { SCENE_TYPES } from '../src/lib/demo/scenes.ts';
import { extractFeatures } from '../src/lib/features/extract.ts';
import { disableWasmKernels, wasmKernels } from '../src/lib/features/wasm.ts';
import { SECONDS_PER_SEQUENCE } from '../src/lib/shapes.ts';
import { printRows, type Benchmark } from './harness.ts';

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ');

/** Wall and CPU seconds of one extraction. */
function timed(clip: Float32Array): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  extractFeatures(clip);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const bench: Benchmark = {
  title: '193 audio features of a 30-s clip (one core) vs. 30 s of real time',
  async run() {
    console.log(`load average (1 / 5 / 15 min) before: ${load()}`);
    const scenes = SCENE_TYPES.slice(0, 2).map((scene) => ({
      key: scene.key,
      clip: new Float32Array(renderClip(scene, 1)),
    }));
    const first = timed(scenes[0].clip);
    console.log(
      `first clip of this process (JIT compiling as it runs): ${first.wall.toFixed(3)} s wall, ${first.cpu.toFixed(3)} s CPU`,
    );
    for (let i = 1; i < 4; i++) timed(scenes[i % 2].clip);
    const rows = [];
    for (const { key, clip } of scenes) {
      const runs = Array.from({ length: 5 }, () => timed(clip));
      const wall = median(runs.map((r) => r.wall));
      const cpu = median(runs.map((r) => r.cpu));
      rows.push({
        name: key,
        baselineMs: SECONDS_PER_SEQUENCE * 1000,
        ms: wall * 1000,
        extra: `${wall.toFixed(3)} s wall per clip; ${cpu.toFixed(3)} s CPU per clip (${(SECONDS_PER_SEQUENCE / cpu).toFixed(1)}× real time)`,
      });
    }
    printRows('real time', rows);
    if (wasmKernels()) {
      // the same clips on the TypeScript loops the wasm kernels replace (same features), CPU time
      // per clip interleaved with the kernels' (median of 3 pairs after one warm-up each)
      const pairs = [];
      for (const { key, clip } of scenes) {
        const ts: number[] = [];
        const wasm: number[] = [];
        for (let i = 0; i < 4; i++) {
          disableWasmKernels(true);
          const a = timed(clip).cpu;
          disableWasmKernels(false);
          const b = timed(clip).cpu;
          if (i > 0) {
            ts.push(a);
            wasm.push(b);
          }
        }
        pairs.push({
          name: `${key} (CPU)`,
          baselineMs: median(ts) * 1000,
          ms: median(wasm) * 1000,
          extra: 'wasm kernels vs the TypeScript loops',
        });
      }
      printRows('TypeScript', pairs);
    }
    console.log(`load average (1 / 5 / 15 min) after: ${load()}`);
  },
};
export default bench;
