// Running the cluster trainer (cluster/, PyTorch) from tests: Debian's python3-torch and
// torchrun, with the package on PYTHONPATH. Absent PyTorch is an error that says how to get it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readNpy } from '../src/lib/util/npy';

export const PYTHON = '/usr/bin/python3';
const TORCHRUN = '/usr/bin/torchrun';
const env = { ...process.env, PYTHONPATH: resolve('cluster'), OMP_NUM_THREADS: '1' };

export function requirePyTorch(): void {
  if (!existsSync(TORCHRUN) || spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    throw new Error(
      'The cluster tests need PyTorch for /usr/bin/python3 and torchrun: ' +
        'apt-get install python3-torch (Debian), as .ci/run does.',
    );
  }
}

/** Runs a command; a failure throws with its output and any torchrun worker logs under `logs`. */
export function run(cmd: string, args: string[], logs?: string): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    const workers = logs
      ? spawnSync('sh', ['-c', `cat ${logs}/*/*/*/stderr.log 2>/dev/null`], { encoding: 'utf8' })
          .stdout
      : '';
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}\n${workers}`);
  }
  return r.stdout;
}

/** `python3 -m cinebreath_cluster.<module> …` */
export const python = (module: string, args: string[]) =>
  run(PYTHON, ['-m', `cinebreath_cluster.${module}`, ...args]);

/**
 * `torchrun --nproc_per_node N -m cinebreath_cluster.train …`. Debian's torch 1.13 on Python 3.11
 * cannot parse torchrun's default "--redirects 0" (an IntFlag change in 3.11), so the workers'
 * stdout is teed and their stderr kept in log files under `logs`.
 */
export function torchrun(nproc: number, port: number, logs: string, args: string[]): string {
  return run(
    TORCHRUN,
    [
      '--nproc_per_node',
      String(nproc),
      '--master_port',
      String(port),
      '--redirects',
      '2',
      '--tee',
      '1',
      '--log_dir',
      logs,
      '-m',
      'cinebreath_cluster.train',
      ...args,
    ],
    logs,
  );
}

export const readNpyFile = (path: string) => readNpy(new Uint8Array(readFileSync(path)).buffer);

export const weightsFile = (dir: string, json: string) =>
  join(dir, json.replace(/\.json$/, '.weights.bin'));

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
