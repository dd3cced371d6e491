/**
 * Streaming mono resampler for the WebCodecs audio path, matching what ffmpeg's
 * `aresample=22050` (libswresample's defaults) makes from the same samples: a Kaiser-windowed
 * sinc (β = 9) of 32 taps at the lower rate (so ⌈32 / factor⌉ input taps), cut off at 0.97 of the
 * lower Nyquist frequency, with exact rational phases, each phase's taps normalised to sum 1.
 * Output sample m stands for input position m·inRate/outRate (both starting at time 0); input
 * before 0 or past the end counts as silence. Input is dropped as soon as no output needs it, so
 * memory holds one filter span plus what was pushed since the last `take`.
 */

const FILTER_SIZE = 32;
const CUTOFF = 0.97;
const KAISER_BETA = 9;
/** Phases beyond this many are rounded to the nearest of this many, as swresample's 2^10. */
const MAX_PHASES = 1024;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class MonoResampler {
  /** Output advances `down` input samples per `up` output samples. */
  readonly #up: number;
  readonly #down: number;
  readonly #phases: number;
  readonly #taps: number;
  readonly #weights: Float32Array;
  #buf = new Float32Array(1 << 16);
  /** Input index of #buf[0], and how many input samples #buf holds. */
  #bufStart = 0;
  #bufLen = 0;
  #produced = 0;
  #ended = false;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    const g = gcd(inRate, outRate);
    this.#up = outRate / g;
    this.#down = inRate / g;
    this.#phases = Math.min(this.#up, MAX_PHASES);
    if (inRate === outRate) {
      this.#taps = 1;
      this.#weights = new Float32Array([1]);
      return;
    }
    const factor = Math.min((outRate * CUTOFF) / inRate, 1);
    const taps = Math.max(Math.ceil(FILTER_SIZE / factor), 1);
    this.#taps = taps;
    this.#weights = new Float32Array(this.#phases * taps);
    const first = this.#firstTap();
    for (let ph = 0; ph < this.#phases; ph++) {
      const frac = ph / this.#phases;
      const row = new Float64Array(taps);
      let sum = 0;
      for (let t = 0; t < taps; t++) {
        const d = first + t - frac;
        const x = Math.PI * d * factor;
        const w = (2 * d) / taps;
        const y =
          (x === 0 ? 1 : Math.sin(x) / x) *
          besselI0(KAISER_BETA * Math.sqrt(Math.max(1 - w * w, 0)));
        row[t] = y;
        sum += y;
      }
      for (let t = 0; t < taps; t++) this.#weights[ph * taps + t] = row[t] / sum;
    }
  }

  /** Offset of the first tap from the integer part of an output's input position. */
  #firstTap(): number {
    return this.#taps === 1 ? 0 : -(Math.floor(this.#taps / 2) - 1);
  }

  /** Output samples made so far. */
  get produced(): number {
    return this.#produced;
  }

  /** Appends input samples; `at` is the input index of samples[0] (gaps are silence). */
  push(samples: Float32Array, at: number): void {
    if (this.#bufLen === 0 && this.#produced === 0) this.#bufStart = at;
    const end = this.#bufStart + this.#bufLen;
    const skip = Math.max(0, end - at);
    if (skip >= samples.length) return;
    const gap = Math.max(0, at - end);
    const need = this.#bufLen + gap + samples.length - skip;
    if (need > this.#buf.length) {
      const grown = new Float32Array(Math.max(need, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, this.#bufLen));
      this.#buf = grown;
    }
    this.#buf.fill(0, this.#bufLen, this.#bufLen + gap);
    this.#buf.set(samples.subarray(skip), this.#bufLen + gap);
    this.#bufLen = need;
  }

  /** No more input: what follows the last sample is silence. */
  end(): void {
    this.#ended = true;
  }

  /** The next `count` output samples, or null while the input does not reach them yet. */
  take(count: number): Float32Array<ArrayBuffer> | null {
    const taps = this.#taps;
    const first = this.#firstTap();
    const last = this.#produced + count - 1;
    const lastNeeded = Math.floor((last * this.#down) / this.#up) + first + taps;
    if (!this.#ended && lastNeeded > this.#bufStart + this.#bufLen) return null;
    const out = new Float32Array(count);
    const buf = this.#buf;
    const len = this.#bufLen;
    const weights = this.#weights;
    for (let o = 0; o < count; o++) {
      const num = (this.#produced + o) * this.#down;
      let i = Math.floor(num / this.#up);
      let phase = num - i * this.#up;
      if (this.#phases !== this.#up) {
        phase = Math.round((phase * this.#phases) / this.#up);
        if (phase === this.#phases) [i, phase] = [i + 1, 0];
      }
      const from = i + first - this.#bufStart;
      const row = phase * taps;
      let acc = 0;
      if (from >= 0 && from + taps <= len) {
        for (let t = 0; t < taps; t++) acc += buf[from + t] * weights[row + t];
      } else {
        for (let t = Math.max(0, -from); t < taps && from + t < len; t++) {
          acc += buf[from + t] * weights[row + t];
        }
      }
      out[o] = acc;
    }
    this.#produced += count;
    const keepFrom = Math.floor((this.#produced * this.#down) / this.#up) + first - 1;
    const drop = Math.min(Math.max(0, keepFrom - this.#bufStart), this.#bufLen);
    if (drop > 0) {
      buf.copyWithin(0, drop, this.#bufLen);
      this.#bufLen -= drop;
      this.#bufStart += drop;
    }
    return out;
  }
}
