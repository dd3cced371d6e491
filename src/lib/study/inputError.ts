/**
 * Bad study input (a CSV of the wrong shape, an ARFF without `@data`, a file for an unknown movie):
 * one error type carrying the file, the line and the reason, so the UI can say exactly what to fix
 * and the importers can refuse the whole file before anything is stored.
 */
export class StudyInputError extends Error {
  override name = 'StudyInputError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `, line ${line}`}: ${reason}`);
  }
}
