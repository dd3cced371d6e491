// PyTorch's time for the benchmarks' autoencoder step (bench/pytorch-ae.py), the reference the
// tfjs figures are printed against: one thread on the CPU here, CUDA where PyTorch sees a GPU.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Volume } from './ae-workload.ts';

/** Median ms of a PyTorch training step, or null where no python3 has torch. */
export function pytorchStepMs(
  v: Volume,
  repeats: number,
  batchNorm = false,
): { ms: number; version: string } | null {
  const script = fileURLToPath(new URL('./pytorch-ae.py', import.meta.url));
  const args = [script, v.batch, v.frames, v.height, v.width, repeats].map(String);
  if (batchNorm) args.push('--bn');
  // The first python3 on PATH may be a pyenv one without Debian's torch.
  const r = ['python3', '/usr/bin/python3']
    .map((py) => spawnSync(py, args, { encoding: 'utf8', timeout: 600_000 }))
    .find((run) => run.status === 0);
  if (!r) return null;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { stepMs: number; torch: string };
  return { ms: out.stepMs, version: out.torch };
}
