// Demo-study generation speed: rendering one sequence's frames and audio, against real time.
import { SCENE_TYPES } from '../src/lib/demo/scenes.ts';
import { renderClip, renderSequence } from '../src/lib/demo/demo-project.ts';
import { SECONDS_PER_SEQUENCE } from '../src/lib/shapes.ts';
import { printRows, timeMedian, type Benchmark } from './harness.ts';

const bench: Benchmark = {
  title: 'synthetic demo sequence (30 frames + 30 s audio) vs. 30 s of real time',
  async run() {
    const rows = [];
    for (const scene of SCENE_TYPES) {
      const ms = await timeMedian(() => {
        renderSequence(scene, 3, 1);
        renderClip(scene, 1);
      });
      rows.push({ name: scene.key, baselineMs: SECONDS_PER_SEQUENCE * 1000, ms });
    }
    printRows('real time', rows);
  },
};
export default bench;
