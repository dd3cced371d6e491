// Writes a tfjs model as the notebook's own model files (<name>.json + <name>.weights.bin), through
// the notebook's exportModelFiles, for tests that import or read them elsewhere.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { exportModelFiles } from '../src/lib/interop/model-files';
import type { CheckpointRecord, ModelRecord } from '../src/lib/store/schema';

/** Returns the paths of the JSON file and of its weights file. */
export async function writeModelFiles(
  model: tf.LayersModel,
  kind: string,
  name: string,
  dir: string,
): Promise<{ json: string; weights: string }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const record = {
    id: name,
    projectId: 'p',
    kind,
    name,
    createdAt: 0,
    topology: artifacts!.modelTopology,
    meta: { kind },
  } as ModelRecord;
  const checkpoint = {
    modelId: name,
    epoch: 1,
    weightSpecs: artifacts!.weightSpecs,
    weights: artifacts!.weightData,
  } as unknown as CheckpointRecord;
  const paths: string[] = [];
  for (const f of exportModelFiles(record, checkpoint)) {
    const path = join(dir, f.name);
    writeFileSync(path, new Uint8Array(await f.blob.arrayBuffer()));
    paths.push(path);
  }
  return {
    json: paths.find((p) => p.endsWith('.json'))!,
    weights: paths.find((p) => p.endsWith('.weights.bin'))!,
  };
}
