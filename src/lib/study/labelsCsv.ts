/**
 * Scene-label CSVs in both layouts the study used: one row per label and one column per 30-s
 * sequence (the original files), or one row per sequence (transposed); with or without names.
 * The layout is detected and reported with its reason, and the caller may flip it.
 */
import Papa from 'papaparse';
import { LABEL_VOCABULARY } from './vocabulary';
import { StudyInputError } from './inputError';

export type LabelLayout = 'label-rows' | 'sequence-rows';

export interface ParsedLabels {
  layout: LabelLayout;
  /** The layout detection chose (equal to `layout` unless the caller forced one). */
  detected: LabelLayout;
  /** Why detection chose it, for the UI. */
  reason: string;
  names: string[];
  /** Number of sequences. */
  rows: number;
  /** rows × names.length, 0/1. */
  matrix: Uint8Array<ArrayBuffer>;
}

const isBinary = (cell: string) => cell === '0' || cell === '1';
const vocabularyKeys = new Set<string>(LABEL_VOCABULARY.map((n) => n.toLowerCase()));

function vocabularyHits(names: string[]): number {
  return names.filter((n) => vocabularyKeys.has(n.trim().toLowerCase())).length;
}

/** Parses a label CSV. `layout` forces an orientation (the UI's "flip"). */
export function parseLabelCsv(text: string, fileName: string, layout?: LabelLayout): ParsedLabels {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const table = parsed.data.map((row) => row.map((c) => c.trim()));
  if (table.length === 0) throw new StudyInputError(fileName, null, 'the file is empty.');
  // Lines as papaparse counts them are needed for messages; blank lines are skipped, so map back.
  const lineOf = lineNumbers(text);

  // A name column shows below the first row; the header, if any, right of the name column.
  const hasNameColumn = table.slice(1).some((r) => !isBinary(r[0]));
  const first = hasNameColumn ? 1 : 0;
  const hasHeader = table[0].slice(first).some((c) => !isBinary(c));
  const body = hasHeader ? table.slice(1) : table;
  if (body.length === 0) throw new StudyInputError(fileName, null, 'the file has no label values.');
  const width = body[0].length;
  body.forEach((r, i) => {
    const line = lineOf[i + (hasHeader ? 1 : 0)];
    if (r.length !== width) {
      throw new StudyInputError(fileName, line, `expected ${width} columns, found ${r.length}.`);
    }
    for (let c = first; c < r.length; c++) {
      if (!isBinary(r[c])) {
        throw new StudyInputError(
          fileName,
          line,
          `column ${c + 1} holds “${r[c]}”; label values must be 0 or 1.`,
        );
      }
    }
  });
  const rowNames = hasNameColumn ? body.map((r) => r[0]) : null;
  const colNames = hasHeader ? table[0].slice(first) : null;
  if (colNames && colNames.length !== width - first) {
    throw new StudyInputError(
      fileName,
      lineOf[0],
      `the header has ${table[0].length} cells for ${width} columns.`,
    );
  }
  const nRows = body.length;
  const nCols = width - first;
  if (nCols === 0) throw new StudyInputError(fileName, lineOf[0], 'the file has no label values.');

  let detected: LabelLayout;
  let reason: string;
  const v = LABEL_VOCABULARY.length;
  if (rowNames && !colNames) {
    detected = 'label-rows';
    reason = 'the first column holds label names';
  } else if (colNames && !rowNames) {
    detected = 'sequence-rows';
    reason = 'the header row holds label names';
  } else if (rowNames && colNames) {
    detected = vocabularyHits(colNames) > vocabularyHits(rowNames) ? 'sequence-rows' : 'label-rows';
    reason = `label names found in the ${detected === 'label-rows' ? 'first column' : 'header row'}`;
  } else if (nRows === v && nCols !== v) {
    detected = 'label-rows';
    reason = `no names; ${v} rows match the study's ${v} labels`;
  } else if (nCols === v && nRows !== v) {
    detected = 'sequence-rows';
    reason = `no names; ${v} columns match the study's ${v} labels`;
  } else if (nRows === v) {
    detected = 'label-rows';
    reason = `no names and ${v} × ${v}: assumed the original layout (one row per label)`;
  } else {
    throw new StudyInputError(
      fileName,
      null,
      `without a row of label names the file must have ${v} rows or ${v} columns (one per label ` +
        `of the study's vocabulary); it has ${nRows} rows × ${nCols} columns.`,
    );
  }
  const chosen = layout ?? detected;
  const labelAxisNames = chosen === 'label-rows' ? rowNames : colNames;
  const labelCount = chosen === 'label-rows' ? nRows : nCols;
  const sequences = chosen === 'label-rows' ? nCols : nRows;
  let names: string[];
  if (labelAxisNames) names = labelAxisNames.map((n, i) => n || `label ${i + 1}`);
  else if (labelCount === v) names = [...LABEL_VOCABULARY];
  else names = Array.from({ length: labelCount }, (_, i) => `label ${i + 1}`);
  if (new Set(names).size !== names.length) {
    throw new StudyInputError(fileName, null, 'label names repeat; each label needs its own name.');
  }

  const matrix = new Uint8Array(sequences * labelCount);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      const value = body[r][c + first] === '1' ? 1 : 0;
      if (chosen === 'label-rows') matrix[c * labelCount + r] = value;
      else matrix[r * labelCount + c] = value;
    }
  }
  if (layout && layout !== detected) reason = `flipped by you (detected: ${reason})`;
  return { layout: chosen, detected, reason, names, rows: sequences, matrix };
}

/** 1-based line number of each non-blank line (papaparse skips blank ones). */
function lineNumbers(text: string): number[] {
  const out: number[] = [];
  text.split(/\r\n|\n|\r/).forEach((l, i) => {
    if (l.trim() !== '') out.push(i + 1);
  });
  return out;
}

/** Writes a label matrix (rows × names) as CSV text in either layout, optionally with names. */
export function labelsToCsv(
  matrix: Uint8Array,
  names: readonly string[],
  layout: LabelLayout,
  withNames: boolean,
): string {
  const k = names.length;
  const rows = matrix.length / k;
  const lines: string[][] = [];
  if (layout === 'sequence-rows') {
    if (withNames) lines.push([...names]);
    for (let r = 0; r < rows; r++)
      lines.push(Array.from(matrix.subarray(r * k, (r + 1) * k), String));
  } else {
    for (let c = 0; c < k; c++) {
      const cells = Array.from({ length: rows }, (_, r) => String(matrix[r * k + c]));
      lines.push(withNames ? [names[c], ...cells] : cells);
    }
  }
  return Papa.unparse(lines, { newline: '\n' }) + '\n';
}
