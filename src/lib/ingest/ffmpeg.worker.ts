/**
 * The ffmpeg.wasm decoder worker: the fallback that reads any format FFmpeg 5.1 reads. The file is
 * mounted with WORKERFS (read in place, never copied into wasm memory, so 5-GB films work), and
 * ffmpeg writes its two raw outputs into character devices whose write callbacks feed the
 * sequence assembler, so every finished sequence leaves the worker while ffmpeg is still running.
 */
/// <reference lib="webworker" />
import { SequenceAssembler } from './assembler';
import { SECONDS_PER_SEQUENCE } from '../shapes';
import { ffmpegArgs } from './plan';
import { mp4EndsInsideABox } from './mp4-truncation';
import { failureReason, parseProbe, type MediaInfo } from './probe';
import type { FromDecoder, ToDecoder } from './protocol';

interface EmscriptenStream {
  seekable?: boolean;
}
interface FFmpegFS {
  mkdir(path: string): void;
  mount(type: unknown, opts: unknown, at: string): void;
  unmount(at: string): void;
  filesystems: Record<string, unknown>;
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: Record<string, unknown>): void;
  mkdev(path: string, dev: number): void;
  analyzePath(path: string): { exists: boolean };
}
interface FFmpegCore {
  FS: FFmpegFS;
  ret: number;
  exec(...args: string[]): number;
  ffprobe(...args: string[]): number;
  reset(): void;
  setLogger(fn: (e: { type: string; message: string }) => void): void;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromDecoder, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

let core: FFmpegCore | null = null;
let stdout: string[] = [];
let stderr: string[] = [];
let sink = { video: (_b: Uint8Array) => {}, audio: (_b: Uint8Array) => {} };

async function loadCore(): Promise<FFmpegCore> {
  if (core) return core;
  const base = `${scope.location.origin}${import.meta.env.BASE_URL}vendor/ffmpeg/`;
  const coreURL = `${base}ffmpeg-core.js`;
  const wasmURL = `${base}ffmpeg-core.wasm`;
  const mod = (await import(/* @vite-ignore */ coreURL)) as {
    default: (opts: { mainScriptUrlOrBlob: string }) => Promise<FFmpegCore>;
  };
  const c = await mod.default({
    mainScriptUrlOrBlob: `${coreURL}#${btoa(JSON.stringify({ wasmURL, workerURL: '' }))}`,
  });
  c.setLogger(({ type, message }) => (type === 'stdout' ? stdout : stderr).push(message));
  c.FS.mkdir('/in');
  c.FS.mkdir('/out');
  const device = (n: number, write: (b: Uint8Array) => void) => {
    const dev = c.FS.makedev(64, n);
    c.FS.registerDevice(dev, {
      open: (s: EmscriptenStream) => void (s.seekable = false),
      close: () => {},
      read: () => 0,
      write: (_s: unknown, buf: Uint8Array, offset: number, length: number) => {
        write(buf.subarray(offset, offset + length));
        return length;
      },
    });
    c.FS.mkdev(`/out/${n === 0 ? 'video' : 'audio'}`, dev);
  };
  device(0, (b) => sink.video(b));
  device(1, (b) => sink.audio(b));
  core = c;
  return c;
}

function withMounted<T>(c: FFmpegCore, file: File, run: (path: string) => T): T {
  c.FS.mount(c.FS.filesystems.WORKERFS, { blobs: [{ name: 'movie', data: file }] }, '/in');
  try {
    return run('/in/movie');
  } finally {
    c.FS.unmount('/in');
  }
}

async function probe(c: FFmpegCore, file: File): Promise<MediaInfo> {
  if (file.size === 0) throw new Error('the file is empty');
  stdout = [];
  stderr = [];
  const ret = withMounted(c, file, (path) => {
    const r = c.ffprobe('-v', 'error', '-of', 'json', '-show_format', '-show_streams', path);
    c.reset();
    return r;
  });
  const json = stdout.join('\n');
  // A failed ffprobe still prints its JSON, without streams: the reason is in its log.
  if (ret !== 0 && !json.includes('"streams"')) {
    if (/moov atom not found/i.test(stderr.join('\n')) && (await mp4EndsInsideABox(file))) {
      throw new Error('the file is truncated (it ends before its index, the moov atom)');
    }
    const reason = failureReason(stderr);
    if (!reason.startsWith('decoding failed')) throw new Error(reason);
  }
  return parseProbe(json);
}

function decode(c: FFmpegCore, { file, plan, audioOnly }: Extract<ToDecoder, { type: 'decode' }>) {
  stdout = [];
  stderr = [];
  const assembler = new SequenceAssembler(
    audioOnly ? 0 : plan.width,
    audioOnly ? 0 : plan.height,
    plan.audioChannels > 0,
    plan.fromSequence,
    plan.sequencesTotal,
    (sequence) =>
      post(
        { type: 'sequence', sequence },
        sequence.audio ? [sequence.frames, sequence.audio] : [sequence.frames],
      ),
  );
  let reported = 0;
  sink = {
    video: (b) => {
      assembler.pushVideo(b);
      if (assembler.frames > reported)
        post({ type: 'progress', decodedS: (reported = assembler.frames) });
    },
    audio: (b) => assembler.pushAudio(b),
  };
  const ret = withMounted(c, file, (path) => {
    const outputs = { video: audioOnly ? null : '/out/video', audio: '/out/audio' };
    const r = c.exec(...ffmpegArgs(path, plan, outputs));
    c.reset();
    return r;
  });
  assembler.end();
  const wanted = plan.sequencesTotal - plan.fromSequence;
  const produced = assembler.emitted - plan.fromSequence;
  if (ret !== 0 || produced < wanted) {
    const reason = ret !== 0 ? failureReason(stderr) : 'the file is truncated';
    const decodedS = audioOnly ? produced * SECONDS_PER_SEQUENCE : assembler.frames;
    throw new Error(`${reason} (decoded ${decodedS} s of ${wanted * SECONDS_PER_SEQUENCE} s)`);
  }
  post({ type: 'done', sequences: assembler.emitted, log: stderr.slice(-20) });
}

scope.onmessage = async ({ data }: MessageEvent<ToDecoder>) => {
  try {
    const c = await loadCore();
    if (data.type === 'probe') post({ type: 'probed', info: await probe(c, data.file) });
    else if (data.type === 'decode') decode(c, data);
    else throw new Error('ffmpeg.wasm does not describe from an index');
  } catch (err) {
    post({ type: 'failed', reason: err instanceof Error ? err.message : String(err) });
  }
};
