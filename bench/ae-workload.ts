// The paper's video autoencoder as a training workload for benchmarks: its five Conv3D layers and
// two MaxPool3D layers as single kernels, and one whole training step (forward, backward,
// Adadelta) built from tf ops. Shared by bench/conv3d.bench.ts (cpu) and scripts/gpu-bench.ts
// (webgpu in Node), so both time the same work. Batch normalisation is left out (the saved Keras
// model has none); upsampling and padding use rank-3 views, which every backend runs correctly.
import * as tf from '@tensorflow/tfjs';
import { makeOptimizer, PAPER_OPTIMIZER } from '../src/lib/training/optimizer';

export interface Volume {
  batch: number;
  frames: number;
  height: number;
  width: number;
}

export const PAPER_VOLUME: Volume = { batch: 1, frames: 30, height: 36, width: 64 };

/** "30x36x64" (frames × height × width); height and width must be multiples of 4. */
export function parseVolume(text: string | undefined, batch: number): Volume {
  if (!text) return { ...PAPER_VOLUME, batch };
  const [frames, height, width] = text.split('x').map(Number);
  if (![frames, height, width].every((n) => Number.isInteger(n) && n >= 4)) {
    throw new Error(`Bad volume "${text}": expected FRAMESxHEIGHTxWIDTH, e.g. 30x36x64`);
  }
  return { batch, frames, height, width };
}

export interface KernelCase {
  name: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: Record<string, unknown>;
  /** Floating-point operations (multiply and add counted separately). */
  flops: number;
}

const FILTERS = [32, 64, 64, 32, 3];

/** Every conv3d kernel (forward, input and filter gradient) and pooling kernel of one AE step. */
export function kernelCases(v: Volume): KernelCase[] {
  const { batch: B } = v;
  const d1 = Math.floor(v.frames / 2);
  const d2 = Math.floor(d1 / 2);
  const convs: [string, number[], number][] = [
    ['conv1', [B, v.frames, v.height, v.width, 3], FILTERS[0]],
    ['conv2', [B, d1, v.height / 2, v.width / 2, FILTERS[0]], FILTERS[1]],
    ['conv3', [B, d2, v.height / 4, v.width / 4, FILTERS[1]], FILTERS[2]],
    ['conv4', [B, 2 * d2, v.height / 2, v.width / 2, FILTERS[2]], FILTERS[3]],
    ['conv5', [B, v.frames, v.height, v.width, FILTERS[3]], FILTERS[4]],
  ];
  const cases: KernelCase[] = [];
  for (const [name, x, out] of convs) {
    const filterShape = [3, 3, 3, x[4], out];
    const y = [...x.slice(0, 4), out];
    const flops = 2 * x.slice(0, 4).reduce((a, b) => a * b, 1) * 27 * x[4] * out;
    const attrs = { strides: [1, 1, 1], pad: 'same', dilations: [1, 1, 1] };
    cases.push({
      name: `${name} fwd`,
      kernel: 'Conv3D',
      inputs: { x, filter: filterShape },
      attrs,
      flops,
    });
    if (name !== 'conv1') {
      cases.push({
        name: `${name} dx`,
        kernel: 'Conv3DBackpropInputV2',
        inputs: { dy: y, filter: filterShape },
        attrs: { ...attrs, inputShape: x },
        flops,
      });
    }
    cases.push({
      name: `${name} dw`,
      kernel: 'Conv3DBackpropFilterV2',
      inputs: { x, dy: y },
      attrs: { ...attrs, filterShape },
      flops,
    });
  }
  const pools: [string, number[]][] = [
    ['pool1', [B, v.frames, v.height, v.width, FILTERS[0]]],
    ['pool2', [B, d1, v.height / 2, v.width / 2, FILTERS[1]]],
  ];
  for (const [name, x] of pools) {
    const attrs = { filterSize: [2, 2, 2], strides: [2, 2, 2], pad: 'valid', dataFormat: 'NDHWC' };
    const y = [x[0], Math.floor(x[1] / 2), x[2] / 2, x[3] / 2, x[4]];
    const flops = x.reduce((a, b) => a * b, 1);
    cases.push({ name: `${name} fwd`, kernel: 'MaxPool3D', inputs: { x }, attrs, flops });
    cases.push({
      name: `${name} grad`,
      kernel: 'MaxPool3DGrad',
      inputs: { dy: y, input: x },
      attrs,
      flops,
    });
  }
  return cases;
}

/** FLOPs of one training step's convolutions: forward, input gradients (not conv1's), filter gradients. */
export function stepFlops(v: Volume): number {
  return kernelCases(v)
    .filter((c) => c.kernel.startsWith('Conv3D'))
    .reduce((s, c) => s + c.flops, 0);
}

