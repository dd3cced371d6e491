/**
 * Suggests where closing credits begin, so the user can cut them (they carry no scene content).
 * Credits look alike in most films: a mostly black frame with a little bright text. The detector
 * marks each second as credit-like from its pixels, then finds the run of credit-like seconds that
 * reaches the end of the movie (allowing short gaps for logos or a last shot).
 */
export interface CreditsOptions {
  /** Luma below which a pixel counts as background. */
  darkLuma: number;
  /** Share of background pixels that makes a frame credit-like. */
  darkShare: number;
  /** Non-credit seconds tolerated inside the run. */
  maxGapS: number;
  /** Shortest run worth suggesting. */
  minRunS: number;
}

export const CREDITS_DEFAULTS: CreditsOptions = {
  darkLuma: 48,
  darkShare: 0.8,
  maxGapS: 4,
  minRunS: 20,
};

/** Whether one RGB frame looks like a credits frame. */
export function isCreditFrame(
  rgb: Uint8Array,
  options: CreditsOptions = CREDITS_DEFAULTS,
): boolean {
  let dark = 0;
  const pixels = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) {
    const luma = 0.2126 * rgb[i] + 0.7152 * rgb[i + 1] + 0.0722 * rgb[i + 2];
    if (luma < options.darkLuma) dark++;
  }
  return dark / pixels >= options.darkShare;
}

/**
 * Index of the first second of the closing credits in `flags` (one per second, true = credit-like),
 * or null when the movie does not end in credits.
 */
export function creditsStart(
  flags: ArrayLike<boolean | number>,
  options: CreditsOptions = CREDITS_DEFAULTS,
): number | null {
  let start: number | null = null;
  let gap = 0;
  for (let k = flags.length - 1; k >= 0; k--) {
    if (flags[k]) {
      start = k;
      gap = 0;
    } else if (++gap > options.maxGapS) {
      break;
    }
  }
  if (start === null) return null;
  let end = flags.length;
  while (end > start && !flags[end - 1]) end--;
  return end - start >= options.minRunS ? start : null;
}
