// The video experiments of "beyond the paper" on two tiny movies (30 frames of 8 × 16, the demo's
// scene looks, with scene labels and a gas screening each), trained in-process on the CPU backend
// through the training session as the worker runs it: switch unpooling and augmentation each save
// a linked run pair whose table is what the arms measured — reconstruction, and the scene / gas
// heads trained on each arm's own kept encoder — the switch autoencoder learns, augmentation
// changes training and not the split, an experiment that fails after keeping an encoder leaves
// nothing behind, the switch autoencoder's weights encode the same in the paper's autoencoder;
// the autoencoders build for 128×72.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseStore, openStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import { appendSequence, putMovie } from '../../src/lib/store/movies';
import { encodingCacheKey, getModel, listRuns } from '../../src/lib/store/runs';
import { getCheckpoint } from '../../src/lib/store/checkpoints';
import { captureWeights, restoreWeights } from '../../src/lib/models/weights';
import type { EpochResult } from '../../src/lib/training/loop';
import type { EncoderRef, HeadArmRequest } from '../../src/lib/training/protocol';
import { importLabelCsv, importScreening } from '../../src/lib/study/studyStore';
import { saveStudySettings } from '../../src/lib/study/settings';
import { labelsToCsv } from '../../src/lib/study/labelsCsv';
import { syntheticArff } from '../../src/lib/study/syntheticArff';
import { LABEL_VOCABULARY } from '../../src/lib/study/vocabulary';
import * as tf from '@tensorflow/tfjs';
import { loadStoredModel } from '../../src/lib/models/stored-model';
import { TrainingSession } from '../../src/lib/training/session';
import { pairLinkOf } from '../../src/lib/experiments/run-pair';
import {
  DEFAULT_VIDEO_SETTINGS,
  VideoExperimentRunner,
  headBnMomentum,
  type TrainVideoArm,
  type VideoSettings,
} from '../../src/lib/experiments/video-runner';
import {
  buildAutoencoder,
  encodedShape,
  encoderDepth,
  type SequenceShape,
} from '../../src/lib/models/autoencoder';
import { runEpochs } from '../../src/lib/training/loop';
import { makeOptimizer } from '../../src/lib/training/optimizer';
import { binaryCrossentropy } from '../../src/lib/training/losses';
import { buildSwitchAutoencoder } from '../../src/lib/models/switch-autoencoder';
import { activationBytes, countParams, encode } from '../../src/lib/models/forward';
import { BatchNormalization } from '../../src/lib/models/layers';
import { CHANNELS, FRAMES_PER_SEQUENCE, RESOLUTIONS } from '../../src/lib/shapes';
import { sequenceLoader, syntheticStudy } from './models-fixtures';
import { seededRandom } from '../../src/lib/util/random';

const inProcess: TrainVideoArm = (req, onEvent) =>
  req.type === 'arm'
    ? new TrainingSession(onEvent).trainArm(req)
    : new TrainingSession(onEvent).trainHeadArm(req);

/** Runs jobs in-process and records each head job with the epochs it reported. */
function recording() {
  const heads: { req: HeadArmRequest; epochs: EpochResult[] }[] = [];
  const train: TrainVideoArm = (req, onEvent) => {
    const job = req.type === 'head-arm' ? { req, epochs: [] as EpochResult[] } : null;
    if (job) heads.push(job);
    return inProcess(req, (e) => {
      if (job && e.type === 'epoch') job.epochs.push(e.result);
      onEvent(e);
    });
  };
  return { heads, train };
}

const SETTINGS: VideoSettings = {
  ...DEFAULT_VIDEO_SETTINGS,
  epochs: 1,
  batchSize: 2,
  batchNorm: false,
  optimizer: { name: 'adam', learningRate: 0.01 },
  backends: ['cpu'],
  headEpochs: 2,
  headUnits: 8,
};

let projectId = '';

