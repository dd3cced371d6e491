/**
 * CSV export of tables and curves: RFC 4180 quoting, numbers at full precision, so that a spreadsheet
 * or pandas reads back exactly what the view showed.
 */

export type Cell = string | number | null | undefined;

function field(value: Cell): string {
  if (value == null || (typeof value === 'number' && Number.isNaN(value))) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
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
