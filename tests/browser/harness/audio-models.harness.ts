// Audio models kept by the Audio section, checked in the page: each model imported back from a
// downloaded file answers exactly what the model it came from answers, with the same
// standardisation statistics in its metadata.
import { listModels } from '../../../src/lib/store/runs';
import { listAudioFeatures } from '../../../src/lib/store/audio-features';
import { AUDIO_FEATURES } from '../../../src/lib/shapes';
import { predictStoredAudioModel } from '../../../src/lib/training/audio-models';

export interface RoundTrip {
  name: string;
  kind: string;
  normalisation: string;
  sameNormalisation: boolean;
  maxDifference: number;
  outputs: number;
}

/** Compares every model that exists twice under one name (kept, then imported from its file). */
export async function compareRoundTrips(projectId: string): Promise<RoundTrip[]> {
  const [features] = await listAudioFeatures(projectId);
  const rows = Math.min(8, features.rows);
  const x = new Float32Array(features.features, 0, rows * AUDIO_FEATURES).slice();
  const models = (await listModels(projectId)).filter((m) => m.kind.startsWith('audio-'));
  const out: RoundTrip[] = [];
  for (const m of models) {
    const copy = models.find((o) => o !== m && o.name === m.name && o.createdAt > m.createdAt);
    if (!copy) continue;
    const [a, b] = await Promise.all([
      predictStoredAudioModel(m.id, x),
      predictStoredAudioModel(copy.id, x),
    ]);
    out.push({
      name: m.name,
      kind: copy.kind,
      normalisation: (m.meta.normalisation as { kind: string }).kind,
      sameNormalisation:
        JSON.stringify(m.meta.normalisation) === JSON.stringify(copy.meta.normalisation),
      maxDifference: a.reduce((d, v, i) => Math.max(d, Math.abs(v - b[i])), 0),
      outputs: a.length / rows,
    });
  }
  return out;
}
