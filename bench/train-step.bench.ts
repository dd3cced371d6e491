// One training step (forward + backward + Adadelta) of the paper's full-size autoencoder with
// batch norm, batch 1 and 4 (TRAIN_BENCH_BATCHES=1,4), on the tfjs CPU backend in Node with the
// app's fast conv3d kernels as `initBackend` installs them, their matrix products once in
// JavaScript and once on the wasm backend, against PyTorch CPU (1 thread) on the same model when
// /usr/bin/python3 has torch. The browser's WebGPU is measured by the
// real-GPU script; SwiftShader's WebGPU is ~10× slower than the CPU backend and not run here.
import * as tf from '@tensorflow/tfjs';
import { buildAutoencoder, PAPER_SEQUENCE_SHAPE } from '../src/lib/models/autoencoder.ts';
import { binaryCrossentropy } from '../src/lib/training/losses.ts';
import { makeOptimizer, PAPER_OPTIMIZER } from '../src/lib/training/optimizer.ts';
import { trainStep } from '../src/lib/training/loop.ts';
import { initBackend } from '../src/lib/compute/backend.ts';
import { useWasmGemm } from '../src/lib/compute/kernels/index.ts';
import { startWasmGemm } from '../src/lib/compute/wasm-gemm.ts';
import { PAPER_VOLUME } from './ae-workload.ts';
import { printRows, timeMedian, type Benchmark, type Row } from './harness.ts';
import { pytorchStepMs } from './pytorch.ts';

const BATCHES = (process.env.TRAIN_BENCH_BATCHES ?? '1,4').split(',').map(Number);

/** PyTorch's step per batch size (bench/pytorch-ae.py --bn: the same network, channels-first). */
function torchTimes(): Map<number, number> | null {
  const times = new Map<number, number>();
  for (const batch of BATCHES) {
    const r = pytorchStepMs({ ...PAPER_VOLUME, batch }, 3, true);
    if (!r) return null;
    times.set(batch, r.ms);
  }
  return times;
}

const bench: Benchmark = {
  title:
    'full-size autoencoder training step (BN, Adadelta): tfjs cpu + fast kernels vs PyTorch CPU 1 thread',
  async run() {
    const torch = torchTimes();
    if (!torch) console.log('PyTorch not available: no baseline column.');
    console.log((await initBackend(['cpu'])).reason);
    const wasm = (await startWasmGemm()).gemm;
    const model = buildAutoencoder({ batchNorm: true });
    const optimizer = makeOptimizer(PAPER_OPTIMIZER);
    const rows: Row[] = [];
    for (const b of BATCHES) {
      const x = tf.randomUniform([b, ...PAPER_SEQUENCE_SHAPE]);
      for (const [gemm, label] of [
        [null, 'JS GEMM'],
        [wasm, 'wasm GEMM'],
      ] as const) {
        if (label === 'wasm GEMM' && !gemm) continue;
        useWasmGemm(gemm);
        const ms = await timeMedian(
          () => trainStep(model, optimizer, binaryCrossentropy, { x, y: x }),
          b === 1 ? 3 : 1,
          1,
        );
        const name = `tfjs cpu, ${label}, batch ${b}`;
        rows.push({ name, baselineMs: torch?.get(b) ?? null, ms });
      }
      x.dispose();
    }
    useWasmGemm(wasm);
    printRows('PyTorch CPU', rows);
    model.dispose();
  },
};
export default bench;
