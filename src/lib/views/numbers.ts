/**
 * How the views print numbers: four decimals for ordinary values, exponent notation for very large
 * or very small ones, so that ranges, ticks and table cells stay short and comparable.
 */
export function formatValue(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

/** Tick labels: as short as the value allows. */
export function formatTick(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(0)
    : String(Number(v.toPrecision(4)));
}
