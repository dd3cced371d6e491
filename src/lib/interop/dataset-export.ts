/**
 * A project's dataset as NumPy arrays for training elsewhere (Keras, PyTorch, a cluster), in one
 * `.tar` with a JSON manifest. Row r of every per-sequence array is the same 30-s sequence;
 * the manifest says which rows belong to which movie. Arrays:
 *   frames.npy    (n, 30, H, W, 3) uint8, each movie's channel order in the manifest (optional)
 *   audio.npy     (n, 193) float32, NaN where a movie has no features for that row
 *   labels.npy    (n, k) float32 0/1, NaN where a sequence is unlabelled; names in the manifest
 *   gases.npy     (m, 6) float32, raw (unnormalised) per screening, NaN where missing
 *   gas_rows.npy  (m, 2) int32: row in the per-sequence arrays, screening number in the manifest
 *   split.npy     (n,) uint8 and gas_split.npy (m,) uint8: 1 = validation, 0 = training
 */
import { listAudioFeatures } from '../store/audio-features';
import { listLabelSets } from '../store/labels';
import { getSequence, listMovies } from '../store/movies';
import { getProject } from '../store/projects';
import { listScreenings } from '../store/screenings';
import type { LabelSetRecord, MovieRecord, ScreeningRecord } from '../store/schema';
import { AUDIO_FEATURES, CHANNELS, FRAMES_PER_SEQUENCE } from '../shapes';
import { CHEMICAL_KEYS } from '../study/chemicals';
import { DEFAULT_SPLIT, type SplitSpec } from '../study/dataset';
import { studySettingsOf } from '../study/settings';
import { InteropError } from './errors';
import { APP_VERSION } from './app-version';
import { slug, type DownloadFile } from './model-files';
import { npyHeader, writeNpy } from '../util/npy';
import { tarBlob, type TarEntry } from './tar';

export interface DatasetExportOptions {
  frames?: boolean;
  split?: SplitSpec;
}

interface MovieRows {
  movie: MovieRecord;
  start: number;
  rows: number;
}

const latest = <T extends { createdAt: number }>(xs: T[]) =>
  xs.reduce<T | undefined>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), undefined);

function validationRow(spec: SplitSpec, m: MovieRows, i: number): boolean {
  if (spec.kind === 'last-fraction') return i >= Math.floor((1 - spec.fraction) * m.rows);
  if (spec.kind === 'movie-out') return m.movie.id === spec.movieId;
  return false;
}

