/**
 * The shape facts of one 3D convolution or pooling, taken from tfjs's own `computeConv3DInfo` /
 * `computePool3DInfo` so that padding ('same', 'valid', explicit) and rounding agree with the
 * stock kernels exactly. Shared by the CPU and WebGPU kernels.
 */
import * as tf from '@tensorflow/tfjs';

/** What tfjs passes a kernel function, with the named inputs that kernel takes. */
export interface KernelArgs<I extends string> {
  inputs: { [name in I]: tf.TensorInfo };
  backend: unknown;
  attrs?: unknown;
}

export type Shape5 = [number, number, number, number, number];
export type Triple = [number, number, number] | number;

export interface ConvGeometry {
  batch: number;
  /** Input volume: depth, height, width, channels. */
  inD: number;
  inH: number;
  inW: number;
  inC: number;
  /** Output volume. */
  outD: number;
  outH: number;
  outW: number;
  outC: number;
  /** Filter extent, strides, dilations and leading padding per spatial axis. */
  fD: number;
  fH: number;
  fW: number;
  sD: number;
  sH: number;
  sW: number;
  dD: number;
  dH: number;
  dW: number;
  pD: number;
  pH: number;
  pW: number;
}

/** Filter taps (kd, kh, kw) in row-major order. */
export function taps(g: ConvGeometry): number {
  return g.fD * g.fH * g.fW;
}

export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: Triple,
  pad: 'valid' | 'same',
  dilations: Triple = 1,
): ConvGeometry {
  const info = tf.backend_util.computeConv3DInfo(
    xShape as Shape5,
    filterShape as Shape5,
    strides,
    dilations,
    pad,
  );
  return fromInfo(info);
}

export function poolGeometry(
  xShape: number[],
  filterSize: Triple,
  strides: Triple,
  pad: 'valid' | 'same' | number,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): ConvGeometry {
  const info = tf.backend_util.computePool3DInfo(
    xShape as Shape5,
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return fromInfo(info);
}

function fromInfo(info: tf.backend_util.Conv3DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inD: info.inDepth,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outD: info.outDepth,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fD: info.filterDepth,
    fH: info.filterHeight,
    fW: info.filterWidth,
    sD: info.strideDepth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    dD: info.dilationDepth,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
    pD: info.padInfo.front,
    pH: info.padInfo.top,
    pW: info.padInfo.left,
  };
}
