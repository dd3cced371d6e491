// The `cpu` backend's fast Add/Sub/Multiply/Sum/Mean/Slice/PadV2/Relu/Step (compute/kernels/cpu-elementwise.ts)
// against tfjs's stock kernels: every broadcasting pattern the models produce (trailing and
// leading vectors, middle axes, scalars, both sides broadcast), reductions over leading, trailing,
// middle and scattered axes, strided slices and paddings, through the ordinary ops so the registration is
// tested too.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastKernels, uninstallFastKernels } from '../../src/lib/compute/kernels';

function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Runs `f` with the stock kernels and with the fast ones; returns both results' values. */
function both(f: () => tf.Tensor): { stock: tf.Tensor; fast: tf.Tensor } {
  uninstallFastKernels('cpu');
  const stock = f();
  installFastKernels('cpu');
  const fast = f();
  return { stock, fast };
}

function expectClose(fast: tf.Tensor, stock: tf.Tensor, tol: number): void {
  expect(fast.shape).toEqual(stock.shape);
  expect(fast.dtype).toBe(stock.dtype);
  const a = fast.dataSync();
  const b = stock.dataSync();
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  expect(err).toBeLessThanOrEqual(tol);
}

const PAIRS: [number[], number[]][] = [
  [
    [2, 3, 4, 5, 6],
    [2, 3, 4, 5, 6],
  ],
  [[2, 3, 4, 5, 6], [6]],
  [
    [2, 3, 4, 5, 6],
    [1, 1, 1, 1, 6],
  ],
  [
    [1, 1, 1, 1, 6],
    [2, 3, 4, 5, 6],
  ],
  [
    [7, 3, 1, 5],
    [1, 1, 4, 1],
  ],
  [
    [6, 5, 1, 3],
    [1, 1, 4, 1],
  ],
  [
    [3, 1, 5],
    [1, 4, 1],
  ],
  [[4, 5], []],
  [[], [4, 5]],
  [[], []],
  [
    [2, 1, 3],
    [2, 4, 3],
  ],
  [
    [5, 1],
    [1, 6],
  ],
  [[0, 3], [3]],
];

describe('cpu element-wise kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => installFastKernels('cpu'));

  it('replaces the stock kernels under their own names', () => {
    uninstallFastKernels('cpu');
    const names = [
      tf.Add,
      tf.Sub,
      tf.Multiply,
      tf.RealDiv,
      tf.Sum,
      tf.Mean,
      tf.Slice,
      tf.PadV2,
      tf.Relu,
      tf.Step,
    ];
    const stockKernels = names.map((n) => tf.getKernel(n, 'cpu')?.kernelFunc);
    expect(installFastKernels('cpu')).toEqual(expect.arrayContaining(names));
    names.forEach((n, i) => expect(tf.getKernel(n, 'cpu')?.kernelFunc).not.toBe(stockKernels[i]));
  });

  it.each(PAIRS)('add, sub, mul and div of %j and %j equal the stock kernels', (aShape, bShape) => {
    const a = random(aShape, 1);
    const b = random(bShape, 2);
    for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
      const { stock, fast } = both(() => op(a, b));
      expectClose(fast, stock, 0);
    }
  });

  it('leaves int32 to the stock kernels', () => {
    const a = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const b = tf.tensor1d([10, 20, 30], 'int32');
    const { stock, fast } = both(() => tf.sum(tf.mul(tf.add(a, b), b), 1));
    expectClose(fast, stock, 0);
    expect(Array.from(fast.dataSync())).toEqual([11 * 10 + 22 * 20 + 33 * 30]);
  });

  const REDUCTIONS: [number[], number[]][] = [
    [
      [3, 4, 5, 6, 7],
      [0, 1, 2, 3],
    ],
    [[3, 4, 5, 6, 7], [4]],
    [
      [3, 4, 5, 6, 7],
      [1, 3],
    ],
    [
      [3, 4, 5, 6, 7],
      [0, 2, 4],
    ],
    [
      [3, 4, 5, 6, 7],
      [0, 1, 2, 3, 4],
    ],
    [[2, 1, 5], [1]],
    [[200, 33], [0]],
    // upsampling's gradient: the repeat axis between kept ones
    [[7, 3, 2, 5], [2]],
    [[7, 2, 5], [1]],
  ];

  it.each(REDUCTIONS)('sum and mean of %j over %j equal the stock kernels', (shape, axes) => {
    const x = random(shape, 3);
    for (const keepDims of [false, true]) {
      for (const op of [tf.sum, tf.mean]) {
        const { stock, fast } = both(() => op(x, axes, keepDims));
        expectClose(fast, stock, 1e-5);
      }
    }
  });

  const SLICES: [number[], number[], number[]][] = [
    [
      [4, 9, 5, 6, 3],
      [0, 1, 0, 0, 0],
      [4, 7, 5, 6, 3],
    ],
    [
      [4, 9, 5, 6, 3],
      [1, 2, 1, 2, 1],
      [2, 3, 4, 3, 2],
    ],
    [
      [3, 8],
      [1, 0],
      [2, 8],
    ],
    [
      [3, 8],
      [0, 5],
      [3, 1],
    ],
    [[6], [2], [0]],
  ];

  it.each(SLICES)(
    'slices %j from %j, extent %j, as the stock kernel does',
    (shape, begin, size) => {
      const x = random(shape, 6);
      const { stock, fast } = both(() => tf.slice(x, begin, size));
      expectClose(fast, stock, 0);
    },
  );

  const PADS: [number[], [number, number][], number][] = [
    // the autoencoder's time padding before its last convolution
    [
      [2, 28, 6, 8, 3],
      [
        [0, 0],
        [1, 1],
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      0,
    ],
    [
      [3, 4, 5],
      [
        [1, 2],
        [0, 3],
        [2, 0],
      ],
      -1.5,
    ],
    [[7], [[3, 0]], 2],
    [
      [0, 3],
      [
        [1, 1],
        [0, 1],
      ],
      0,
    ],
  ];

  it.each(PADS)('pads %j by %j with %d as the stock kernel does', (shape, paddings, value) => {
    const x = random(shape, 7);
    const { stock, fast } = both(() => tf.pad(x, paddings, value));
    expectClose(fast, stock, 0);
  });

  it('gives relu, its gradient and step as the stock kernels do, NaN and ±0 included', () => {
    const special = tf.tensor1d([NaN, 0, -0, -1e-30, 1e-30, Infinity, -Infinity]);
    for (const x of [random([3, 4, 5, 6], 8), special]) {
      for (const f of [
        () => tf.relu(x),
        () => tf.step(x),
        () => tf.step(x, 0.25),
        () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), t)))(x),
      ]) {
        const { stock, fast } = both(f);
        expect(Array.from(fast.dataSync())).toEqual(Array.from(stock.dataSync()));
      }
    }
  });

  it('gives the same gradients of a broadcasting, reducing expression', () => {
    const x = random([2, 3, 4, 5, 6], 4);
    const g = random([6], 5);
    const f = (x: tf.Tensor) => tf.mean(tf.mul(tf.sub(x, tf.mean(x, [0, 1, 2, 3], true)), g));
    const { stock, fast } = both(() => tf.grad(f)(x));
    expectClose(fast, stock, 1e-6);
  });
});
