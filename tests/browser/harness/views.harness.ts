// Gives the views something trained to show: a tiny autoencoder (two Conv3D layers) really trained
// for a few epochs on a project's stored demo sequences, on the CPU backend, with a checkpoint per
// epoch and two runs (two learning rates) whose per-epoch losses are what training measured.
// The checkpointed run uses the gentler rate and a fixed sample order: at 0.02 some orders kill
// all four ReLU filters within six steps and the reconstruction becomes one flat colour.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/lib/compute/backend';
import { listMovies, getSequence } from '../../../src/lib/store/movies';
import { openStore } from '../../../src/lib/store/db';
import { newId } from '../../../src/lib/util/id';
import type { CheckpointRecord, ModelRecord, RunRecord } from '../../../src/lib/store/schema';
import { sequenceInput } from '../../../src/lib/views/activations';
import { FRAMES_PER_SEQUENCE, CHANNELS } from '../../../src/lib/shapes';

function tinyAutoencoder(height: number, width: number): tf.LayersModel {
  const model = tf.sequential({ name: 'tiny_autoencoder' });
  model.add(
    tf.layers.conv3d({
      inputShape: [FRAMES_PER_SEQUENCE, height, width, CHANNELS],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv3d_1',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  model.add(
    tf.layers.conv3d({
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'sigmoid',
      name: 'conv3d_out',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
    }),
  );
  return model;
}

async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

export async function seedTrainedAutoencoder(
  projectId: string,
  epochs = 3,
): Promise<{ modelId: string; losses: number[][] }> {
  await initBackend(['cpu']);
  const movies = await listMovies(projectId);
  const { width, height } = movies[0].settings;
  const inputs = await Promise.all(
    movies.map(async (m) =>
      sequenceInput(new Uint8Array((await getSequence(m.id, 0))!.frames), { width, height }),
    ),
  );
  const x = tf.concat(inputs.slice(0, 2));
  const val = inputs[2];
  const db = await openStore();
  const modelId = newId();
  const losses: number[][] = [];
  for (const [r, lr] of [0.005, 0.02].entries()) {
    const model = tinyAutoencoder(height, width);
    model.compile({ optimizer: tf.train.adam(lr), loss: 'meanSquaredError' });
    const run: RunRecord = {
      id: newId(),
      projectId,
      kind: 'autoencoder',
      modelId: r === 0 ? modelId : null,
      config: { learningRate: lr },
      epochs: [],
      state: 'done',
      createdAt: Date.now() + r,
    };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const h = await model.fit(x, x, {
        epochs: 1,
        batchSize: 1,
        shuffle: false,
        validationData: [val, val],
        verbose: 0,
      });
      const perFilm: Record<string, number> = {};
      for (const [i, m] of movies.entries()) {
        perFilm[m.name] = (model.evaluate(inputs[i], inputs[i]) as tf.Scalar).dataSync()[0];
      }
      run.epochs.push({
        epoch,
        loss: h.history.loss[0] as number,
        val_loss: h.history.val_loss[0] as number,
        valLossPerFilm: perFilm,
      });
      if (r === 0) {
        const a = await artifactsOf(model);
        if (epoch === 1) {
          const record: ModelRecord = {
            id: modelId,
            projectId,
            kind: 'autoencoder',
            name: 'tiny autoencoder',
            createdAt: Date.now(),
            topology: a.modelTopology,
            meta: {},
          };
          await db.put('models', record);
        }
        const checkpoint: CheckpointRecord = {
          modelId,
          epoch,
          projectId,
          weightSpecs: a.weightSpecs ?? [],
          weights: a.weightData as ArrayBuffer,
          optimizerSpecs: [],
          optimizer: new ArrayBuffer(0),
          createdAt: Date.now(),
        };
        await db.put('checkpoints', checkpoint);
      }
    }
    losses.push(run.epochs.map((e) => e.loss as number));
    await db.put('runs', run);
    model.dispose();
  }
  tf.dispose([x, ...inputs]);
  return { modelId, losses };
}