/** Builds the dataset .tar of a project. */
export async function exportDataset(
  projectId: string,
  opts: DatasetExportOptions = {},
): Promise<DownloadFile> {
  const split = opts.split ?? DEFAULT_SPLIT;
  const project = await getProject(projectId);
  if (!project) throw new InteropError('That project no longer exists.');
  // The settings a trainer elsewhere needs to build the same targets (cluster/ reads them).
  const { minLabelCount, lag, normalisation, missing } = studySettingsOf(project);
  const [movies, features, labelSets, screenings] = await Promise.all([
    listMovies(projectId),
    listAudioFeatures(projectId),
    listLabelSets(projectId),
    listScreenings(projectId),
  ]);
  const labelsOf = new Map<string, LabelSetRecord>();
  for (const m of movies) {
    const set = latest(labelSets.filter((l) => l.movieId === m.id));
    if (set) labelsOf.set(m.id, set);
  }
  let start = 0;
  const layout: MovieRows[] = movies.map((movie) => {
    const audio = features.find((f) => f.movieId === movie.id)?.rows ?? 0;
    const rows = Math.max(movie.sequencesDone, audio, labelsOf.get(movie.id)?.rows ?? 0);
    const m = { movie, start, rows };
    start += rows;
    return m;
  });
  const n = start;
  if (!n)
    throw new InteropError('This project has no sequences, features or labels to export yet.');

  const entries: TarEntry[] = [];
  const npy = (name: string, data: Parameters<typeof writeNpy>[0], shape: number[]) =>
    entries.push({ name, data: new Blob([writeNpy(data, shape)]) });

  if (opts.frames) {
    const { width, height } = layout[0].movie.settings;
    const odd = layout.find(
      (m) => m.movie.settings.width !== width || m.movie.settings.height !== height,
    );
    if (odd) {
      throw new InteropError(
        `Frames of “${odd.movie.name}” are ${odd.movie.settings.width}×${odd.movie.settings.height}, ` +
          `others ${width}×${height}: one frames array needs one size. Export without frames.`,
      );
    }
    const bytes = FRAMES_PER_SEQUENCE * height * width * CHANNELS;
    const parts: BlobPart[] = [
      npyHeader('uint8', [n, FRAMES_PER_SEQUENCE, height, width, CHANNELS]),
    ];
    for (const m of layout) {
      for (let i = 0; i < m.rows; i++) {
        const seq = i < m.movie.sequencesDone ? await getSequence(m.movie.id, i) : undefined;
        parts.push(seq && seq.frames.byteLength === bytes ? seq.frames : new Uint8Array(bytes));
      }
    }
    entries.push({ name: 'frames.npy', data: new Blob(parts) });
  }

  const audio = new Float32Array(n * AUDIO_FEATURES).fill(NaN);
  for (const m of layout) {
    const f = features.find((x) => x.movieId === m.movie.id);
    if (f)
      audio.set(
        new Float32Array(f.features).subarray(0, m.rows * AUDIO_FEATURES),
        m.start * AUDIO_FEATURES,
      );
  }
  npy('audio.npy', audio, [n, AUDIO_FEATURES]);

  const names = [...new Set([...labelsOf.values()].flatMap((l) => l.names))];
  const labels = new Float32Array(n * names.length).fill(NaN);
  for (const m of layout) {
    const set = labelsOf.get(m.movie.id);
    if (!set) continue;
    const matrix = new Uint8Array(set.matrix);
    const cols = set.names.map((name) => names.indexOf(name));
    for (let r = 0; r < Math.min(set.rows, m.rows); r++) {
      for (let j = 0; j < cols.length; j++) {
        labels[(m.start + r) * names.length + cols[j]] = matrix[r * set.names.length + j];
      }
    }
  }
  npy('labels.npy', labels, [n, names.length]);

  const splitRows = new Uint8Array(n);
  for (const m of layout)
    for (let i = 0; i < m.rows; i++) splitRows[m.start + i] = Number(validationRow(split, m, i));
  npy('split.npy', splitRows, [n]);

  const used: ScreeningRecord[] = screenings
    .filter((s) => layout.some((m) => m.movie.id === s.movieId))
    .sort((a, b) => a.createdAt - b.createdAt);
  const gasValues: number[] = [];
  const gasRows: number[] = [];
  const gasSplit: number[] = [];
  const heldOut = new Set<string>();
  if (split.kind === 'screening-out') {
    for (const m of layout) {
      const mine = used
        .filter((s) => s.movieId === m.movie.id)
        .sort((a, b) => a.screeningIndex - b.screeningIndex);
      const chosen = split.screeningIds?.[m.movie.id] ?? mine[0]?.id;
      if (chosen) heldOut.add(chosen);
    }
  }
  used.forEach((s, number) => {
    const m = layout.find((x) => x.movie.id === s.movieId)!;
    const values = new Float32Array(s.values);
    const cols = CHEMICAL_KEYS.map((key) => s.chemicals.indexOf(key));
    for (let r = 0; r < Math.min(s.rows, m.rows); r++) {
      for (const c of cols) gasValues.push(c < 0 ? NaN : values[r * s.chemicals.length + c]);
      gasRows.push(m.start + r, number);
      gasSplit.push(
        split.kind === 'screening-out' ? Number(heldOut.has(s.id)) : splitRows[m.start + r],
      );
    }
  });
  const m = gasRows.length / 2;
  npy('gases.npy', Float32Array.from(gasValues), [m, CHEMICAL_KEYS.length]);
  npy('gas_rows.npy', Int32Array.from(gasRows), [m, 2]);
  npy('gas_split.npy', Uint8Array.from(gasSplit), [m]);

  const manifest = {
    format: 'cinebreath-dataset',
    formatVersion: 1,
    appVersion: APP_VERSION,
    exportedAt: new Date().toISOString(),
    project: project.name,
    rows: n,
    movies: layout.map((x) => ({
      id: x.movie.id,
      name: x.movie.name,
      rows: [x.start, x.start + x.rows],
      framesStored: x.movie.sequencesDone,
      channelOrder: x.movie.settings.channelOrder,
      resolution: { width: x.movie.settings.width, height: x.movie.settings.height },
      audioRows: features.find((f) => f.movieId === x.movie.id)?.rows ?? 0,
      labelRows: labelsOf.get(x.movie.id)?.rows ?? 0,
    })),
    labels: names,
    chemicals: CHEMICAL_KEYS,
    gases: 'raw values as measured; the paper min-max normalises per screening and chemical',
    screenings: used.map((s) => ({
      id: s.id,
      movieId: s.movieId,
      fileName: s.fileName,
      index: s.screeningIndex,
    })),
    split,
    study: { minLabelCount, lag, normalisation, missing },
    files: entries.map((e) => e.name),
    notes: [
      'Row r of frames, audio, labels and split is the same 30-s sequence.',
      'Missing values are NaN (audio, labels, gases); missing frames are zeros.',
      'frames.npy holds uint8 pixels; the paper divides by 255.',
    ],
  };
  entries.unshift({ name: 'manifest.json', data: new Blob([JSON.stringify(manifest, null, 2)]) });
  const base = `${slug(project.name)}-dataset`;
  return {
    name: `${base}.tar`,
    blob: tarBlob(entries.map((e) => ({ ...e, name: `${base}/${e.name}` }))),
  };
}
