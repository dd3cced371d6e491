/**
 * Study data in the project's store: importing label CSVs, VOC screenings (ARFF, streamed) and
 * audio features (.npy), each file checked whole before one atomic write (a bad file changes
 * nothing), and building the datasets the model sections train on with the project's settings.
 */
import { listAudioFeatures, putAudioFeatures } from '../store/audio-features';
import { listLabelSets, replaceLabelSet } from '../store/labels';
import { listScreenings, putScreening } from '../store/screenings';
import { getProject } from '../store/projects';
import { listMovies } from '../store/movies';
import type {
  AudioFeaturesRecord,
  LabelSetRecord,
  MovieRecord,
  ScreeningRecord,
} from '../store/schema';
import { readNpy, NpyError } from '../util/npy';
import { newId } from '../util/id';
import { AUDIO_FEATURES, DEFAULT_RESOLUTION, FRAMES_PER_SECOND } from '../shapes';
import type { ArffSource } from './arff';
import { readScreening, type ScreeningColumns } from './screeningFile';
import { StudyInputError } from './inputError';
import { parseLabelCsv, type LabelLayout, type ParsedLabels } from './labelsCsv';
import { matchMovie, parseStudyFileName } from './studyFiles';
import { studySettingsOf, type SequenceSource, type StudySettings } from './settings';
import {
  assembleGasDataset,
  assembleLabelDataset,
  type BuiltGasDataset,
  type BuiltLabelDataset,
} from './assemble';

export interface ImportTarget {
  /** The movie the file belongs to; by default the one its file name names. */
  movieId?: string | null;
  /** Create a movie entry (no film yet) when the file names a movie the project lacks. */
  createMovie?: boolean;
}

export interface ImportResult<R> {
  record: R;
  movie: MovieRecord;
  /** What happened, for the UI. */
  message: string;
  createdMovie: boolean;
}

interface Resolved {
  movie: MovieRecord;
  created: boolean;
}

async function resolveMovie(
  projectId: string,
  fileName: string,
  target: ImportTarget,
): Promise<Resolved> {
  const movies = await listMovies(projectId);
  const id = target.movieId ?? matchMovie(fileName, movies);
  const found = movies.find((m) => m.id === id);
  if (found) return { movie: found, created: false };
  if (target.movieId)
    throw new StudyInputError(fileName, null, 'the chosen movie no longer exists.');
  const name = parseStudyFileName(fileName).movieName;
  if (!target.createMovie) {
    throw new StudyInputError(
      fileName,
      null,
      `no movie named “${name}” in this project. Add the movie first, choose one for this file, ` +
        'or allow creating movie entries.',
    );
  }
  return { movie: movieEntry(projectId, name), created: true };
}

/** A movie known only from its study data: no film yet, so no sequences. */
function movieEntry(projectId: string, name: string): MovieRecord {
  return {
    id: newId(),
    projectId,
    name,
    durationS: 0,
    frameRate: FRAMES_PER_SECOND,
    source: { fileName: '', size: 0, hash: '' },
    settings: { startS: 0, endS: null, ...DEFAULT_RESOLUTION, fit: 'stretch', channelOrder: 'rgb' },
    state: 'incomplete',
    sequencesDone: 0,
    sequencesTotal: 0,
    createdAt: Date.now(),
  };
}

function alignmentNote(rows: number, movie: MovieRecord, what: string): string {
  const sequences = movie.sequencesTotal;
  if (sequences === 0) return `${movie.name} has no film sequences yet.`;
  if (sequences === rows) return `matches the ${sequences} sequences of ${movie.name}.`;
  const kept = Math.min(rows, sequences);
  return (
    `${movie.name} has ${sequences} sequences: aligned from the start, ${kept} kept, ` +
    `${Math.abs(rows - sequences)} ${rows > sequences ? what : 'sequences'} dropped.`
  );
}

const LAYOUT_WORDS: Record<LabelLayout, string> = {
  'label-rows': 'one row per label',
  'sequence-rows': 'one row per sequence',
};

export interface LabelImport extends ImportResult<LabelSetRecord> {
  parsed: ParsedLabels;
}

