// Native ffmpeg as the reference the ingest is compared with: the frames and audio it makes from
// a file with the same filters the app's decoder uses.
import { execFileSync } from 'node:child_process';

const run = (args: string[]) =>
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { maxBuffer: 1 << 28 });

/** rgb24 frames of `file` through `filter` (default: the paper's fps=1,scale=64:36). */
export function nativeFrames(
  file: string,
  filter = 'fps=1,scale=64:36',
  globalOptions: string[] = [],
): Buffer {
  return run([
    ...globalOptions,
    '-i',
    file,
    '-vf',
    filter,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-',
  ]);
}

/** f32le samples of `file` through an audio filter. */
export function nativeAudio(
  file: string,
  filter: string,
  globalOptions: string[] = [],
): Float32Array {
  const out = run([...globalOptions, '-i', file, '-af', filter, '-f', 'f32le', '-']);
  return new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
}

export { run as runNativeFfmpeg };
