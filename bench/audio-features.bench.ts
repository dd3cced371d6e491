// Audio feature extraction speed: the 193 librosa features of one 30-s clip (one core), against
// 30 s of real time (a ratio above 1 is faster than real time). The machine may be shared: the
// load average is printed beside the figures, and the process's CPU time per clip too, which a
// loaded machine inflates much less than wall time.
import { loadavg } from 'node:os';
import { renderClip } from '../src/lib/demo/demo-project.ts';
import { SCENE_TYPES } from '../src/lib/demo/scenes.ts';
import { extractFeatures } from '../src/lib/features/extract.ts';
import { SECONDS_PER_SEQUENCE } from '../src/lib/shapes.ts';
import { printRows, timeMedian, type Benchmark } from './harness.ts';

const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ');

const bench: Benchmark = {
  title: '193 audio features of a 30-s clip (one core) vs. 30 s of real time',
  async run() {
    console.log(`load average (1 / 5 / 15 min) before: ${load()}`);
    const rows = [];
    for (const scene of SCENE_TYPES.slice(0, 2)) {
      const clip = new Float32Array(renderClip(scene, 1));
      const repeats = 3;
      const cpu0 = process.cpuUsage();
      const ms = await timeMedian(() => extractFeatures(clip), repeats, 1);
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6 / (repeats + 1);
      rows.push({
        name: scene.key,
        baselineMs: SECONDS_PER_SEQUENCE * 1000,
        ms,
        extra: `${(ms / 1000).toFixed(3)} s wall per clip; ${cpuS.toFixed(3)} s CPU per clip (${(SECONDS_PER_SEQUENCE / cpuS).toFixed(1)}× real time)`,
      });
    }
    printRows('real time', rows);
    console.log(`load average (1 / 5 / 15 min) after: ${load()}`);
  },
};
export default bench;
