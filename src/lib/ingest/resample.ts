/**
 * Streaming mono resampler for the WebCodecs audio path, matching what ffmpeg's
 * `aresample=22050` (libswresample's defaults) makes from the same samples: a Kaiser-windowed
 * sinc (β = 9) of 32 taps at the lower rate (so ⌈32 / factor⌉ input taps), cut off at 0.97 of the
 * lower Nyquist frequency, with exact rational phases, each phase's taps normalised to sum 1.
 * Output sample m stands for input position m·inRate/outRate (both starting at time 0); input
 * before 0 or past the end counts as silence. Input is dropped as soon as no output needs it, so
 * memory holds one filter span plus what was pushed since the last `take`. The sums run in a
 * WebAssembly SIMD kernel (`resample-kernel.ts`, float32; 10× faster than the float64 JS loop it
 * replaced, mean difference to ffmpeg unchanged): weights, input and output live in its memory.
 */
import { reserveMemory } from '../util/wasm-kernel';
import { resampleKernel } from './resample-kernel';

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

/** Spare floats after the input buffer: the kernel reads a weight row's zero padding's worth. */
const PAD = 8;

export class MonoResampler {
  /** Output advances `down` input samples per `up` output samples. */
  readonly #up: number;
  readonly #down: number;
  readonly #phases: number;
  readonly #taps: number;
  /** Floats per weight row: taps padded to a multiple of 8 with zeros (the kernel's step). */
  readonly #stride: number;
  readonly #kernel = resampleKernel();
  /** Byte addresses in the kernel's memory: weight rows, the phase cycle, input, output. */
  readonly #weightsAt = 0;
  readonly #cycleAt: number;
  readonly #bufAt: number;
  #bufCap = 1 << 16;
  /** Input index of buffer slot 0, and how many input samples the buffer holds. */
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
    const same = inRate === outRate;
    this.#phases = same ? 1 : Math.min(this.#up, MAX_PHASES);
    const factor = Math.min((outRate * CUTOFF) / inRate, 1);
    this.#taps = same ? 1 : Math.max(Math.ceil(FILTER_SIZE / factor), 1);
    this.#stride = Math.ceil(this.#taps / 8) * 8;
    this.#cycleAt = this.#weightsAt + this.#phases * this.#stride * 4;
    this.#bufAt = this.#cycleAt + this.#up * 8;
    this.#reserve(0);
    const weights = this.#weights();
    if (same) weights[0] = 1;
    else this.#fillWeights(weights, factor);
    // Per output phase r of a cycle of `up` outputs: its first tap's input offset, its weight row.
    const cycle = new Int32Array(this.#kernel.memory.buffer, this.#cycleAt, this.#up * 2);
    for (let r = 0; r < this.#up; r++) {
      const [i, phase] = this.#position(r);
      cycle[2 * r] = i + this.#firstTap();
      cycle[2 * r + 1] = this.#weightsAt + phase * this.#stride * 4;
    }
  }

  #fillWeights(weights: Float32Array, factor: number): void {
    const taps = this.#taps;
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
      for (let t = 0; t < taps; t++) weights[ph * this.#stride + t] = row[t] / sum;
    }
  }

  /** Output m's input index (integer part) and filter phase. */
  #position(m: number): [number, number] {
    const num = m * this.#down;
    let i = Math.floor(num / this.#up);
    let phase = num - i * this.#up;
    if (this.#phases !== this.#up) {
      phase = Math.round((phase * this.#phases) / this.#up);
      if (phase === this.#phases) [i, phase] = [i + 1, 0];
    }
    return [i, phase];
  }

  /** Offset of the first tap from the integer part of an output's input position. */
  #firstTap(): number {
    return this.#taps === 1 ? 0 : -(Math.floor(this.#taps / 2) - 1);
  }

  /** Grows the kernel's memory for the input buffer and `outFloats` of output after it. */
  #reserve(outFloats: number): void {
    reserveMemory(this.#kernel.memory, this.#outAt() + outFloats * 4);
  }

  #outAt(): number {
    return this.#bufAt + (this.#bufCap + PAD) * 4;
  }

  #weights(): Float32Array {
    return new Float32Array(
      this.#kernel.memory.buffer,
      this.#weightsAt,
      this.#phases * this.#stride,
    );
  }

  #buf(): Float32Array {
    return new Float32Array(this.#kernel.memory.buffer, this.#bufAt, this.#bufCap);
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
    if (need > this.#bufCap) {
      // The buffer stays where it is and grows into the output's space.
      this.#bufCap = Math.max(need, this.#bufCap * 2);
      this.#reserve(0);
    }
    const buf = this.#buf();
    buf.fill(0, this.#bufLen, this.#bufLen + gap);
    buf.set(samples.subarray(skip), this.#bufLen + gap);
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
    this.#reserve(count);
    const buf = this.#buf();
    const len = this.#bufLen;
    const from = (o: number) => this.#position(this.#produced + o)[0] + first - this.#bufStart;
    // The kernel takes the outputs whose taps all lie in the buffer; the few before the input's
    // first sample or past its end (silence there) are summed here.
    let lo = 0;
    while (lo < count && from(lo) < 0) lo++;
    let hi = count;
    while (hi > lo && from(hi - 1) + taps > len) hi--;
    if (hi > lo) {
      const m = this.#produced + lo;
      const cycles = Math.floor(m / this.#up);
      this.#kernel.dots(
        this.#bufAt,
        this.#weightsAt,
        this.#stride / 8,
        this.#cycleAt,
        this.#up,
        this.#down,
        m - cycles * this.#up,
        cycles * this.#down - this.#bufStart,
        hi - lo,
        this.#outAt() + lo * 4,
      );
    }
    const out = new Float32Array(this.#kernel.memory.buffer, this.#outAt(), count).slice();
    const weights = this.#weights();
    const atEdge = (o: number) => {
      const [i, phase] = this.#position(this.#produced + o);
      const at = i + first - this.#bufStart;
      const row = phase * this.#stride;
      let acc = 0;
      for (let t = Math.max(0, -at); t < taps && at + t < len; t++) {
        acc += buf[at + t] * weights[row + t];
      }
      out[o] = acc;
    };
    for (let o = 0; o < lo; o++) atEdge(o);
    for (let o = hi; o < count; o++) atEdge(o);
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
