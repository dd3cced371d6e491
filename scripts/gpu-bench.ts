// The conv3d benchmark on a real GPU, in Node: tfjs-backend-webgpu over Dawn (the `webgpu` npm
// package), stock tfjs kernels against ours (src/lib/compute/kernels) on the same adapter, per
// kernel of the paper's autoencoder and for a whole training step, plus the epoch time that step
// implies for the paper's 2301 sequences. One prepared run; prints the adapter first.
//
//   npx tsx scripts/gpu-bench.ts [FRAMESxHEIGHTxWIDTH] [BATCH] [REPEATS] [--no-stock]
//   (defaults 30x36x64 1 5; --no-stock skips timing tfjs's own kernels, the slow part). Without a GPU, Chromium's SwiftShader works on a tiny size:
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json npx tsx scripts/gpu-bench.ts 6x8x16 2 2
import type * as tfTypes from '@tensorflow/tfjs';
import { create, globals } from 'webgpu';

// tfjs-backend-webgpu looks for navigator.gpu and the WebGPU globals when it is imported.
Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: create(['enable-dawn-features=allow_unsafe_apis']) },
  configurable: true,
  writable: true,
});

const tf = await import('@tensorflow/tfjs');
const { describeAdapter, adapterLabel } = await import('../src/lib/compute/backend.ts');
const { installFastKernels, uninstallFastKernels } =
  await import('../src/lib/compute/kernels/index.ts');
const { autoencoderStep, kernelCases, parseVolume, prepareKernel, stepFlops } =
  await import('../bench/ae-workload.ts');

