/**
 * WebAssembly (SIMD) kernels for the feature extractor's hot loops: the FFT's fused radix-4
 * passes, the real FFT's gather and finishing steps, the inverse STFT's set-up and overlap-add,
 * the CQT's octave resampler and filter responses, the filterbanks and the HPSS running median's
 * window update. They are written in WAT (`wat/*.wat` beside this, one module per transform, all
 * on one shared memory) and compiled to bytes at build time (scripts/wat-kernels.ts). Every
 * kernel does exactly the operations of its TypeScript twin in the same order (IEEE f64 lane by
 * lane, no fused multiply-add), so results are the same numbers (tests/unit/audio-wasm.test.ts);
 * `wasmKernels()` is null where WebAssembly SIMD is unavailable and the callers keep their
 * TypeScript loops. Buffers live in the shared memory (`alloc`, never freed: regions are kept and
 * reused from clip to clip); growing it detaches earlier views, so callers take views after
 * allocating.
 */
import { instantiateKernel, reserveMemory } from '../util/wasm-kernel';
import bankWasm from './wat/bank.wat';
import cqtWasm from './wat/cqt.wat';
import fftWasm from './wat/fft.wat';
import medianWasm from './wat/median.wat';
import realFftWasm from './wat/real-fft.wat';

/** The running-median kernel's signature (all addresses in bytes). */
type MedianKernel = (
  line: number,
  n: number,
  size: number,
  out: number,
  win: number,
  top: number,
  outStride: number,
) => void;

export interface WasmKernels {
  memory: WebAssembly.Memory;
  fft(re: number, im: number, n: number, twr: number, twi: number, q: number, s: number): void;
  median: MedianKernel;
  /** `median` for a 31-value window with a +∞ 32nd slot, by counting. */
  median31: MedianKernel;
  gather(y: number, win: number, zr: number, zi: number, rev: number, h: number, odd: number): void;
  finish(
    zr: number,
    zi: number,
    wr: number,
    wi: number,
    outRe: number,
    outIm: number,
    h: number,
    from: number,
    end: number,
  ): void;
  down(
    ye: number,
    yo: number,
    taps: number,
    out: number,
    m: number,
    mEnd: number,
    half: number,
  ): void;
  bank(
    w: number,
    first: number,
    last: number,
    rows: number,
    cols: number,
    x: number,
    bins: number,
    blocks: number,
    out: number,
    square: number,
  ): void;
  unfinish(
    re: number,
    im: number,
    wr: number,
    wi: number,
    zr: number,
    zi: number,
    rev: number,
    h: number,
  ): void;
  cqpair(
    table: number,
    rows: number,
    reA: number,
    imA: number,
    reB: number,
    imB: number,
    gain: number,
    out: number,
    both: number,
  ): void;
  ola(zr: number, zi: number, win: number, acc: number, h: number, s: number): void;
  /** Byte offset of `bytes` fresh bytes (16-aligned); the memory grows as needed. */
  alloc(bytes: number): number;
  /** A Float64Array view of `length` values at byte offset `at` (of the current buffer). */
  f64(at: number, length: number): Float64Array;
}

let instance: WasmKernels | null | undefined;
let enabled = true;

function instantiate(): WasmKernels | null {
  if (typeof WebAssembly === 'undefined') return null;
  const modules = wasmModuleBytes();
  if (!modules.every((bytes) => WebAssembly.validate(bytes))) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const e = Object.assign(
    {},
    ...modules.map((bytes) => instantiateKernel<object>(new WebAssembly.Module(bytes), memory)),
  ) as Pick<
    WasmKernels,
    | 'fft'
    | 'median'
    | 'median31'
    | 'gather'
    | 'finish'
    | 'down'
    | 'bank'
    | 'unfinish'
    | 'ola'
    | 'cqpair'
  >;
  let top = 16;
  return {
    memory,
    fft: e.fft,
    median: e.median,
    median31: e.median31,
    gather: e.gather,
    finish: e.finish,
    down: e.down,
    bank: e.bank,
    unfinish: e.unfinish,
    ola: e.ola,
    cqpair: e.cqpair,
    alloc(size: number) {
      const at = top;
      top += Math.ceil(size / 16) * 16;
      reserveMemory(memory, top);
      return at;
    },
    f64: (at, length) => new Float64Array(memory.buffer, at, length),
  };
}

/** The module (its memory holds work buffers even while the kernels are disabled), or null. */
export function wasmModule(): WasmKernels | null {
  if (instance === undefined) {
    try {
      instance = instantiate();
    } catch {
      instance = null;
    }
  }
  return instance;
}

/** The kernels, or null where WebAssembly SIMD is unavailable or they are disabled. */
export function wasmKernels(): WasmKernels | null {
  return enabled ? wasmModule() : null;
}

/** Tests and benchmarks: run the TypeScript loops instead (true) or the kernels again (false). */
export function disableWasmKernels(disabled: boolean): void {
  enabled = !disabled;
}

/** The kernel modules' bytes (they share one memory). */
export function wasmModuleBytes(): Uint8Array<ArrayBuffer>[] {
  return [fftWasm, realFftWasm, medianWasm, cqtWasm, bankWasm];
}