beforeAll(async () => {
  Math.random = seededRandom(3);
  projectId = (await createProject('tiny')).id;
  const study = syntheticStudy(2, 1, [FRAMES_PER_SEQUENCE, 8, 16, CHANNELS]);
  for (const [m, name] of ['A', 'B'].entries()) {
    const id = `movie-${name}`;
    await putMovie({
      id,
      projectId,
      name,
      durationS: 120,
      frameRate: 1,
      source: { fileName: `${name}.mp4`, size: 1, hash: name },
      settings: {
        startS: 0,
        endS: null,
        width: 16,
        height: 8,
        fit: 'stretch',
        channelOrder: 'rgb',
      },
      state: 'complete',
      sequencesDone: 0,
      sequencesTotal: 4,
      createdAt: m,
    });
    for (let i = 0; i < 4; i++) {
      const frames = study.frames[m * 4 + i];
      await appendSequence(id, { index: i, frames: frames.slice().buffer, audio: null });
    }
    // Two labels: one on alternate sequences, one everywhere.
    const labels = new Uint8Array(4 * 42);
    for (let r = 0; r < 4; r++) labels[r * 42 + (r % 2 ? 0 : 17)] = 1;
    const csv = labelsToCsv(labels, LABEL_VOCABULARY, 'label-rows', false);
    await importLabelCsv(projectId, `${name}.csv`, csv, { movieId: id });
    await importScreening(projectId, `1_${name}.arff`, syntheticArff({ rows: 4, seed: m + 1 }), {
      movieId: id,
    });
  }
  await saveStudySettings(projectId, { minLabelCount: 1 });
});

/** A sequence's cached encoding by the kept encoder `ref`. */
async function cachedEncoding(ref: EncoderRef, movieId: string, index: number) {
  const rec = await (await openStore()).get('encodings', [encodingCacheKey(ref, movieId), index]);
  return rec ? new Float32Array(rec.values) : null;
}
afterAll(async () => {
  await eraseStore();
});