/** Random inputs for a kernel case; `run()` enqueues the kernel and returns its output. */
export function prepareKernel(c: KernelCase): { run(): tf.Tensor; dispose(): void } {
  const inputs: Record<string, tf.Tensor> = {};
  let seed = 1;
  for (const [k, shape] of Object.entries(c.inputs)) {
    inputs[k] = tf.randomUniform(shape, -1, 1, 'float32', seed++);
  }
  return {
    run: () =>
      tf.engine().runKernel(c.kernel, inputs, c.attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
    dispose: () => Object.values(inputs).forEach((t) => t.dispose()),
  };
}

/** Nearest-neighbour ×2 along axes 1–3 of a rank-5 tensor, through rank-3 views. */
function upsample2(x: tf.Tensor): tf.Tensor {
  let y = x;
  for (const axis of [1, 2, 3]) {
    const shape = y.shape;
    const outer = shape.slice(0, axis + 1).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    // A broadcast product, not tf.tile: tile's gradient is a strided Slice, ~27 s per step on cpu.
    const tiled = tf.mul(tf.reshape(y, [outer, 1, inner]), tf.ones([1, 2, 1]));
    const next = [...shape];
    next[axis] *= 2;
    y = tf.reshape(tiled, next);
  }
  return y;
}

/** Zero-pads the time axis (axis 1) of a rank-5 tensor to `frames`, through a rank-3 view. */
function padFrames(x: tf.Tensor, frames: number): tf.Tensor {
  const [B, D, H, W, C] = x.shape;
  const front = Math.floor((frames - D) / 2);
  const flat = tf.pad(tf.reshape(x, [B, D, H * W * C]), [
    [0, 0],
    [front, frames - D - front],
    [0, 0],
  ]);
  return tf.reshape(flat, [B, frames, H, W, C]);
}

/**
 * One training step of the autoencoder on a fixed random batch: forward, binary cross-entropy
 * against the input, backward, Adadelta (lr 1, rho 0.95, epsilon 1e-7). `step()` resolves with
 * the loss once the step has finished on the device.
 */
export interface AutoencoderStep {
  /** One step, waiting for its loss. */
  step(): Promise<number>;
  /** One step left on the device queue; the returned loss tensor is the caller's to dispose. */
  enqueue(): tf.Scalar;
  dispose(): void;
}

export function autoencoderStep(v: Volume): AutoencoderStep {
  const x = tf.randomUniform([v.batch, v.frames, v.height, v.width, 3], 0, 1, 'float32', 7);
  const channels = [3, ...FILTERS.slice(0, 4)];
  const weights = FILTERS.map((out, i) => {
    const fan = 27 * (channels[i] + out);
    return tf.variable(
      tf
        .randomUniform([3, 3, 3, channels[i], out], -1, 1, 'float32', 100 + i)
        .mul(Math.sqrt(6 / fan)),
    );
  });
  const biases = FILTERS.map((out) => tf.variable(tf.zeros([out])));
  // Bias and activation on a rank-2 view: some rank-5 elementwise ops are broken on webgpu.
  const conv = (h: tf.Tensor, i: number, act: (t: tf.Tensor) => tf.Tensor) => {
    const y = tf.conv3d(h as tf.Tensor5D, weights[i] as tf.Variable<tf.Rank.R5>, 1, 'same');
    return tf.reshape(act(tf.add(tf.reshape(y, [-1, FILTERS[i]]), biases[i])), y.shape);
  };
  const pool = (h: tf.Tensor) => tf.maxPool3d(h as tf.Tensor5D, 2, 2, 'valid');
  const optimizer = makeOptimizer(PAPER_OPTIMIZER);
  const loss = () => {
    let h: tf.Tensor = pool(conv(x, 0, tf.relu));
    h = pool(conv(h, 1, tf.relu));
    h = upsample2(conv(h, 2, tf.relu));
    h = padFrames(upsample2(conv(h, 3, tf.relu)), v.frames);
    const p = tf.reshape(conv(h, 4, tf.sigmoid), [v.batch, -1]);
    const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    const t = tf.reshape(x, [v.batch, -1]);
    const bce = tf.add(tf.mul(t, tf.log(q)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, q))));
    return tf.neg(tf.mean(bce)) as tf.Scalar;
  };
  const enqueue = () => optimizer.minimize(loss, true)!;
  return {
    async step() {
      const l = enqueue();
      const value = (await l.data())[0];
      l.dispose();
      return value;
    },
    enqueue,
    dispose() {
      x.dispose();
      weights.forEach((w) => w.dispose());
      biases.forEach((b) => b.dispose());
      optimizer.dispose();
    },
  };
}
