// The training session as the worker runs it, in-process on the CPU backend with a fake
// IndexedDB and a tiny project (two movies of 3 sequences, 30 frames of 8 × 4):
// - the frozen encoder runs once per (autoencoder checkpoint, sequence) across head epochs, a
//   stop, a resume and a second head, and again for another checkpoint;
// - a GPU fault in the middle of an epoch pauses the run only once its loop has exited (nothing of
//   the run comes after the pause, every tensor is released), the last checkpoint is the epoch
//   before, and Resume continues the curve exactly as an uninterrupted run.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { eraseStore, openStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import { appendSequence, putMovie } from '../../src/lib/store/movies';
import { latestCheckpointEpoch } from '../../src/lib/store/checkpoints';
import { getRun, encodingCacheKey } from '../../src/lib/store/runs';
import { TrainingSession } from '../../src/lib/training/session';
import {
  DEFAULT_TRAINING_CONFIG,
  type EncoderRef,
  type StartRequest,
  type TrainingConfig,
  type TrainingEvent,
} from '../../src/lib/training/protocol';
import type { LabelDataset } from '../../src/lib/study/dataset';
import { CHANNELS, FRAMES_PER_SEQUENCE } from '../../src/lib/shapes';
import { seededRandom } from '../../src/lib/util/random';
import { completeMovie } from './movie-records';

/** Sequences the frozen encoder has encoded, counted at the encoder itself. */
const encoded = vi.hoisted(() => ({ sequences: 0 }));
vi.mock('../../src/lib/models/forward', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/lib/models/forward')>();
  return {
    ...mod,
    encode: (...args: Parameters<typeof mod.encode>) => {
      encoded.sequences += args[2].shape[0];
      return mod.encode(...args);
    },
  };
});

const [WIDTH, HEIGHT] = [8, 4];
const SEQUENCES = 3;
const MOVIES = ['m0', 'm1'];
let projectId = '';
let aeModelId = '';

function session(onEvent: (e: TrainingEvent, s: TrainingSession) => void = () => {}) {
  const events: TrainingEvent[] = [];
  const s: TrainingSession = new TrainingSession((e) => {
    events.push(e);
    onEvent(e, s);
  });
  const last = () => events.filter((e) => e.type === 'state').at(-1);
  const runId = () => events.find((e) => e.type === 'run')?.run.id ?? '';
  return { s, events, last, runId };
}

const headConfig: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  epochs: 3,
  batchSize: 2,
  units: 4,
  bnMomentum: 0.5,
  backends: ['cpu'],
};

/** Two labels on all six sequences; each movie's last sequence validates. */
function dataset(): LabelDataset {
  const next = seededRandom(9);
  const rows = MOVIES.flatMap((movieId) =>
    [...Array(SEQUENCES).keys()].map((index) => ({ movieId, index })),
  );
  return {
    names: ['a', 'b'],
    rows,
    y: Float32Array.from({ length: rows.length * 2 }, () => (next() < 0.5 ? 1 : 0)),
    split: { train: [0, 1, 3, 4], validation: [2, 5] },
  };
}

const headRequest = (encoder: EncoderRef, name = 'head', seed = 1): StartRequest => ({
  type: 'start',
  kind: 'scenes',
  projectId,
  name,
  config: { ...headConfig, seed },
  encoder,
  dataset: dataset(),
});

async function encodingCount(encoder: EncoderRef): Promise<number> {
  const db = await openStore();
  let n = 0;
  for (const movieId of MOVIES) {
    const key = encodingCacheKey(encoder, movieId);
    n += await db.count('encodings', IDBKeyRange.bound([key, 0], [key, Infinity]));
  }
  return n;
}

const curveOf = async (runId: string) =>
  ((await getRun(runId))?.epochs ?? []).map((e) => [e.loss, e.valLoss]);

beforeAll(async () => {
  projectId = (await createProject('faults')).id;
  const next = seededRandom(4);
  for (const [m, id] of MOVIES.entries()) {
    const movie = completeMovie(id, projectId, `Movie ${m}`, SEQUENCES, m);
    const settings = { ...movie.settings, width: WIDTH, height: HEIGHT };
    await putMovie({ ...movie, settings, state: 'incomplete', sequencesDone: 0 });
    for (let index = 0; index < SEQUENCES; index++) {
      const frames = Uint8Array.from(
        { length: FRAMES_PER_SEQUENCE * HEIGHT * WIDTH * CHANNELS },
        () => Math.floor(256 * next()),
      );
      await appendSequence(id, { index, frames: frames.buffer, audio: null });
    }
    await putMovie({ ...movie, settings });
  }
  // An autoencoder with two checkpoints: two encoders.
  const ae = session();
  await ae.s.start({
    type: 'start',
    kind: 'autoencoder',
    projectId,
    name: 'ae',
    config: {
      ...DEFAULT_TRAINING_CONFIG,
      epochs: 2,
      batchSize: 2,
      validationFraction: 0.34,
      backends: ['cpu'],
    },
  });
  expect(ae.last()).toMatchObject({ state: 'done' });
  aeModelId = (await getRun(ae.runId()))!.modelId!;
}, 120_000);

