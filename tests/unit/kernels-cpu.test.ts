// The fast `cpu` kernels (src/lib/compute/kernels) against tfjs's stock kernels on random shapes:
// odd sizes, batch > 1, 'same' and 'valid', strides 1 and 2, through the ordinary ops and their
// gradients, so the registration under the stock names is tested too; the convolutions once with
// the JavaScript matrix product and once with the wasm backend's (XNNPACK), cut into many slabs.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installFastKernels,
  uninstallFastKernels,
  useWasmGemm,
} from '../../src/lib/compute/kernels';
import { startWasmGemm, WasmGemm } from '../../src/lib/compute/wasm-gemm';

type Pad = 'same' | 'valid';
type S3 = [number, number, number];
interface Case {
  x: [number, number, number, number, number];
  f: S3;
  out: number;
  strides: S3 | number;
  pad: Pad;
  dilations?: S3 | number;
}

const CASES: Case[] = [
  { x: [1, 5, 6, 7, 3], f: [3, 3, 3], out: 4, strides: 1, pad: 'same' },
  { x: [2, 5, 7, 6, 5], f: [3, 3, 3], out: 6, strides: 1, pad: 'valid' },
  { x: [2, 7, 5, 9, 2], f: [3, 2, 3], out: 5, strides: 2, pad: 'same' },
  { x: [3, 6, 7, 5, 4], f: [2, 3, 3], out: 3, strides: [2, 1, 2], pad: 'valid' },
  { x: [1, 4, 5, 6, 9], f: [1, 1, 1], out: 7, strides: 1, pad: 'same' },
  // ≥ 4× fewer output than input channels and the reverse: the by-taps lowerings
  { x: [2, 7, 6, 5, 8], f: [3, 3, 3], out: 2, strides: 2, pad: 'same' },
  { x: [2, 6, 5, 7, 2], f: [3, 2, 3], out: 9, strides: [1, 2, 1], pad: 'valid' },
  { x: [2, 9, 8, 7, 2], f: [3, 3, 3], out: 2, strides: 1, pad: 'same', dilations: 2 },
];

/** Deterministic values in [-1, 1) so a failure reproduces. */
function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

function maxRelError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(a.shape).toEqual(b.shape);
  let scale = 0;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i]));
  let err = 0;
  for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  return err / Math.max(scale, 1e-12);
}

/** Max-pool gradient by brute force: each window sends its dy to its last maximal element. */
function referencePoolGrad(
  x: tf.Tensor5D,
  dy: tf.Tensor,
  p: { size: S3; strides: S3; pad: Pad },
): tf.Tensor {
  const [B, D, H, W, C] = x.shape;
  const [, OD, OH, OW] = dy.shape;
  const xv = x.dataSync();
  const dyv = dy.dataSync();
  const dx = new Float32Array(xv.length);
  // 'same' pads so that the output is ceil(in / stride); the leading pad is half the total.
  const lead = (inp: number, out: number, k: number, s: number) =>
    p.pad === 'same' ? Math.floor(Math.max(0, (out - 1) * s + k - inp) / 2) : 0;
  const pd = lead(D, OD, p.size[0], p.strides[0]);
  const ph = lead(H, OH, p.size[1], p.strides[1]);
  const pw = lead(W, OW, p.size[2], p.strides[2]);
  const at = (b: number, d: number, h: number, w: number, c: number) =>
    (((b * D + d) * H + h) * W + w) * C + c;
  for (let b = 0; b < B; b++)
    for (let od = 0; od < OD; od++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++)
          for (let c = 0; c < C; c++) {
            let best = -Infinity;
            let arg = -1;
            for (let kd = 0; kd < p.size[0]; kd++)
              for (let kh = 0; kh < p.size[1]; kh++)
                for (let kw = 0; kw < p.size[2]; kw++) {
                  const d = od * p.strides[0] - pd + kd;
                  const h = oh * p.strides[1] - ph + kh;
                  const w = ow * p.strides[2] - pw + kw;
                  if (d < 0 || h < 0 || w < 0 || d >= D || h >= H || w >= W) continue;
                  if (xv[at(b, d, h, w, c)] >= best) {
                    best = xv[at(b, d, h, w, c)];
                    arg = at(b, d, h, w, c);
                  }
                }
            dx[arg] += dyv[(((b * OD + od) * OH + oh) * OW + ow) * C + c];
          }
  return tf.tensor(dx, x.shape);
}

