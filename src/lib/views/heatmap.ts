/**
 * Heatmap grids of 3D-convolution activations (paper Fig. 14): one row per filter, one column per
 * frame, each cell the filter's output for that frame coloured on the layer's own value range.
 * Pure array code, so it runs in a worker and is tested against tfjs directly.
 */
import { COLOUR_TABLE, colourLevel } from './colormap';

/** One layer's output for one sequence, batch dimension dropped: frames × height × width × filters. */
export interface LayerActivation {
  name: string;
  shape: [frames: number, height: number, width: number, filters: number];
  values: Float32Array;
}

export interface ValueRange {
  min: number;
  max: number;
}

/** The range stated beside a layer's grid: its lowest and highest output over the sequence. */
export function layerRange(values: ArrayLike<number>): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length ? { min, max } : { min: 0, max: 0 };
}

/** A filter's outputs, frames × height × width, in the order the grid draws them. */
export function filterValues(act: LayerActivation, filter: number): Float32Array {
  const [frames, height, width, filters] = act.shape;
  if (filter < 0 || filter >= filters)
    throw new Error(`Layer ${act.name} has no filter ${filter}.`);
  const out = new Float32Array(frames * height * width);
  for (let p = 0; p < out.length; p++) out[p] = act.values[p * filters + filter];
  return out;
}

/**
 * Filters that never activate: their output is the same everywhere in the sequence (a ReLU stuck
 * at zero, or the constant a batch norm makes of it), so their heatmap carries no information.
 */
export function deadFilters(act: LayerActivation): number[] {
  const filters = act.shape[3];
  const min = new Float32Array(filters).fill(Infinity);
  const max = new Float32Array(filters).fill(-Infinity);
  for (let i = 0; i < act.values.length; i++) {
    const f = i % filters;
    const v = act.values[i];
    if (v < min[f]) min[f] = v;
    if (v > max[f]) max[f] = v;
  }
  const { min: lo, max: hi } = layerRange(act.values);
  const tolerance = 1e-6 * Math.max(1, Math.abs(lo), Math.abs(hi));
  const dead: number[] = [];
  for (let f = 0; f < filters; f++) if (max[f] - min[f] <= tolerance) dead.push(f);
  return dead;
}

export interface GridLayout {
  filters: number;
  /** Frame indices shown, left to right. */
  frames: number[];
  /** Source cell size (the layer's spatial size) and the integer zoom applied to it. */
  cellHeight: number;
  cellWidth: number;
  scale: number;
  gap: number;
  width: number;
  height: number;
}

export interface GridOptions {
  frames?: number[];
  /** Integer zoom; by default the smallest that makes a cell at least 32 px wide (at most 4). */
  scale?: number;
  gap?: number;
  /** RGBA of the gaps between cells; transparent by default. */
  background?: readonly [number, number, number, number];
}

export function gridLayout(shape: LayerActivation['shape'], options: GridOptions = {}): GridLayout {
  const [frameCount, cellHeight, cellWidth, filters] = shape;
  const frames = options.frames ?? Array.from({ length: frameCount }, (_, i) => i);
  for (const f of frames) {
    if (!Number.isInteger(f) || f < 0 || f >= frameCount) {
      throw new Error(`Frame ${f} is outside this layer's ${frameCount} frames.`);
    }
  }
  const scale = options.scale ?? Math.min(4, Math.max(1, Math.ceil(32 / cellWidth)));
  const gap = options.gap ?? 1;
  return {
    filters,
    frames,
    cellHeight,
    cellWidth,
    scale,
    gap,
    width: Math.max(0, frames.length * (cellWidth * scale + gap) - gap),
    height: Math.max(0, filters * (cellHeight * scale + gap) - gap),
  };
}

/** The value range mapped to [0, 1]; a constant layer maps to 0. */
export function normaliser(range: ValueRange): (v: number) => number {
  const span = range.max - range.min;
  return span > 0 ? (v) => (v - range.min) / span : () => 0;
}

/**
 * Paints the rows of filters [from, to) into `out` (RGBA, layout.width × layout.height). Gaps stay
 * as they are in `out` (transparent when it is fresh). Split calls let a caller render in chunks.
 */
export function renderGridRows(
  act: LayerActivation,
  layout: GridLayout,
  range: ValueRange,
  out: Uint8ClampedArray,
  from: number,
  to: number,
): void {
  const [, height, width, filters] = act.shape;
  const { scale, gap } = layout;
  const norm = normaliser(range);
  const rowStride = layout.width * 4;
  for (let f = from; f < Math.min(to, filters); f++) {
    const top = f * (height * scale + gap);
    layout.frames.forEach((frame, col) => {
      const left = col * (width * scale + gap);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const v = act.values[((frame * height + y) * width + x) * filters + f];
          const k = colourLevel(norm(v)) * 3;
          for (let dy = 0; dy < scale; dy++) {
            let i = (top + y * scale + dy) * rowStride + (left + x * scale) * 4;
            for (let dx = 0; dx < scale; dx++, i += 4) {
              out[i] = COLOUR_TABLE[k];
              out[i + 1] = COLOUR_TABLE[k + 1];
              out[i + 2] = COLOUR_TABLE[k + 2];
              out[i + 3] = 255;
            }
          }
        }
      }
    });
  }
}

export interface RenderedGrid {
  layout: GridLayout;
  range: ValueRange;
  dead: number[];
  pixels: Uint8ClampedArray<ArrayBuffer>;
}

/** The whole grid at once (for workers, where a long task blocks nobody). */
export function renderGrid(act: LayerActivation, options: GridOptions = {}): RenderedGrid {
  const layout = gridLayout(act.shape, options);
  const range = layerRange(act.values);
  const pixels = new Uint8ClampedArray(layout.width * layout.height * 4);
  if (options.background) {
    const fill = new Uint32Array(pixels.buffer);
    fill.fill(new Uint32Array(Uint8ClampedArray.from(options.background).buffer)[0]);
  }
  renderGridRows(act, layout, range, pixels, 0, layout.filters);
  return { layout, range, dead: deadFilters(act), pixels };
}

/** Which filter and frame a grid pixel belongs to (null in a gap or outside), for hover read-outs. */
export function cellAt(
  layout: GridLayout,
  x: number,
  y: number,
): { filter: number; frame: number; row: number; col: number } | null {
  const cw = layout.cellWidth * layout.scale;
  const ch = layout.cellHeight * layout.scale;
  const col = Math.floor(x / (cw + layout.gap));
  const filter = Math.floor(y / (ch + layout.gap));
  if (col < 0 || filter < 0 || col >= layout.frames.length || filter >= layout.filters) return null;
  const cx = x - col * (cw + layout.gap);
  const cy = y - filter * (ch + layout.gap);
  if (cx >= cw || cy >= ch) return null;
  return {
    filter,
    frame: layout.frames[col],
    row: Math.floor(cy / layout.scale),
    col: Math.floor(cx / layout.scale),
  };
}
