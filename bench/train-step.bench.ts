// One training step (forward + backward + Adadelta) of the paper's full-size autoencoder with
// batch norm, batch 1 and 4 (TRAIN_BENCH_BATCHES=1,4), on the tfjs CPU backend in Node with the
// app's fast conv3d kernels as `initBackend` installs them, their matrix products once in
// JavaScript and once on the wasm backend, against PyTorch CPU (1 thread) on the same model when
// /usr/bin/python3 has torch. The browser's WebGPU is measured by the
// real-GPU script; SwiftShader's WebGPU is ~10× slower than the CPU backend and not run here.
//   TRAIN_BENCH_BATCHES=4 TRAIN_BENCH_PRODUCTS=wasm TRAIN_BENCH_ROUNDS=5 npm run bench train-step
// times batch 4 on the wasm product only, PyTorch and tfjs alternately five times.
import { readFileSync } from 'node:fs';
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
/** `wasm` skips the JavaScript product (a batch-4 step takes ~30 s with it). */
const PRODUCTS = (process.env.TRAIN_BENCH_PRODUCTS ?? 'js,wasm').split(',');
/**
 * Rounds of (PyTorch, tfjs) measured alternately, so that both see the same load on a shared
 * machine; each round prints its own ratio, the table the medians.
 */
const ROUNDS = Math.max(1, Number(process.env.TRAIN_BENCH_ROUNDS ?? 1));

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

/** PyTorch's step at one batch size (bench/pytorch-ae.py --bn: the same network, channels-first). */
function torchMs(batch: number): number | null {
  return pytorchStepMs({ ...PAPER_VOLUME, batch }, 3, true)?.ms ?? null;
}

const bench: Benchmark = {
  title:
    'full-size autoencoder training step (BN, Adadelta): tfjs cpu + fast kernels vs PyTorch CPU 1 thread',
  async run() {
    console.log((await initBackend(['cpu'])).reason);
    const wasm = (await startWasmGemm()).gemm;
    const model = buildAutoencoder({ batchNorm: true });
    const optimizer = makeOptimizer(PAPER_OPTIMIZER);
    const rows: Row[] = [];
    let torchMissing = false;
    for (const b of BATCHES) {
      const x = tf.randomUniform([b, ...PAPER_SEQUENCE_SHAPE]);
      const step = () => trainStep(model, optimizer, binaryCrossentropy, { x, y: x });
      for (const [gemm, label] of [
        [null, 'JS GEMM'],
        [wasm, 'wasm GEMM'],
      ] as const) {
        if (label === 'wasm GEMM' && !gemm) continue;
        if (!PRODUCTS.includes(label === 'JS GEMM' ? 'js' : 'wasm')) continue;
        useWasmGemm(gemm);
        await step(); // warm-up
        const torchTimes: number[] = [];
        const times: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const torch = torchMissing ? null : torchMs(b);
          if (torch == null) torchMissing = true;
          else torchTimes.push(torch);
          times.push(await timeMedian(step, b === 1 ? 3 : 1, 0));
          const t = times[times.length - 1];
          console.log(
            `  round ${round + 1}, ${label}, batch ${b}: tfjs ${t.toFixed(0)} ms, PyTorch ${
              torch == null
                ? '—'
                : `${torch.toFixed(0)} ms (tfjs / PyTorch ${(t / torch).toFixed(2)}×)`
            }, load ${loadAverage()}`,
          );
        }
        const name = `tfjs cpu, ${label}, batch ${b}`;
        rows.push({
          name,
          baselineMs: torchTimes.length ? median(torchTimes) : null,
          ms: median(times),
        });
      }
      x.dispose();
    }
    if (torchMissing) console.log('PyTorch not available: no baseline column.');
    useWasmGemm(wasm);
    printRows('PyTorch CPU', rows);
    model.dispose();
  },
};
export default bench;