const EPOCH_SEQUENCES = 2301;
const withStock = !process.argv.includes('--no-stock');
const [sizeArg, batchArg, repeatsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const volume = parseVolume(sizeArg, Number(batchArg ?? 1));
const repeats = Number(repeatsArg ?? 5);

if (!(await tf.setBackend('webgpu'))) throw new Error('The webgpu backend did not start');
await tf.ready();
const adapter = await describeAdapter();
console.log(`adapter: ${adapterLabel(adapter)}`);
console.log(
  `volume ${volume.batch}×${volume.frames}×${volume.height}×${volume.width}×3, ` +
    `median of ${repeats} after a warm-up`,
);

/** Median ms of `fn` (which enqueues GPU work and returns a tensor), waiting for the device. */
async function timeGpu(fn: () => tfTypes.Tensor): Promise<number> {
  const finish = async (t: tfTypes.Tensor) => {
    const one = tf.slice(tf.reshape(t, [-1]), 0, 1);
    await one.data();
    one.dispose();
    t.dispose();
  };
  await finish(fn());
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await finish(fn());
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function timeStep(step: () => Promise<number>): Promise<number> {
  await step();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const gf = (flops: number, ms: number) => (flops / ms / 1e6).toPrecision(3).padStart(8);
console.log('kernel            stock ms    new ms   speed-up   stock GFLOP/s   new GFLOP/s');
for (const c of kernelCases(volume)) {
  const k = prepareKernel(c);
  uninstallFastKernels('webgpu');
  const stock = withStock ? await timeGpu(k.run) : NaN;
  installFastKernels('webgpu');
  const fast = await timeGpu(k.run);
  k.dispose();
  console.log(
    `${c.name.padEnd(16)} ${stock.toFixed(2).padStart(9)} ${fast.toFixed(2).padStart(9)} ` +
      `${(stock / fast).toFixed(2).padStart(9)}×   ${gf(c.flops, stock)}      ${gf(c.flops, fast)}`,
  );
}

// tfjs's own matMul on the same adapter and a comparable size: the speed the kernels aim at.
const mm = 2 * 4096 * 864 * 64;
const a = tf.randomUniform([4096, 864]);
const b = tf.randomUniform([864, 64]);
const mmMs = await timeGpu(() => tf.matMul(a, b));
console.log(`tfjs matMul 4096×864 · 864×64: ${mmMs.toFixed(2)} ms, ${gf(mm, mmMs).trim()} GFLOP/s`);
a.dispose();
b.dispose();

const ae = autoencoderStep(volume);
installFastKernels('webgpu');
const step = await timeStep(() => ae.step());
const flops = stepFlops(volume);
const epochS = (Math.ceil(EPOCH_SEQUENCES / volume.batch) * step) / 1000;
console.log(
  `AE training step, new kernels: ${step.toFixed(1)} ms (${gf(flops, step).trim()} GFLOP/s)`,
);
console.log(
  `estimated AE epoch (${EPOCH_SEQUENCES} sequences, batch ${volume.batch}): ${epochS.toFixed(1)} s` +
    `${sizeArg && sizeArg !== '30x36x64' ? ' (at this volume, not the paper’s)' : ''}`,
);
// Where a step's time goes: steps queued back to back against waiting for each loss, how many
// programs one step dispatches, and (where the adapter offers timestamp queries) GPU time per
// kernel. Run for the bench's bare workload and for the app's own model and training step.
const QUEUED = 10;

async function queuedStepMs(enqueue: () => tfTypes.Tensor): Promise<number> {
  await enqueue().data();
  const t0 = performance.now();
  const losses = Array.from({ length: QUEUED }, enqueue);
  await losses[QUEUED - 1].data();
  tf.dispose(losses);
  return (performance.now() - t0) / QUEUED;
}

async function breakdown(enqueue: () => tfTypes.Tensor): Promise<void> {
  const backend = tf.backend() as unknown as {
    runWebGPUProgram: (...args: unknown[]) => unknown;
  };
  const run = backend.runWebGPUProgram.bind(backend);
  const programs = new Map<string, number>();
  backend.runWebGPUProgram = (...args: unknown[]) => {
    const name = (args[0] as object).constructor.name;
    programs.set(name, (programs.get(name) ?? 0) + 1);
    return run(...args);
  };
  const profile = await tf.profile(enqueue);
  backend.runWebGPUProgram = run;
  tf.dispose(profile.result as tfTypes.Tensor);
  const dispatches = [...programs.values()].reduce((a, b) => a + b, 0);
  const byKernel = new Map<string, number>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
  }
  const gpuMs = [...byKernel.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  one step: ${profile.kernels.length} kernels, ${dispatches} GPU programs dispatched; ` +
      `GPU time by timestamp queries ${gpuMs.toFixed(1)} ms` +
      (gpuMs === 0 ? ' (no timestamp-query on this adapter)' : ''),
  );
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(
    top.map(([k, ms]) => `    ${k.padEnd(22)} ${ms.toFixed(2).padStart(8)} ms`).join('\n'),
  );
  console.log(
    '  ' +
      [...programs.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}×${n}`)
        .join(' '),
  );
}

const epochOf = (ms: number) =>
  `${((Math.ceil(EPOCH_SEQUENCES / volume.batch) * ms) / 1000).toFixed(1)} s per epoch`;
const queuedMs = await queuedStepMs(() => ae.enqueue());
console.log(
  `AE step, ${QUEUED} steps queued before one read: ${queuedMs.toFixed(1)} ms per step, ` +
    `${epochOf(queuedMs)} (awaited one by one: ${step.toFixed(1)} ms)`,
);
await breakdown(() => ae.enqueue());

// The app's own path: the paper's autoencoder as tf.layers with batch norm, the training loop's
// step (BCE, Keras Adadelta), steps queued as the loop queues them.
const { buildAutoencoder } = await import('../src/lib/models/autoencoder.ts');
const { binaryCrossentropy } = await import('../src/lib/training/losses.ts');
const { makeOptimizer, PAPER_OPTIMIZER } = await import('../src/lib/training/optimizer.ts');
const { queueStep } = await import('../src/lib/training/loop.ts');
for (const batchNorm of [true, false]) {
  const model = buildAutoencoder({
    batchNorm,
    inputShape: [volume.frames, volume.height, volume.width, 3],
  });
  const modelOptimizer = makeOptimizer(PAPER_OPTIMIZER);
  const xb = tf.randomUniform([volume.batch, volume.frames, volume.height, volume.width, 3]);
  const modelStep = () => queueStep(model, modelOptimizer, binaryCrossentropy, { x: xb, y: xb });
  try {
    const ms = await queuedStepMs(modelStep);
    console.log(
      `paper autoencoder (tf.layers, batch norm ${batchNorm ? 'on' : 'off'}) training step: ` +
        `${ms.toFixed(1)} ms, ${epochOf(ms)}`,
    );
    await breakdown(modelStep);
  } catch (err) {
    console.log(`paper autoencoder step failed: ${err instanceof Error ? err.message : err}`);
  }
  tf.dispose(xb);
  model.dispose();
  modelOptimizer.dispose();
}

// Stock last: at large batches tfjs's own kernels can exceed WebGPU's dispatch limits.
uninstallFastKernels('webgpu');
if (withStock)
  try {
    const stockStep = await timeStep(() => ae.step());
    console.log(
      `AE training step, stock kernels: ${stockStep.toFixed(1)} ms (${gf(flops, stockStep).trim()} GFLOP/s); ` +
        `new is ${(stockStep / step).toFixed(2)}× faster`,
    );
  } catch (err) {
    console.log(
      `AE training step, stock kernels: failed (${err instanceof Error ? err.message : err})`,
    );
  }
ae.dispose();
process.exit(0);
