/**
 * The frame scaler's two passes as a small WebAssembly SIMD module: `vpass` and `hpass` in
 * `wat/scale.wat` (float32, four lanes per operation where float64 has two), compiled at build
 * time. Scaling a 1080p picture to 64×36 is ~12 M multiply-adds in the vertical pass and ~0.6 M in
 * the horizontal one, ~2 ns each in plain JavaScript.
 */
import { kernelInstances } from '../util/wasm-kernel';
import scaleWasm from './wat/scale.wat';

/** Source bytes per vertical step: the column block of `vpass` (wat/scale.wat). */
export const VPASS_BLOCK = 32;

/** Taps per horizontal step of `hpass` (two f32x4 accumulators, so that adds do not wait). */
export const HPASS_STEP = 8;

export interface ScaleKernel {
  memory: WebAssembly.Memory;
  vpass(
    src: number,
    stride: number,
    taps: number,
    nTaps: number,
    outRows: number,
    blocks: number,
    out: number,
  ): void;
  hpass(
    mid: number,
    rowBytes: number,
    rows: number,
    starts: number,
    weights: number,
    nTaps: number,
    outW: number,
    out: number,
  ): void;
}

const instances = kernelInstances<Pick<ScaleKernel, 'vpass' | 'hpass'>>(scaleWasm);

/** A fresh instance with its own memory; compiling the module happens once per worker. */
export function scaleKernel(): ScaleKernel {
  const { memory, exports } = instances();
  return { memory, vpass: exports.vpass, hpass: exports.hpass };
}
