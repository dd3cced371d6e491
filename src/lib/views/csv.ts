/**
 * CSV export of tables and curves through Papa Parse (already our CSV reader): RFC 4180 quoting,
 * numbers at full precision, so that a spreadsheet or pandas reads back exactly what the view showed.
 */
import Papa from 'papaparse';

export type Cell = string | number | null | undefined;

/** Empty cells for missing values and NaN (Papa would write "NaN"). */
function cell(value: Cell): string | number | null {
  return value == null || (typeof value === 'number' && Number.isNaN(value)) ? null : value;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const data = rows.map((row) => row.map(cell));
  return Papa.unparse({ fields: [...header], data }, { newline: '\r\n' }) + '\r\n';
}

/** A file name safe on every OS, from a view's title. */
export function fileSlug(title: string): string {
  return (
    title
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/[\s_]+/g, '-')
      .toLowerCase() || 'export'
  );
}
