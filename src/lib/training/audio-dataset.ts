/**
 * The audio scene dataset of a project: each movie's stored audio features aligned with its label
 * set (feature rows beyond the label count dropped from the end, as in the paper's data), labels
 * used fewer than DEFAULT_MIN_LABEL_COUNT times dropped, last 20 % of each movie validating.
 * Feature rows are checked finite before they reach a network.
 *
 * The audio gas dataset pairs each screening's normalised, filled gas rows with the audio features
 * of the same sequences, with the project's study settings (normalisation, missing values, lag,
 * split) — the same rows the video gas head trains on, restricted to sequences with features.
 */
import { AUDIO_FEATURES } from '../shapes';
import { openStore } from '../store/db';
import { listMovies } from '../store/movies';
import { CHEMICALS } from '../study/chemicals';
import { describeSplit } from '../study/splits';
import { buildGasDataset, gatherAudioFeatures, type BuildOptions } from '../study/studyStore';
import { DEFAULT_MIN_LABEL_COUNT } from '../study/vocabulary';
import { AudioDataError, checkAudioData, type AudioTrainData } from './audio-trainer';

export interface AudioSceneData extends AudioTrainData {
  names: string[];
  movies: { name: string; rows: number }[];
}

export async function loadAudioSceneData(
  projectId: string,
  validationFraction = 0.2,
  minCount = DEFAULT_MIN_LABEL_COUNT,
): Promise<AudioSceneData> {
  const db = await openStore();
  const labelSets = await db.getAllFromIndex('labelSets', 'byProject', projectId);
  const parts: { name: string; x: Float32Array; y: Uint8Array; names: string[]; rows: number }[] =
    [];
  for (const movie of await listMovies(projectId)) {
    const feats = await db.get('audioFeatures', movie.id);
    const labels = labelSets.find((l) => l.movieId === movie.id);
    if (!feats || !labels) continue;
    const rows = Math.min(feats.rows, labels.rows);
    parts.push({
      name: movie.name,
      x: new Float32Array(feats.features, 0, rows * AUDIO_FEATURES),
      y: new Uint8Array(labels.matrix),
      names: labels.names,
      rows,
    });
  }
  if (parts.length === 0) {
    throw new AudioDataError(
      'No movie has both audio features and scene labels: compute features and import labels first.',
    );
  }
  const all = [...new Set(parts.flatMap((p) => p.names))];
  const counts = new Map<string, number>();
  for (const p of parts) {
    p.names.forEach((n, j) => {
      let c = 0;
      for (let r = 0; r < p.rows; r++) c += p.y[r * p.names.length + j];
      counts.set(n, (counts.get(n) ?? 0) + c);
    });
  }
  const names = all.filter((n) => (counts.get(n) ?? 0) >= minCount);
  if (names.length === 0) throw new AudioDataError(`No label is used ${minCount} times or more.`);
  const total = parts.reduce((s, p) => s + p.rows, 0);
  const x = new Float32Array(total * AUDIO_FEATURES);
  const y = new Float32Array(total * names.length);
  const train: number[] = [];
  const validation: number[] = [];
  let row = 0;
  for (const p of parts) {
    x.set(p.x, row * AUDIO_FEATURES);
    const nTrain = Math.floor((1 - validationFraction) * p.rows);
    for (let r = 0; r < p.rows; r++) {
      names.forEach((n, k) => {
        const j = p.names.indexOf(n);
        y[(row + r) * names.length + k] = j >= 0 ? p.y[r * p.names.length + j] : 0;
      });
      (r < nTrain ? train : validation).push(row + r);
    }
    row += p.rows;
  }
  const data: AudioSceneData = {
    x,
    width: AUDIO_FEATURES,
    y,
    outputs: names.length,
    train,
    validation,
    names,
    movies: parts.map((p) => ({ name: p.name, rows: p.rows })),
  };
  checkAudioData(data);
  return data;
}

export interface AudioGasData extends AudioTrainData {
  /** Chemical keys of the outputs, in order. */
  chemicals: string[];
  /** Display names of the chemicals. */
  chemicalNames: string[];
  /** Screenings that contributed rows. */
  screenings: number;
  /** "n train / m validation", and why the split differs from the setting, if it does. */
  split: string;
}

export async function loadAudioGasData(
  projectId: string,
  options: BuildOptions = {},
): Promise<AudioGasData> {
  const gases = await buildGasDataset(projectId, { ...options, sequences: 'audio' });
  if (gases.rows.length === 0) {
    throw new AudioDataError(
      'No screening meets a movie with audio features: compute features and import screenings first.',
    );
  }
  if (gases.split.train.length === 0 || gases.split.validation.length === 0) {
    throw new AudioDataError(
      `The split leaves ${describeSplit(gases.split)} rows: choose another split in Study data.`,
    );
  }
  const data: AudioGasData = {
    x: await gatherAudioFeatures(projectId, gases.rows),
    width: AUDIO_FEATURES,
    y: gases.y,
    outputs: gases.chemicals.length,
    train: gases.split.train,
    validation: gases.split.validation,
    chemicals: gases.chemicals,
    chemicalNames: gases.chemicals.map((k) => CHEMICALS.find((c) => c.key === k)?.name ?? k),
    screenings: new Set(gases.rows.map((r) => r.screeningId)).size,
    split: describeSplit(gases.split) + (gases.split.note ? ` (${gases.split.note})` : ''),
  };
  checkAudioData(data);
  return data;
}