describe('video experiments', () => {
  it('switch unpooling: a linked pair whose table is what the arms measured', async () => {
    const progress: number[] = [];
    const { heads, train } = recording();
    const runner = new VideoExperimentRunner(train, (p) => progress.push(p.fraction));
    const c = await runner.run('switch-unpooling', projectId, SETTINGS);
    expect(progress.at(-1)).toBeCloseTo(1, 6);
    expect(c.split).toContain('6 train / 2 validation');
    expect(c.rows.map((r) => r.metric)).toEqual([
      'validation reconstruction loss',
      'scene weighted F1 (frozen encoder)',
      'gas MAE (frozen encoder)',
    ]);
    const runs = await listRuns(projectId);
    const base = runs.find((r) => r.id === c.baseline.runId)!;
    const variant = runs.find((r) => r.id === c.variant.runId)!;
    expect(pairLinkOf(variant)).toMatchObject({ role: 'variant', partnerRunId: base.id });
    expect(base.config).toMatchObject({ decoder: 'upsampling', backend: 'cpu' });
    expect(variant.config).toMatchObject({ decoder: 'switch' });

    // Each arm kept its own autoencoder, named as its run.
    expect(base.modelId).toBeTruthy();
    expect(variant.modelId).toBeTruthy();
    expect(variant.modelId).not.toBe(base.modelId);
    const kept = await getModel(variant.modelId!);
    expect(kept).toMatchObject({ kind: 'autoencoder', name: variant.config.name });
    expect(kept!.meta).toMatchObject({ decoder: 'switch' });

    // Both heads trained on each arm's encoder, in turn, and the table holds what they measured.
    expect(heads.map((h) => [h.req.kind, h.req.encoder.modelId])).toEqual([
      ['scenes', base.modelId],
      ['gases', base.modelId],
      ['scenes', variant.modelId],
      ['gases', variant.modelId],
    ]);
    const final = (i: number, key: string) => heads[i].epochs.at(-1)!.metrics[key];
    expect(c.rows[1]).toMatchObject({ baseline: final(0, 'f1'), variant: final(2, 'f1') });
    expect(c.rows[2]).toMatchObject({ baseline: final(1, 'mae'), variant: final(3, 'mae') });
    // The rows behind each figure: the autoencoder's and each head's validation sequences.
    expect(c.rows.map((r) => r.baselineRows)).toEqual([
      (base.epochs[0].metrics as Record<string, number>).validationSequences,
      heads[0].req.dataset.split.validation.length,
      heads[1].req.dataset.split.validation.length,
    ]);
    expect(c.rows.every((r) => r.verdict === 'no clear difference' && r.interval === null)).toBe(
      true,
    );
    expect(heads.every((h) => h.epochs.length === 2)).toBe(true);
    expect(variant.config.downstream).toMatchObject({ gases: { mae: final(3, 'mae') } });

    // The heads' inputs are each arm's own encodings: they differ between the arms, and the switch
    // arm's are what its own (switch) encoder computes from its kept weights.
    const enc = { base: heads[0].req.encoder, variant: heads[2].req.encoder };
    const [e0, e1] = [
      await cachedEncoding(enc.base, 'movie-A', 0),
      await cachedEncoding(enc.variant, 'movie-A', 0),
    ];
    expect(e0).toHaveLength(7 * 2 * 4 * 64);
    expect(e1).toHaveLength(e0!.length);
    expect(Array.from(e1!)).not.toEqual(Array.from(e0!));
    const cp = (await getCheckpoint(enc.variant.modelId, enc.variant.epoch))!;
    const own = buildSwitchAutoencoder({ resolution: { width: 16, height: 8 } });
    restoreWeights(own.autoencoder, { specs: cp.weightSpecs as never, data: cp.weights });
    const seq = syntheticStudy(2, 1, [FRAMES_PER_SEQUENCE, 8, 16, CHANNELS]).frames[0];
    const x = tf.tidy(() =>
      tf.tensor(
        Float32Array.from(seq, (v) => v / 255),
        [1, FRAMES_PER_SEQUENCE, 8, 16, 3],
      ),
    );
    const expected = (own.encoder.predict(x) as tf.Tensor).dataSync();
    let worst = 0;
    expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - e1![i]))));
    expect(worst).toBeLessThan(1e-5);
    // The views rebuild the kept switch autoencoder from its record (e.g. for reconstructions).
    const stored = await loadStoredModel(enc.variant.modelId, enc.variant.epoch);
    const [a, b] = [stored.model, own.autoencoder].map((m) => m.predict(x) as tf.Tensor);
    expect(a.shape).toEqual([1, FRAMES_PER_SEQUENCE, 8, 16, 3]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    stored.model.dispose();
    own.autoencoder.dispose();

    const [row] = c.rows;
    expect(row.metric).toBe('validation reconstruction loss');
    expect(row.baseline).toBe(base.epochs.at(-1)!.valLoss);
    expect(row.variant).toBe(variant.epochs.at(-1)!.valLoss);
    expect(row.difference).toBeCloseTo(row.variant - row.baseline, 12);
    expect(variant.epochs.map((e) => e.epoch)).toEqual([1]);
    // Unpooling adds no weights: same parameter count as the paper's decoder.
    expect(variant.epochs[0].metrics).toMatchObject({
      parameters: (base.epochs[0].metrics as { parameters: number }).parameters,
    });
  }, 120_000);

  it('augmentation: same split and start, different training batches', async () => {
    const runner = new VideoExperimentRunner(inProcess);
    const c = await runner.run('augmentation', projectId, { ...SETTINGS, headEpochs: 1 });
    const runs = await listRuns(projectId);
    const base = runs.find((r) => r.id === c.baseline.runId)!;
    const variant = runs.find((r) => r.id === c.variant.runId)!;
    expect(base.config.augment).toBeUndefined();
    expect(variant.config.augment).toMatchObject({ flip: true });
    expect(c.rows.map((r) => r.metric)).toEqual([
      'validation reconstruction loss',
      'scene weighted F1 (frozen encoder)',
      'gas MAE (frozen encoder)',
    ]);
    expect(base.modelId && variant.modelId && base.modelId !== variant.modelId).toBe(true);
    const facts = ({ metrics }: (typeof base.epochs)[number]) => {
      const { trainSequences, validationSequences, parameters } = metrics as Record<string, number>;
      return [trainSequences, validationSequences, parameters];
    };
    expect(facts(variant.epochs[0])).toEqual(facts(base.epochs[0]));
    expect(variant.epochs[0].loss).not.toBe(base.epochs[0].loss);
  }, 120_000);

  it('heads use Keras’s BN momentum only on long runs', () => {
    expect([4, 20, 100, 1000, 5000].map(headBnMomentum)).toEqual([0.5, 0.5, 0.9, 0.99, 0.99]);
  });

  it('a pair that fails after keeping its encoders leaves no model, checkpoint or encoding', async () => {
    const db = await openStore();
    const count = async () =>
      Promise.all(
        (['models', 'checkpoints', 'checkpointChunks', 'encodings'] as const).map((s) =>
          db.count(s),
        ),
      );
    const before = await count();
    const { train } = recording();
    let heads = 0;
    const failing: TrainVideoArm = (req, onEvent) =>
      req.type === 'head-arm' && ++heads === 3
        ? Promise.resolve(onEvent({ type: 'error', message: 'out of luck' }))
        : train(req, onEvent);
    const runner = new VideoExperimentRunner(failing);
    await expect(
      runner.run('augmentation', projectId, { ...SETTINGS, headEpochs: 1 }),
    ).rejects.toThrow('out of luck');
    expect(heads).toBe(3);
    expect(await count()).toEqual(before);
  }, 120_000);
});

