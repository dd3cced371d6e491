/**
 * The audio scene dataset of a project: each movie's stored audio features aligned with its label
 * set (feature rows beyond the label count dropped from the end, as in the paper's data), labels
 * selected and rows split with the project's study settings — the same `buildLabelDataset` the
 * video scene head uses, restricted to sequences with features (the default split, the last 20 %
 * of each movie, gives the paper's 1039 / 263 on the study's data). Feature rows are checked
 * finite before they reach a network.
 *
 * The audio gas dataset pairs each screening's normalised, filled gas rows with the audio features
 * of the same sequences, with the project's study settings (normalisation, missing values, lag,
 * split) — the same rows the video gas head trains on, restricted to sequences with features.
 */
import { AUDIO_FEATURES } from '../shapes';
import { listMovies } from '../store/movies';
import { CHEMICALS } from '../study/chemicals';
import { describeSplit } from '../study/splits';
import {
  buildGasDataset,
  buildLabelDataset,
  gatherAudioFeatures,
  type BuildOptions,
} from '../study/studyStore';
import { AudioDataError, checkAudioData, type AudioTrainData } from './audio-trainer';

export interface AudioSceneData extends AudioTrainData {
  names: string[];
  movies: { name: string; rows: number }[];
  /** "n train / m validation", and why the split differs from the setting, if it does. */
  split: string;
}

/**
 * The scene labels of the movies that have audio features, selected and split with the project's
 * study settings (label threshold and overrides, split; `options` override them), with the
 * features of the same sequences.
 */
export async function loadAudioSceneData(
  projectId: string,
  options: BuildOptions = {},
): Promise<AudioSceneData> {
  const labels = await buildLabelDataset(projectId, { ...options, sequences: 'audio' });
  if (labels.rows.length === 0) {
    throw new AudioDataError(
      'No movie has both audio features and scene labels: compute features and import labels first.',
    );
  }
  if (labels.names.length === 0) {
    const times = options.minLabelCount == null ? 'often enough' : `${options.minLabelCount} times`;
    throw new AudioDataError(
      `No label is used ${times}: lower “Keep labels used at least … times” under Scene networks in the Audio cell.`,
    );
  }
  if (labels.split.train.length === 0 || labels.split.validation.length === 0) {
    throw new AudioDataError(
      `The split leaves ${describeSplit(labels.split)} rows: choose another split in Study data.`,
    );
  }
  const names = new Map((await listMovies(projectId)).map((m) => [m.id, m.name]));
  const data: AudioSceneData = {
    x: await gatherAudioFeatures(projectId, labels.rows),
    width: AUDIO_FEATURES,
    y: labels.y,
    outputs: labels.names.length,
    train: labels.split.train,
    validation: labels.split.validation,
    names: labels.names,
    movies: labels.alignment
      .filter((a) => a.kept > 0)
      .map((a) => ({ name: names.get(a.movieId) ?? a.movieId, rows: a.kept })),
    split: describeSplit(labels.split) + (labels.split.note ? ` (${labels.split.note})` : ''),
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
