// 3D convolution kernels on the `cpu` backend: tfjs's stock kernels against ours
// (src/lib/compute/kernels), per kernel of the paper's autoencoder and for one whole training
// step, with PyTorch CPU (one thread) as the reference when Debian's python3-torch is present.
// Size: CONV_BENCH_SIZE=FRAMESxHEIGHTxWIDTH (default 30x36x64), CONV_BENCH_BATCH (default 1).
// The WebGPU counterpart is scripts/gpu-bench.ts.
import * as tf from '@tensorflow/tfjs';
import { installFastKernels, uninstallFastKernels } from '../src/lib/compute/kernels';
import {
  autoencoderStep,
  kernelCases,
  parseVolume,
  prepareKernel,
  stepFlops,
} from './ae-workload.ts';
import { printRows, timeMedian, type Benchmark, type Row } from './harness.ts';
import { pytorchStepMs } from './pytorch.ts';

const gflops = (flops: number, ms: number) => `${(flops / ms / 1e6).toFixed(2)} GFLOP/s`;

const bench: Benchmark = {
  title: 'conv3d / maxPool3d on cpu: stock tfjs vs fast kernels vs PyTorch',
  async run() {
    const v = parseVolume(process.env.CONV_BENCH_SIZE, Number(process.env.CONV_BENCH_BATCH ?? 1));
    await tf.setBackend('cpu');
    await tf.ready();
    console.log(`volume ${v.batch}×${v.frames}×${v.height}×${v.width}×3`);

    const rows: Row[] = [];
    for (const c of kernelCases(v)) {
      const k = prepareKernel(c);
      const time = () => timeMedian(() => k.run().dispose(), 3, 1);
      uninstallFastKernels('cpu');
      const stockMs = await time();
      installFastKernels('cpu');
      const ms = await time();
      k.dispose();
      rows.push({
        name: c.name,
        baselineMs: stockMs,
        ms,
        extra: `${gflops(c.flops, stockMs)} → ${gflops(c.flops, ms)}`,
      });
    }

    const ae = autoencoderStep(v);
    uninstallFastKernels('cpu');
    const stockStep = await timeMedian(() => ae.step(), 2, 1);
    installFastKernels('cpu');
    const step = await timeMedian(() => ae.step(), 3, 1);
    ae.dispose();
    const flops = stepFlops(v);
    rows.push({
      name: 'AE training step',
      baselineMs: stockStep,
      ms: step,
      extra: `${gflops(flops, stockStep)} → ${gflops(flops, step)} (conv FLOPs only)`,
    });
    printRows('stock tfjs', rows);

    const torch = pytorchStepMs(v, 5);
    if (torch) {
      console.log(
        `PyTorch ${torch.version} CPU 1 thread: ${torch.ms.toFixed(1)} ms per step; ` +
          `stock tfjs ${(stockStep / torch.ms).toFixed(1)}× slower, fast kernels ` +
          `${(step / torch.ms).toFixed(1)}× slower`,
      );
    } else {
      console.log('PyTorch: not available (python3 -c "import torch" failed)');
    }
  },
};
export default bench;