describe('switch autoencoder', () => {
  it('learns: validation loss falls well below epoch 1 (Adam, no batch norm)', async () => {
    const shape: SequenceShape = [6, 8, 16, 3];
    const study = syntheticStudy(4, 1, shape);
    const { autoencoder } = buildSwitchAutoencoder({
      resolution: { width: 16, height: 8 },
      frames: 6,
      seed: 1,
    });
    const optimizer = makeOptimizer({ name: 'adam', learningRate: 3e-3 });
    const valLoss: number[] = [];
    await runEpochs({
      model: autoencoder,
      optimizer,
      loss: binaryCrossentropy,
      load: sequenceLoader(study),
      train: study.train,
      validation: study.validation,
      batchSize: 2,
      shuffle: false,
      seed: 1,
      fromEpoch: 0,
      toEpoch: 6,
      onEpoch: async (e) => void valLoss.push(e.valLoss!),
    });
    // BCE cannot go below the pixels' own binary entropy: compare the excess over it.
    const { x } = await sequenceLoader(study)(study.validation);
    const floor = binaryCrossentropy(x, x).dataSync()[0];
    console.log('switch autoencoder validation BCE', valLoss, 'floor', floor);
    expect(valLoss.at(-1)! - floor).toBeLessThan((valLoss[0] - floor) * 0.8);
    autoencoder.dispose();
    optimizer.dispose();
  }, 300_000);
});

describe('switch autoencoder weights', () => {
  it.each([false, true])(
    'load into the paper’s autoencoder, whose encoder then encodes the same (batch norm %s)',
    async (batchNorm) => {
      const shape: SequenceShape = [6, 8, 16, 3];
      const own = buildSwitchAutoencoder({
        resolution: { width: 16, height: 8 },
        frames: 6,
        ...(batchNorm ? { normalize: (name) => new BatchNormalization({ name }) } : {}),
      });
      // Every weight random (variances positive), so a swapped pair would show.
      const rand = seededRandom(5);
      for (const w of own.autoencoder.weights) {
        const size = w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
        const values = Float32Array.from({ length: size }, () => 0.2 + rand());
        w.write(tf.tensor(values, w.shape as number[]));
      }
      const paper = buildAutoencoder({ batchNorm, inputShape: shape });
      restoreWeights(paper, await captureWeights(own.autoencoder));
      const x = tf.tensor(Float32Array.from({ length: 6 * 8 * 16 * 3 }, rand), [1, ...shape]);
      const a = (own.encoder.predict(x) as tf.Tensor).reshape([1, -1]);
      const b = encode(paper, encoderDepth(batchNorm), x);
      expect(a.shape).toEqual(b.shape);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(
        1e-5 * tf.max(a).dataSync()[0],
      );
      tf.dispose([x, a, b]);
      own.autoencoder.dispose();
      paper.dispose();
    },
  );
});

describe('128×72 autoencoders', () => {
  it('build with the same parameters and four times the activations of 64×36', () => {
    const shape = (r: { width: number; height: number }) =>
      [FRAMES_PER_SEQUENCE, r.height, r.width, CHANNELS] as [number, number, number, number];
    const [small, large] = [RESOLUTIONS['64x36'], RESOLUTIONS['128x72']];
    expect(encodedShape(shape(large))).toEqual([7, 18, 32, 64]);
    const a = buildAutoencoder({ batchNorm: true, inputShape: shape(small) });
    const b = buildAutoencoder({ batchNorm: true, inputShape: shape(large) });
    const s = buildSwitchAutoencoder({ resolution: large }).autoencoder;
    expect(b.outputShape).toEqual([null, ...shape(large)]);
    expect(s.outputShape).toEqual([null, ...shape(large)]);
    expect(countParams(b).total).toBe(countParams(a).total);
    expect(countParams(b).total).toBe(227_331);
    expect(activationBytes(b) / activationBytes(a)).toBeCloseTo(4, 1);
    [a, b, s].forEach((m) => m.dispose());
  });
});
