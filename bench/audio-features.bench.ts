// Audio feature extraction speed: the 193 librosa features of one 30-s clip, per stage and in
// all, against 30 s of real time (a ratio above 1 is faster than real time).
import { renderClip } from '../src/lib/demo/demo-project.ts';
import { SCENE_TYPES } from '../src/lib/demo/scenes.ts';
import { extractFeatures } from '../src/lib/features/extract.ts';
import { SECONDS_PER_SEQUENCE } from '../src/lib/shapes.ts';
import { printRows, timeMedian, type Benchmark } from './harness.ts';

const bench: Benchmark = {
  title: '193 audio features of a 30-s clip (one core) vs. 30 s of real time',
  async run() {
    const rows = [];
    for (const scene of SCENE_TYPES.slice(0, 2)) {
      const clip = new Float32Array(renderClip(scene, 1));
      const ms = await timeMedian(() => extractFeatures(clip), 3, 1);
      rows.push({ name: scene.key, baselineMs: SECONDS_PER_SEQUENCE * 1000, ms });
    }
    printRows('real time', rows);
  },
};
export default bench;
