// A project's dataset leaves as NumPy arrays in one tar with a manifest: rows line up across
// arrays, missing values are NaN, the split is the paper's last 20 % of each movie.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { eraseStore, openStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import { appendSequence, putMovie } from '../../src/lib/store/movies';
import type { MovieRecord } from '../../src/lib/store/schema';
import { exportDataset } from '../../src/lib/interop/dataset-export';
import { readNpy, type NpyArray } from '../../src/lib/util/npy';

afterEach(async () => {
  await eraseStore();
});

/** Reads a ustar archive into name → bytes (the test's own reader, independent of the writer). */
async function untar(blob: Blob): Promise<Map<string, ArrayBuffer>> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const out = new Map<string, ArrayBuffer>();
  let at = 0;
  while (at + 512 <= bytes.length && bytes[at] !== 0) {
    const text = (a: number, b: number) =>
      new TextDecoder().decode(bytes.subarray(at + a, at + b)).replace(/\0.*$/s, '');
    const name = text(0, 100);
    const size = parseInt(text(124, 136).trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : bytes[at + i];
    expect(parseInt(text(148, 156).trim(), 8)).toBe(sum);
    expect(text(257, 263)).toBe('ustar');
    out.set(name, bytes.slice(at + 512, at + 512 + size).buffer);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function movie(
  projectId: string,
  id: string,
  createdAt: number,
  channelOrder: 'rgb' | 'bgr',
): MovieRecord {
  return {
    id,
    projectId,
    name: id,
    durationS: 150,
    frameRate: 24,
    source: { fileName: `${id}.mp4`, size: 1, hash: id },
    settings: { startS: 0, endS: null, width: 4, height: 2, fit: 'stretch', channelOrder },
    state: 'incomplete',
    sequencesDone: 0,
    sequencesTotal: 5,
    createdAt,
  };
}

describe('dataset export', () => {
  it('writes aligned .npy arrays and a manifest in one tar', async () => {
    const p = (await createProject('Fear study')).id;
    const db = await openStore();
    await putMovie(movie(p, 'alpha', 1, 'rgb'));
    await putMovie(movie(p, 'beta', 2, 'bgr'));
    const frameBytes = 30 * 2 * 4 * 3;
    for (let i = 0; i < 5; i++)
      await appendSequence('alpha', {
        index: i,
        frames: new Uint8Array(frameBytes).fill(10 + i).buffer,
        audio: null,
      });
    for (let i = 0; i < 3; i++)
      await appendSequence('beta', {
        index: i,
        frames: new Uint8Array(frameBytes).fill(50 + i).buffer,
        audio: null,
      });
    const feats = new Float32Array(5 * 193).map((_, i) => i);
    await db.put('audioFeatures', {
      movieId: 'alpha',
      projectId: p,
      source: 'computed',
      rows: 5,
      features: feats.buffer,
    });
    await db.put('labelSets', {
      id: 'la',
      projectId: p,
      movieId: 'alpha',
      fileName: 'a.csv',
      layout: 'sequence-rows',
      names: ['comedy', 'drama'],
      rows: 5,
      matrix: new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0, 1, 0]).buffer,
      createdAt: 1,
    });
    await db.put('labelSets', {
      id: 'lb',
      projectId: p,
      movieId: 'beta',
      fileName: 'b.csv',
      layout: 'label-rows',
      names: ['drama', 'action'],
      rows: 4,
      matrix: new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0]).buffer,
      createdAt: 2,
    });
    await db.put('screenings', {
      id: 's1',
      projectId: p,
      movieId: 'beta',
      fileName: '1_beta.arff',
      screeningIndex: 1,
      chemicals: ['co2', 'acetone'],
      missingChemicals: ['methanol', 'ethanol', 'isoprene', 'siloxane'],
      rows: 6,
      values: new Float32Array([400, 1, 410, NaN, 420, 3, 430, 4, 440, 5, 450, 6]).buffer,
      createdAt: 3,
    });

    const file = await exportDataset(p, { frames: true });
    expect(file.name).toBe('fear-study-dataset.tar');
    const files = await untar(file.blob);
    const get = (n: string): NpyArray => readNpy(files.get(`fear-study-dataset/${n}`)!, n);
    const manifest = JSON.parse(
      new TextDecoder().decode(files.get('fear-study-dataset/manifest.json')),
    );

    // beta has 3 decoded sequences but 4 labelled rows: 5 + 4 rows in all.
    expect(manifest.rows).toBe(9);
    expect(
      manifest.movies.map((m: { rows: number[]; channelOrder: string }) => [
        m.rows,
        m.channelOrder,
      ]),
    ).toEqual([
      [[0, 5], 'rgb'],
      [[5, 9], 'bgr'],
    ]);
    expect(manifest.labels).toEqual(['comedy', 'drama', 'action']);

    const frames = get('frames.npy');
    expect(frames.shape).toEqual([9, 30, 2, 4, 3]);
    expect([0, 4, 5, 7, 8].map((r) => frames.data[r * frameBytes])).toEqual([10, 14, 50, 52, 0]);

    const audio = get('audio.npy');
    expect(audio.shape).toEqual([9, 193]);
    expect(audio.data[4 * 193 + 192]).toBe(5 * 193 - 1);
    expect(Number.isNaN(audio.data[5 * 193])).toBe(true);

    const labels = get('labels.npy');
    expect(labels.shape).toEqual([9, 3]);
    expect(Array.from(labels.data.subarray(0, 3))).toEqual([1, 0, NaN]);
    expect(Array.from(labels.data.subarray(5 * 3, 6 * 3))).toEqual([NaN, 1, 0]);

    // Last 20 % of each movie validates: floor(0.8 × 5) = 4, floor(0.8 × 4) = 3.
    expect(Array.from(get('split.npy').data)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1]);

    // The screening has 6 rows, beta only 4: the rest is dropped.
    const gases = get('gases.npy');
    expect(gases.shape).toEqual([4, 6]);
    expect(Array.from(gases.data.subarray(0, 6))).toEqual([400, NaN, NaN, 1, NaN, NaN]);
    expect(Number.isNaN(gases.data[6 + 3])).toBe(true);
    expect(Array.from(get('gas_rows.npy').data)).toEqual([5, 0, 6, 0, 7, 0, 8, 0]);
    expect(Array.from(get('gas_split.npy').data)).toEqual([0, 0, 0, 1]);
  });

  it('says so when there is nothing to export', async () => {
    const p = (await createProject('Empty')).id;
    await expect(exportDataset(p)).rejects.toThrow(/no sequences, features or labels/);
  });
});
