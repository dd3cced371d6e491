/**
 * Saving what a view shows: canvases and charts as PNG, tables and curves as CSV, through an
 * ordinary download (nothing leaves the machine; the file goes where the browser saves files).
 */

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('The picture could not be encoded as PNG.'))),
      'image/png',
    ),
  );
}

/**
 * A chart's canvas (plot, axes and their titles, as the chart library drew it) on white, with its
 * legend written underneath, as PNG at the canvas's own resolution.
 */
export async function chartToPng(
  plot: HTMLCanvasElement,
  legend: readonly { label: string; colour: string }[],
): Promise<Blob> {
  const scale = plot.width / Math.max(1, plot.clientWidth || plot.width);
  const row = Math.round(18 * scale);
  const pad = Math.round(8 * scale);
  const canvas = document.createElement('canvas');
  canvas.width = plot.width;
  canvas.height = plot.height + pad * 2 + row * legend.length;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D canvas to draw the chart on.');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(plot, 0, 0);
  ctx.font = `${Math.round(12 * scale)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  legend.forEach(({ label, colour }, i) => {
    const y = plot.height + pad + row * i + row / 2;
    ctx.fillStyle = colour;
    ctx.fillRect(pad, y - scale * 2, row, scale * 4);
    ctx.fillStyle = '#1d2330';
    ctx.fillText(label, pad * 2 + row, y);
  });
  return canvasToPng(canvas);
}

export function csvBlob(csv: string): Blob {
  return new Blob([csv], { type: 'text/csv;charset=utf-8' });
}
