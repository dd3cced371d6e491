// Stands in for the Audio section's feature extraction (minutes per demo movie on SwiftShader's
// 2 shared cores): stores 193 features per stored clip of the demo movies that depend on the
// clip's scene type (a fixed random vector per scene, plus noise), so the gas regressor has
// something real to learn — the demo's gases respond to the scene one period earlier.
import { AUDIO_FEATURES } from '../../../src/lib/shapes';
import { DEMO_MOVIES } from '../../../src/lib/demo/demo-project';
import { listMovies } from '../../../src/lib/store/movies';
import { openStore } from '../../../src/lib/store/db';
import { seededRandom } from '../../../src/lib/util/random';
import type { AudioFeaturesRecord } from '../../../src/lib/store/schema';

export async function seedSceneFeatures(projectId: string, noise = 0.3): Promise<number> {
  const rand = seededRandom(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const sceneVectors = new Map<string, Float32Array>();
  const vectorOf = (scene: string) => {
    if (!sceneVectors.has(scene)) {
      sceneVectors.set(scene, Float32Array.from({ length: AUDIO_FEATURES }, gauss));
    }
    return sceneVectors.get(scene)!;
  };
  const db = await openStore();
  let rows = 0;
  for (const movie of await listMovies(projectId)) {
    const plan = DEMO_MOVIES.find((p) => p.name === movie.name);
    if (!plan || movie.sequencesDone === 0) continue;
    const n = Math.min(movie.sequencesDone, plan.scenes.length);
    const features = new Float32Array(n * AUDIO_FEATURES);
    for (let r = 0; r < n; r++) {
      const v = vectorOf(plan.scenes[r]);
      for (let j = 0; j < AUDIO_FEATURES; j++) {
        features[r * AUDIO_FEATURES + j] = v[j] + noise * gauss();
      }
    }
    const record: AudioFeaturesRecord = {
      movieId: movie.id,
      projectId,
      source: 'imported',
      rows: n,
      features: features.buffer,
    };
    await db.put('audioFeatures', record);
    rows += n;
  }
  return rows;
}
