/**
 * The resampler's filter sums as a small WebAssembly SIMD module: `dots` in `wat/resample.wat`
 * (float32, eight taps a step), compiled at build time. Resampling a movie's 48-kHz audio to
 * 22050 Hz takes 72 multiply-adds per output sample, where plain JavaScript would be the largest
 * cost of the WebCodecs ingest after the browser's decoder.
 */
import { kernelInstances } from '../util/wasm-kernel';
import resampleWasm from './wat/resample.wat';

export interface ResampleKernel {
  memory: WebAssembly.Memory;
  dots(
    buf: number,
    weights: number,
    taps8: number,
    cycle: number,
    up: number,
    down: number,
    r: number,
    base: number,
    count: number,
    out: number,
  ): void;
}

const instances = kernelInstances<Pick<ResampleKernel, 'dots'>>(resampleWasm);

/** A fresh instance with its own memory; compiling the module happens once per worker. */
export function resampleKernel(): ResampleKernel {
  const { memory, exports } = instances();
  return { memory, dots: exports.dots };
}
