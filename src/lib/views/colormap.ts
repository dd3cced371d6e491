/**
 * The colour map of every heatmap: dark blue for a layer's lowest value through cyan and yellow to
 * red for its highest (the "jet"-like ramp of the paper's Fig. 14), as a 256-entry lookup table so
 * that colouring millions of activations costs one table read each.
 */

/** Stops of the ramp: position in [0, 1] and RGB. */
const STOPS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 128],
  [0.15, 0, 0, 255],
  [0.4, 0, 255, 255],
  [0.65, 255, 255, 0],
  [1, 255, 0, 0],
];

export const COLOUR_LEVELS = 256;

function ramp(t: number): [number, number, number] {
  for (let i = 1; i < STOPS.length; i++) {
    const [p1, r1, g1, b1] = STOPS[i];
    if (t <= p1) {
      const [p0, r0, g0, b0] = STOPS[i - 1];
      const u = (t - p0) / (p1 - p0);
      return [r0 + u * (r1 - r0), g0 + u * (g1 - g0), b0 + u * (b1 - b0)].map(Math.round) as [
        number,
        number,
        number,
      ];
    }
  }
  const [, r, g, b] = STOPS[STOPS.length - 1];
  return [r, g, b];
}

/** RGB triplets, level-major: entry k is the colour of t = k / 255. */
export const COLOUR_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(COLOUR_LEVELS * 3);
  for (let k = 0; k < COLOUR_LEVELS; k++) table.set(ramp(k / (COLOUR_LEVELS - 1)), k * 3);
  return table;
})();

/** The table level of a value t in [0, 1] (clamped; NaN maps to the lowest level). */
export function colourLevel(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return COLOUR_LEVELS - 1;
  return Math.round(t * (COLOUR_LEVELS - 1));
}

export function colourOf(t: number): [number, number, number] {
  const k = colourLevel(t) * 3;
  return [COLOUR_TABLE[k], COLOUR_TABLE[k + 1], COLOUR_TABLE[k + 2]];
}

/**
 * RGBA pixels of a vertical colour bar, highest value at the top, for drawing beside a heatmap
 * grid whose stated range it explains.
 */
export function colourBarPixels(width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const [r, g, b] = colourOf(height > 1 ? 1 - y / (height - 1) : 1);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      out[i] = r;
      out[i + 1] = g;
      out[i + 2] = b;
      out[i + 3] = 255;
    }
  }
  return out;
}