afterAll(async () => {
  await eraseStore();
});

describe('encodings for the heads', () => {
  it('are computed once per (autoencoder checkpoint, sequence), across epochs, stop, resume and heads', async () => {
    const first: EncoderRef = { modelId: aeModelId, epoch: 1 };
    encoded.sequences = 0;
    // Stopped after its first epoch (of 3).
    const stopped = session((e, s) => {
      if (e.type === 'epoch' && e.result.epoch === 1) s.stop();
    });
    await stopped.s.start(headRequest(first));
    expect(stopped.last()).toMatchObject({ state: 'stopped' });
    expect((await getRun(stopped.runId()))!.epochs).toHaveLength(1);
    expect(encoded.sequences).toBe(6);
    expect(await encodingCount(first)).toBe(6);

    const resumed = session();
    await resumed.s.resume(stopped.runId());
    expect(resumed.last()).toMatchObject({ state: 'done' });
    expect((await getRun(stopped.runId()))!.epochs).toHaveLength(3);
    expect(encoded.sequences).toBe(6);

    const other = session();
    await other.s.start(headRequest(first, 'second head', 2));
    expect(other.last()).toMatchObject({ state: 'done' });
    expect(encoded.sequences).toBe(6);

    // Another checkpoint of the autoencoder is another encoder: encoded again, once.
    const second: EncoderRef = { modelId: aeModelId, epoch: 2 };
    const again = session();
    await again.s.start(headRequest(second, 'third head'));
    expect(again.last()).toMatchObject({ state: 'done' });
    expect(encoded.sequences).toBe(12);
    expect(await encodingCount(second)).toBe(6);
    const db = await openStore();
    const value = async (e: EncoderRef) =>
      new Float32Array((await db.get('encodings', [encodingCacheKey(e, 'm0'), 0]))!.values);
    const [a, b] = [await value(first), await value(second)];
    expect(a.length).toBe(b.length);
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  }, 120_000);
});

describe('a GPU fault in the middle of an epoch', () => {
  it('pauses after the loop has exited, keeps the last checkpoint, and Resume continues the curve', async () => {
    const encoder: EncoderRef = { modelId: aeModelId, epoch: 1 };
    const reference = session();
    await reference.s.start(headRequest(encoder, 'reference', 5));
    expect(reference.last()).toMatchObject({ state: 'done' });

    const tensors = tf.memory().numTensors;
    let lose: (info: GPUDeviceLostInfo) => void = () => {};
    const lost = new Promise<GPUDeviceLostInfo>((resolve) => (lose = resolve));
    // The device is lost while the loop waits for a read-back (epoch 2's last batch loss), as a
    // GPU's fault arrives while its work is in flight; the read-back then answers late.
    let armed = false;
    const data = tf.Tensor.prototype.data;
    vi.spyOn(tf.Tensor.prototype, 'data').mockImplementation(async function (this: tf.Tensor) {
      const values = await data.call(this);
      if (armed) {
        armed = false;
        lose({ reason: 'unknown', message: 'simulated' } as GPUDeviceLostInfo);
        await new Promise((r) => setTimeout(r, 50));
      }
      return values;
    });
    const faulty = session((e) => {
      if (e.type === 'progress' && e.epoch === 1 && e.batch === 1) armed = true;
    });
    faulty.s.watch({ lost, addEventListener: () => {} } as unknown as GPUDevice);
    try {
      await faulty.s.start(headRequest(encoder, 'faulted', 5));
    } finally {
      vi.restoreAllMocks();
    }
    const after = faulty.events.length;
    const tensorsAtEnd = tf.memory().numTensors;
    await new Promise((r) => setTimeout(r, 200));

    expect(faulty.events.at(-1)).toMatchObject({
      type: 'state',
      state: 'paused',
      message: expect.stringMatching(/GPU device lost \(unknown\): simulated.*Training paused/),
    });
    // Nothing of the run after its pause, then or later; model, optimizer and batches released.
    expect(faulty.events.length).toBe(after);
    expect(tensorsAtEnd).toBe(tensors);
    const run = (await getRun(faulty.runId()))!;
    expect(run.state).toBe('paused');
    expect(run.epochs).toHaveLength(1);
    expect(await latestCheckpointEpoch(run.modelId!)).toBe(1);

    const resumed = session();
    await resumed.s.resume(run.id);
    expect(resumed.last()).toMatchObject({ state: 'done' });
    const want = await curveOf(reference.runId());
    expect(want).toHaveLength(3);
    expect(await curveOf(run.id)).toEqual(want);
  }, 120_000);
});
