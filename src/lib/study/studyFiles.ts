/**
 * Which movie a study file belongs to, from its name: `<Movie>.csv`, `<Movie>_transposed.csv`,
 * `<Movie>.npy`, `<index>_<Movie>.arff`. Names are compared without case, spaces or punctuation.
 */
export type StudyFileKind = 'labels' | 'screening' | 'audio-features';

export function studyFileKind(fileName: string): StudyFileKind | null {
  const ext = /\.([^.]+)$/.exec(fileName)?.[1].toLowerCase();
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'labels';
  if (ext === 'arff') return 'screening';
  if (ext === 'npy') return 'audio-features';
  return null;
}

export const normaliseMovieName = (name: string) =>
  name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** The movie name a file's name carries, and for screenings the screening number. */
export function parseStudyFileName(fileName: string): { movieName: string; index: number | null } {
  let stem = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  stem = stem.replace(/[_-]transposed$/i, '');
  const m = /^(\d+)[_-](.+)$/.exec(stem);
  return m ? { movieName: m[2], index: Number(m[1]) } : { movieName: stem, index: null };
}

/** The movie (by id) whose name the file carries, or null. */
export function matchMovie(
  fileName: string,
  movies: readonly { id: string; name: string }[],
): string | null {
  const key = normaliseMovieName(parseStudyFileName(fileName).movieName);
  return movies.find((m) => normaliseMovieName(m.name) === key)?.id ?? null;
}
