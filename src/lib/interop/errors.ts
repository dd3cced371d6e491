/**
 * Why a file coming back into Cinebreath was refused, in words a researcher can act on. Every
 * import checks everything before it writes, so an InteropError always means nothing was stored.
 */
export class InteropError extends Error {
  override name = 'InteropError';
}