/** Imports a label CSV, replacing the movie's earlier label set. */
export async function importLabelCsv(
  projectId: string,
  fileName: string,
  text: string,
  options: ImportTarget & { layout?: LabelLayout } = {},
): Promise<LabelImport> {
  const parsed = parseLabelCsv(text, fileName, options.layout);
  const { movie, created } = await resolveMovie(projectId, fileName, options);
  const record: LabelSetRecord = {
    id: newId(),
    projectId,
    movieId: movie.id,
    fileName,
    layout: parsed.layout,
    names: parsed.names,
    rows: parsed.rows,
    matrix: parsed.matrix.buffer,
    createdAt: Date.now(),
  };
  await replaceLabelSet(record, `labels “${fileName}”`, created ? movie : undefined);
  const message =
    `${fileName} → ${movie.name}: ${parsed.rows} sequences × ${parsed.names.length} labels ` +
    `(${LAYOUT_WORDS[parsed.layout]}: ${parsed.reason}); ${alignmentNote(parsed.rows, movie, 'label rows')}`;
  return { record, movie, message, createdMovie: created, parsed };
}

export interface ScreeningImportOptions extends ImportTarget {
  settings?: Pick<StudySettings, 'chemicals' | 'massTolerance'>;
}

/**
 * Streams an ARFF screening, keeping the six chemicals' columns (matched by attribute name), and
 * stores it, replacing an earlier screening with the same number for that movie.
 */
export async function importScreening(
  projectId: string,
  fileName: string,
  source: ArffSource,
  options: ScreeningImportOptions = {},
): Promise<ImportResult<ScreeningRecord>> {
  const settings = options.settings ?? studySettingsOf(await getProject(projectId));
  const columns = await readScreening(source, fileName, settings.chemicals, settings.massTolerance);
  return storeScreening(projectId, fileName, columns, options);
}

/** Stores a screening already read (by `readScreening`, here or in the ARFF worker). */
export async function storeScreening(
  projectId: string,
  fileName: string,
  columns: ScreeningColumns,
  options: ImportTarget = {},
): Promise<ImportResult<ScreeningRecord>> {
  const { movie, created } = await resolveMovie(projectId, fileName, options);
  const { values, missing } = columns;
  const fileIndex = parseStudyFileName(fileName).index;
  const record = await putScreening(
    movie,
    fileIndex,
    (screeningIndex): ScreeningRecord => ({
      id: newId(),
      projectId,
      movieId: movie.id,
      fileName,
      screeningIndex,
      chemicals: columns.chemicals,
      missingChemicals: missing,
      rows: columns.rows,
      values: values.buffer,
      createdAt: Date.now(),
    }),
    `screening “${fileName}”`,
    created ? movie : undefined,
  );
  const gaps = values.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0);
  const message =
    `${fileName} → ${movie.name}, screening ${record.screeningIndex}: ${columns.rows} periods, ` +
    `${columns.chemicals.length} of ${columns.chemicals.length + missing.length} chemicals from ` +
    `${columns.attributes} attributes, ` +
    `${gaps} missing values` +
    (missing.length ? `; not in the file: ${missing.join(', ')}` : '') +
    `; ${alignmentNote(columns.rows, movie, 'periods')}`;
  return { record, movie, message, createdMovie: created };
}

/** Imports a movie's (n, 193) audio features from a NumPy file, replacing earlier ones. */
export async function importAudioFeaturesNpy(
  projectId: string,
  fileName: string,
  buffer: ArrayBuffer,
  options: ImportTarget = {},
): Promise<ImportResult<AudioFeaturesRecord>> {
  let array;
  try {
    array = readNpy(buffer, fileName);
  } catch (err) {
    if (err instanceof NpyError) throw new StudyInputError(fileName, null, err.message);
    throw err;
  }
  const [n, width] = array.shape;
  if (array.shape.length !== 2 || width !== AUDIO_FEATURES) {
    throw new StudyInputError(
      fileName,
      null,
      `audio features must have shape (n, ${AUDIO_FEATURES}); this array is (${array.shape.join(', ')}).`,
    );
  }
  const features = Float32Array.from(array.data as ArrayLike<number>);
  const bad = features.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new StudyInputError(
      fileName,
      null,
      `row ${Math.floor(bad / width)}, feature ${bad % width} is ${features[bad]}; features must be finite.`,
    );
  }
  const { movie, created } = await resolveMovie(projectId, fileName, options);
  const record: AudioFeaturesRecord = {
    movieId: movie.id,
    projectId,
    source: 'imported',
    rows: n,
    features: features.buffer,
  };
  await putAudioFeatures(record, `audio features “${fileName}”`, created ? movie : undefined);
  const message = `${fileName} → ${movie.name}: ${n} × ${width} audio features; ${alignmentNote(n, movie, 'feature rows')}`;
  return { record, movie, message, createdMovie: created };
}