interface Results {
  y: tf.Tensor;
  dx: tf.Tensor;
  dw: tf.Tensor;
}

function convAndGrads(c: Case, x: tf.Tensor5D, w: tf.Tensor5D, dyTarget: tf.Tensor): Results {
  const conv = (xx: tf.Tensor, ww: tf.Tensor) =>
    tf.conv3d(xx as tf.Tensor5D, ww as tf.Tensor5D, c.strides, c.pad, 'NDHWC', c.dilations ?? 1);
  const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx, ww), dyTarget));
  const y = conv(x, w);
  if ((c.dilations ?? 1) !== 1) {
    // tfjs defines no gradient for dilated conv3d; the forward pass is still compared.
    return { y, dx: tf.zeros([1]), dw: tf.zeros([1]) };
  }
  const [dx, dw] = tf.grads(f)([x, w]);
  return { y, dx, dw };
}

describe('fast cpu conv3d kernels equal the stock kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  afterAll(() => uninstallFastKernels('cpu'));

  /** Stock against fast, the fast convolutions' products on `gemm` (null: JavaScript). */
  function compareConv(c: Case, i: number, gemm: WasmGemm | null, tolerance: number): void {
    const x = random(c.x, 10 + i) as tf.Tensor5D;
    const w = random([...c.f, c.x[4], c.out], 20 + i) as tf.Tensor5D;
    uninstallFastKernels('cpu');
    const yShape = tf.conv3d(x, w, c.strides, c.pad, 'NDHWC', c.dilations ?? 1).shape;
    const dyTarget = random(yShape, 30 + i);
    const stock = convAndGrads(c, x, w, dyTarget);
    expect(installFastKernels('cpu')).toContain('Conv3D');
    useWasmGemm(gemm);
    try {
      const fast = convAndGrads(c, x, w, dyTarget);
      expect(maxRelError(fast.y, stock.y)).toBeLessThan(tolerance);
      expect(maxRelError(fast.dx, stock.dx)).toBeLessThan(tolerance);
      expect(maxRelError(fast.dw, stock.dw)).toBeLessThan(tolerance);
    } finally {
      useWasmGemm(null);
    }
  }

  CASES.forEach((c, i) => {
    it(`conv3d ${JSON.stringify(c)}`, () => compareConv(c, i, null, 1e-5));
  });

  describe('with the wasm matrix product', () => {
    /** Counts the products it runs, so a silent fall-back to JavaScript would fail the test. */
    class CountingGemm extends WasmGemm {
      products = 0;
      override product(...args: Parameters<WasmGemm['product']>): void {
        this.products++;
        super.product(...args);
      }
    }
    let gemm: CountingGemm;

    beforeAll(async () => {
      const started = await startWasmGemm();
      expect(started.reason).toContain('WebAssembly matrix product');
      // 700-float slabs: every convolution below is cut into several, the last one partial.
      gemm = new CountingGemm(started.gemm!.backend, 700);
      expect(tf.getBackend()).toBe('cpu');
    });

    CASES.forEach((c, i) => {
      it(`conv3d ${JSON.stringify(c)}`, () => {
        const before = gemm.products;
        compareConv(c, i, gemm, 1e-4);
        // forward, and for undilated cases both gradients, each in more than one slab
        expect(gemm.products - before).toBeGreaterThan((c.dilations ?? 1) === 1 ? 6 : 2);
      });
    });

    it('multiplies odd-shaped matrices as the cpu backend does', () => {
      for (const [M, K, N] of [
        [1, 1, 1],
        [7, 13, 3],
        [129, 81, 32],
        [33, 250, 65],
      ]) {
        const a = random([M, K], M);
        const b = random([K, N], N);
        const want = tf.matMul(a, b);
        const av = a.dataSync();
        const bv = b.dataSync();
        let got = new Float32Array(0);
        gemm.product(
          M,
          K,
          N,
          (heap) => heap.set(av),
          (heap) => heap.set(bv),
          (c) => (got = c.slice()),
        );
        expect(maxRelError(tf.tensor(got, [M, N]), want)).toBeLessThan(1e-5);
      }
    });

    it('leaves no wasm memory behind', () => {
      const backend = gemm.backend as unknown as { numDataIds(): number };
      const held = backend.numDataIds();
      compareConv(CASES[2], 2, gemm, 1e-4);
      expect(backend.numDataIds()).toBe(held);
    });

    it('falls back to JavaScript, saying why, without WebAssembly', async () => {
      const saved = globalThis.WebAssembly;
      Object.defineProperty(globalThis, 'WebAssembly', { value: undefined, configurable: true });
      try {
        const started = await startWasmGemm();
        expect(started.gemm).toBeNull();
        expect(started.reason).toMatch(
          /plain JavaScript \(WebAssembly unavailable: no WebAssembly\)/,
        );
      } finally {
        Object.defineProperty(globalThis, 'WebAssembly', { value: saved, configurable: true });
      }
    });
  });

  const POOLS: { x: number[]; size: S3; strides: S3; pad: Pad }[] = [
    { x: [2, 6, 7, 9, 3], size: [2, 2, 2], strides: [2, 2, 2], pad: 'valid' },
    { x: [1, 7, 5, 6, 4], size: [3, 3, 3], strides: [2, 2, 2], pad: 'same' },
    { x: [2, 5, 5, 5, 2], size: [2, 3, 2], strides: [1, 1, 1], pad: 'valid' },
  ];
  POOLS.forEach((p, i) => {
    it(`maxPool3d and its gradient ${JSON.stringify(p)}`, () => {
      // Rounded values make ties, where the gradient must go to the same element as stock.
      const x = tf.round(tf.mul(random(p.x, 40 + i), 3)) as tf.Tensor5D;
      const run = () => {
        const y = tf.maxPool3d(x, p.size, p.strides, p.pad);
        const dyT = random(y.shape, 50 + i);
        const dx = tf.grad((xx: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool3d(xx as tf.Tensor5D, p.size, p.strides, p.pad), dyT)),
        )(x);
        return { y, dx, dyT };
      };
      uninstallFastKernels('cpu');
      const stock = run();
      installFastKernels('cpu');
      const fast = run();
      expect(maxRelError(fast.y, stock.y)).toBe(0);
      expect(maxRelError(fast.dx, referencePoolGrad(x, fast.dyT, p))).toBeLessThan(1e-6);
      // tfjs's stock gradient mixes up window height and width (pool_utils maxPool3dPositions),
      // so it is only a reference for cubic windows.
      if (p.size[1] === p.size[2]) expect(maxRelError(fast.dx, stock.dx)).toBeLessThan(1e-6);
      // the gradient kernel alone, on an input no forward pass has seen (nothing cached)
      const fresh = tf.add(x, 0);
      const attrs = { filterSize: p.size, strides: p.strides, pad: p.pad };
      const direct = tf.engine().runKernel('MaxPool3DGrad', { dy: fast.dyT, input: fresh }, attrs);
      expect(maxRelError(direct as tf.Tensor, referencePoolGrad(x, fast.dyT, p))).toBeLessThan(
        1e-6,
      );
    });
  });

  it('installs idempotently and restores the stock kernels', () => {
    installFastKernels('cpu');
    const fast = tf.getKernel('Conv3D', 'cpu')!.kernelFunc;
    installFastKernels('cpu');
    expect(tf.getKernel('Conv3D', 'cpu')!.kernelFunc).toBe(fast);
    uninstallFastKernels('cpu');
    expect(tf.getKernel('Conv3D', 'cpu')!.kernelFunc).not.toBe(fast);
    expect(installFastKernels('webgl')).toEqual([]);
  });
});
