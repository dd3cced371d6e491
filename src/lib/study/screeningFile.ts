/**
 * One VOC screening file → the study's chemical columns: streams the ARFF, finds each chemical by
 * attribute name, and returns rows × chemicals (NaN where the file had `?`). Runs in the ARFF
 * worker for big files, or in place.
 */
import { readArffColumns, type ArffSource } from './arff';
import { matchChemicals, type ChemicalMatch } from './chemicalColumns';
import type { ChemicalSpec } from './chemicals';
import { StudyInputError } from './inputError';

export interface ScreeningColumns {
  /** Keys of the chemicals found, in table order; the columns of `values`. */
  chemicals: string[];
  /** Keys of the chemicals the file lacks. */
  missing: string[];
  /** Attributes in the file. */
  attributes: number;
  rows: number;
  /** float32, rows × chemicals.length. */
  values: Float32Array<ArrayBuffer>;
}

export async function readScreening(
  source: ArffSource,
  fileName: string,
  table: readonly ChemicalSpec[],
  tolerance: number,
): Promise<ScreeningColumns> {
  let matches: ChemicalMatch[] = [];
  const data = await readArffColumns(source, fileName, (header) => {
    matches = matchChemicals(header.attributes, table, tolerance);
    if (matches.every((m) => m.attribute < 0)) {
      throw new StudyInputError(
        fileName,
        null,
        `none of the chemicals (${table.map((c) => c.name).join(', ')}) is among its ` +
          `${header.attributes.length} attributes.`,
      );
    }
    return matches.filter((m) => m.attribute >= 0).map((m) => m.attribute);
  });
  const found = matches.filter((m) => m.attribute >= 0);
  const k = found.length;
  const values = new Float32Array(data.rows * k);
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < data.rows; r++) values[r * k + c] = data.values[c][r];
  }
  return {
    chemicals: found.map((m) => m.key),
    missing: matches.filter((m) => m.attribute < 0).map((m) => m.key),
    attributes: data.header.attributes.length,
    rows: data.rows,
    values,
  };
}