/** Sequences each movie offers to a dataset drawing on `source`. */
async function availableSequences(
  projectId: string,
  source: SequenceSource,
  perMovie = 0,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (source === 'all') return out;
  if (source === 'frames') {
    for (const m of await listMovies(projectId)) out.set(m.id, m.sequencesDone);
  } else {
    for (const m of await listMovies(projectId)) out.set(m.id, 0);
    for (const f of await listAudioFeatures(projectId)) out.set(f.movieId, f.rows);
  }
  if (perMovie > 0) for (const [id, n] of out) out.set(id, Math.min(n, perMovie));
  return out;
}

export interface BuildOptions extends Partial<StudySettings> {
  /**
   * Which sequences rows may refer to: those with frames (video models, the default), those with
   * audio features (audio models), or every labelled / measured period ('all').
   */
  sequences?: SequenceSource;
  /** > 0: only each movie's first sequences count as available (a quick experiment). */
  sequencesPerMovie?: number;
}

async function settingsFor(projectId: string, options: BuildOptions): Promise<StudySettings> {
  const project = await getProject(projectId);
  if (!project) throw new Error(`No project with id ${projectId}.`);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...studySettingsOf(project), ...defined };
}

/** Movies in the order they were added, so rows are in a stable, meaningful order. */
async function movieOrder(projectId: string): Promise<Map<string, number>> {
  return new Map((await listMovies(projectId)).map((m, i) => [m.id, i]));
}

/** Scene labels of the project, selected and split with its settings (options override them). */
export async function buildLabelDataset(
  projectId: string,
  options: BuildOptions = {},
): Promise<BuiltLabelDataset> {
  const settings = await settingsFor(projectId, options);
  const source = options.sequences ?? 'frames';
  const available = await availableSequences(projectId, source, options.sequencesPerMovie);
  const order = await movieOrder(projectId);
  const sets = (await listLabelSets(projectId))
    .filter((s) => s.movieId !== null && order.has(s.movieId))
    .sort((a, b) => order.get(a.movieId!)! - order.get(b.movieId!)!);
  return assembleLabelDataset(
    sets.map((s) => ({
      movieId: s.movieId!,
      names: s.names,
      rows: s.rows,
      matrix: new Uint8Array(s.matrix),
      available: source === 'all' ? Infinity : (available.get(s.movieId!) ?? 0),
    })),
    { minCount: settings.minLabelCount, overrides: settings.labelOverrides, split: settings.split },
  );
}

/** VOC targets of the project, normalised, filled, lagged and split with its settings. */
export async function buildGasDataset(
  projectId: string,
  options: BuildOptions = {},
): Promise<BuiltGasDataset> {
  const settings = await settingsFor(projectId, options);
  const source = options.sequences ?? 'frames';
  const available = await availableSequences(projectId, source, options.sequencesPerMovie);
  const order = await movieOrder(projectId);
  const screenings = (await listScreenings(projectId))
    .filter((s) => s.movieId !== null && order.has(s.movieId))
    .sort((a, b) => order.get(a.movieId!)! - order.get(b.movieId!)!);
  return assembleGasDataset(
    screenings.map((s) => ({
      id: s.id,
      movieId: s.movieId!,
      screeningIndex: s.screeningIndex,
      chemicals: s.chemicals,
      rows: s.rows,
      values: new Float32Array(s.values),
    })),
    source === 'all' ? new Map() : available,
    {
      chemicals: settings.chemicals.map((c) => c.key),
      normalisation: settings.normalisation,
      missing: settings.missing,
      lag: settings.lag,
      split: settings.split,
    },
  );
}

/** The audio features of dataset rows, rows × 193 (every row's movie must have features). */
export async function gatherAudioFeatures(
  projectId: string,
  rows: readonly { movieId: string; index: number }[],
): Promise<Float32Array> {
  const byMovie = new Map((await listAudioFeatures(projectId)).map((f) => [f.movieId, f]));
  const out = new Float32Array(rows.length * AUDIO_FEATURES);
  rows.forEach((r, i) => {
    const f = byMovie.get(r.movieId);
    if (!f || r.index >= f.rows) {
      throw new Error(`No audio features for sequence ${r.index + 1} of movie ${r.movieId}.`);
    }
    out.set(
      new Float32Array(f.features, r.index * AUDIO_FEATURES * 4, AUDIO_FEATURES),
      i * AUDIO_FEATURES,
    );
  });
  return out;
}
