/**
 * The WebCodecs decoder worker: the fast path for MP4/MOV and MKV/WebM whose video codec the
 * browser's VideoDecoder decodes. mp4box (MP4) or `mkv-index.ts` (Matroska) reads the index; sample
 * data is read from the File in windows, so
 * memory never holds more than a few MB of the movie. Only the frames the sampling rule picks are
 * converted (by FrameScaler, as ffmpeg's scaler would); everything else is decoded only as far as
 * other frames need it: runs start at the keyframe before a picked frame, and H.264 pictures no
 * other picture references are not decoded unless picked. The audio track is decoded in the same
 * pass by AudioDecoder (`webcodecs-audio.ts`) when the browser takes its codec; otherwise the
 * worker makes frames only and the client takes the clips from ffmpeg.wasm. Each sequence leaves
 * when its frames (and its clip) are complete. The time spent in each phase goes out with `done`.
 */
/// <reference lib="webworker" />
import { FRAMES_PER_SEQUENCE, SECONDS_PER_SEQUENCE } from '../shapes';
import { isMatroska, readMatroskaIndex } from './mkv-index';
import { describeFromIndex } from './index-probe';
import { readVideoIndex, type VideoIndex } from './mp4-index';
import { pickSourceFrames, type DecodePlan } from './plan';
import type { PictureColour } from './probe';
import type { FromDecoder, ToDecoder } from './protocol';
import { FrameScaler } from './scale';
import { canDecodeAudio, decodeAudioClips } from './webcodecs-audio';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromDecoder, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

/**
 * The browser's decoder failed on a stream it had accepted (e.g. an AV1 file with hidden frames, a
 * picture format changing mid-way): ffmpeg.wasm may still decode the rest of the movie.
 */
class DecoderFault extends Error {}

const WINDOW = 8 << 20;
const QUEUE = 12;
/** How many clips the audio side may finish before the frames of the first of them. */
const AUDIO_AHEAD = 2;

/** Reads sample bytes through a sliding window over the file. */
class SampleReader {
  #start = 0;
  #bytes = new Uint8Array(0);
  constructor(private readonly file: File) {}

  async read(offset: number, size: number): Promise<Uint8Array> {
    if (offset + size > this.file.size) throw new Error('the file is truncated');
    if (offset < this.#start || offset + size > this.#start + this.#bytes.length) {
      this.#start = offset;
      const end = Math.min(this.file.size, offset + Math.max(size, WINDOW));
      this.#bytes = new Uint8Array(await this.file.slice(offset, end).arrayBuffer());
    }
    return this.#bytes.subarray(offset - this.#start, offset - this.#start + size);
  }
}

/** The file's index, by its container (the first bytes say which, whatever the file's name). */
async function readIndex(file: File): Promise<VideoIndex> {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return isMatroska(head) ? readMatroskaIndex(file) : readVideoIndex(file);
}

/** The index `describe` read (and how long that took), kept for the decode of the same file. */
let described: { file: File; index: VideoIndex; ms: number } | null = null;

const sameFile = (a: File, b: File) =>
  a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

async function describe(file: File): Promise<void> {
  const t0 = performance.now();
  let info = null;
  try {
    const index = await readIndex(file);
    described = { file, index, ms: performance.now() - t0 };
    info = describeFromIndex(index);
  } catch {
    // Unreadable here: the ffmpeg.wasm probe names the reason.
  }
  post({ type: 'described', info });
}

/** An H.264 access unit (length-prefixed NAL units) whose slices no other picture references. */
function h264Disposable(data: Uint8Array, lengthSize: number): boolean {
  let at = 0;
  let slices = 0;
  while (at + lengthSize < data.length) {
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + data[at + i];
    const header = data[at + lengthSize];
    const type = header & 0x1f;
    if (type === 1 || type === 5) {
      if (header & 0x60) return false;
      slices++;
    }
    at += lengthSize + len;
  }
  return slices > 0;
}

/** Decode-order sample indices to feed: from the keyframe before each picked sample up to it. */
function decodeRuns(index: VideoIndex, picked: Set<number>): number[] {
  const order: number[] = [];
  const targets = [...picked].sort((a, b) => a - b);
  let next = 0;
  for (const t of targets) {
    if (t < next) continue;
    let key = t;
    while (key > 0 && !index.samples[key].sync) key--;
    for (let d = Math.max(key, next); d <= t; d++) order.push(d);
    next = t + 1;
  }
  return order;
}

/** Milliseconds spent per phase, summed (the phases overlap in time: decoders run on threads). */
class Phases {
  readonly ms: Record<string, number> = {};
  add(name: string, since: number): void {
    this.ms[name] = (this.ms[name] ?? 0) + performance.now() - since;
  }
  async time<T>(name: string, work: Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      this.add(name, t0);
    }
  }
}

async function decode(file: File, plan: DecodePlan, colour: PictureColour): Promise<void> {
  const began = performance.now();
  const phases = new Phases();
  const kept = described && sameFile(described.file, file) ? described : null;
  described = null;
  if (kept) phases.ms.index = kept.ms;
  const index = kept?.index ?? (await phases.time('index', readIndex(file)));
  const config: VideoDecoderConfig = {
    codec: index.codec,
    codedWidth: index.width,
    codedHeight: index.height,
    ...(index.description ? { description: index.description } : {}),
  };
  const support = await VideoDecoder.isConfigSupported(config);
  if (!support.supported)
    throw new Error(`this browser's VideoDecoder cannot decode ${index.codec}`);
  const fromS = plan.startS + plan.fromSequence * SECONDS_PER_SEQUENCE;
  const slots = (plan.sequencesTotal - plan.fromSequence) * FRAMES_PER_SEQUENCE;
  const presented = index.samples
    .map((_, i) => i)
    .sort((a, b) => index.samples[a].ptsS - index.samples[b].ptsS);
  const picks = pickSourceFrames(
    presented.map((i) => index.samples[i].ptsS - fromS),
    slots,
    fromS > 0,
  ).map((p) => (p < 0 ? -1 : presented[p]));
  if (picks.includes(-1)) throw new Error('it has no video frames in the kept span');
  // Decode index → the slots it fills; timestamps (µs) identify decoded frames.
  const slotsOf = new Map<number, number[]>();
  picks.forEach((d, k) => slotsOf.set(d, [...(slotsOf.get(d) ?? []), k]));
  const byTimestamp = new Map<number, number>();
  const stamp = (d: number) => Math.round(index.samples[d].ptsS * 1e6);
  for (const d of slotsOf.keys()) byTimestamp.set(stamp(d), d);
  const order = decodeRuns(index, new Set(slotsOf.keys()));
  const avcLength =
    index.codec.startsWith('avc') && index.description ? (index.description[4] & 3) + 1 : 0;
  const withAudio = plan.audioChannels > 0 && (await canDecodeAudio(index.audio));
  post({ type: 'started', codec: index.codec, audioCodec: withAudio ? index.audio!.codec : null });

  const { width: W, height: H } = plan;
  const frameBytes = W * H * 3;
  const sequences = new Map<number, { frames: Uint8Array<ArrayBuffer>; filled: number }>();
  const clips = new Map<number, Float32Array<ArrayBuffer>>();
  let nextSequence = plan.fromSequence;
  let filledSlots = 0;
  let scaler: FrameScaler | null = null;
  let failure: Error | null = null;
  let work = Promise.resolve();

  const place = (k: number, rgb: Uint8Array) => {
    const s = plan.fromSequence + Math.floor(k / FRAMES_PER_SEQUENCE);
    let seq = sequences.get(s);
    if (!seq)
      sequences.set(
        s,
        (seq = { frames: new Uint8Array(frameBytes * FRAMES_PER_SEQUENCE), filled: 0 }),
      );
    seq.frames.set(rgb, (k % FRAMES_PER_SEQUENCE) * frameBytes);
    seq.filled++;
    filledSlots++;
    postReady();
    post({ type: 'progress', decodedS: filledSlots });
  };

  let roomFreed: (() => void) | null = null;
  let videoDone = false;
  const freeRoom = () => roomFreed?.();
  const postReady = () => {
    while (
      sequences.get(nextSequence)?.filled === FRAMES_PER_SEQUENCE &&
      (!withAudio || clips.has(nextSequence))
    ) {
      const done = sequences.get(nextSequence)!;
      const clip = clips.get(nextSequence)?.buffer ?? null;
      sequences.delete(nextSequence);
      clips.delete(nextSequence);
      post(
        {
          type: 'sequence',
          sequence: { index: nextSequence++, frames: done.frames.buffer, audio: clip },
        },
        clip ? [done.frames.buffer, clip] : [done.frames.buffer],
      );
      freeRoom();
    }
  };

  const convert = async (frame: VideoFrame, d: number) => {
    try {
      const rect = frame.visibleRect!;
      const format = frame.format;
      if (format !== 'I420' && format !== 'NV12')
        throw new DecoderFault(`unsupported picture format ${format}`);
      scaler ??= new FrameScaler(rect.width, rect.height, plan);
      // The picture goes straight into the scaler's memory, one buffer for every picture
      // (conversions run one at a time): a fresh 3-MB buffer per 1080p frame would be garbage
      // the collector reclaims late, and memory would grow with length.
      const buf = scaler.pictureBuffer(frame.allocationSize());
      const layout = await phases.time('copy', frame.copyTo(buf));
      const scaling = performance.now();
      const [y, u, v] = layout;
      const plane = (l: PlaneLayout) => buf.subarray(l.offset);
      const rgb = scaler.scale({
        width: rect.width,
        height: rect.height,
        y: plane(y),
        u: plane(u),
        v: format === 'NV12' ? plane(u) : plane(v),
        yStride: y.stride,
        uStride: u.stride,
        vStride: format === 'NV12' ? u.stride : v.stride,
        uvStep: format === 'NV12' ? 2 : 1,
        ...colour,
      });
      phases.add('scale', scaling);
      for (const k of slotsOf.get(d)!) place(k, rgb);
    } finally {
      frame.close();
    }
  };

  let wake: (() => void) | null = null;
  const decoder = new VideoDecoder({
    output: (frame) => {
      const d = byTimestamp.get(frame.timestamp);
      if (d === undefined) {
        frame.close();
        return;
      }
      byTimestamp.delete(frame.timestamp);
      work = work.then(() => convert(frame, d)).catch((e: Error) => void (failure ??= e));
    },
    error: (e) => {
      failure ??= new DecoderFault(`VideoDecoder failed: ${e.message}`);
      wake?.();
    },
  });
  decoder.addEventListener('dequeue', () => wake?.());
  decoder.configure(config);
  const audioWork = withAudio
    ? (async () => {
        const t0 = performance.now();
        await decodeAudioClips(file, index.audio!, plan, {
          clip: (i, samples) => {
            clips.set(i, samples);
            postReady();
          },
          room: async () => {
            while (clips.size >= AUDIO_AHEAD && !failure && !videoDone) {
              const waited = performance.now();
              await new Promise<void>((r) => (roomFreed = r));
              phases.add('audio waits for frames', waited);
            }
          },
          check: () => {
            if (failure) throw failure;
          },
        });
        phases.add('audio (all)', t0);
      })().catch((e: Error) => {
        failure ??= e;
        wake?.();
      })
    : Promise.resolve();
  const reader = new SampleReader(file);
  for (const d of order) {
    if (failure) throw failure;
    const sample = index.samples[d];
    const data = await phases.time('read', reader.read(sample.offset, sample.size));
    const picked = slotsOf.has(d);
    // The container's own flag (mp4's sdtp) is not trusted: FFmpeg sets it on SVT-AV1's
    // non-reference pictures, and skipping those made Chromium's AV1 decoder fail.
    if (!picked && avcLength && h264Disposable(data, avcLength)) continue;
    const waited = performance.now();
    while (decoder.decodeQueueSize >= QUEUE && !failure) await new Promise<void>((r) => (wake = r));
    phases.add('video decoder busy', waited);
    if (failure) throw failure;
    decoder.decode(
      new EncodedVideoChunk({ type: sample.sync ? 'key' : 'delta', timestamp: stamp(d), data }),
    );
  }
  if (!failure) {
    await phases.time('video flush', decoder.flush()).catch((e: Error) => void (failure ??= e));
  }
  await work;
  if (decoder.state !== 'closed') decoder.close();
  phases.add('video (all)', began);
  videoDone = true;
  freeRoom();
  await phases.time('after video, audio', audioWork);
  if (failure) throw failure;
  if (nextSequence < plan.sequencesTotal) {
    throw new Error(`some frames could not be decoded (decoded ${filledSlots} s of ${slots} s)`);
  }
  phases.add('total', began);
  post({ type: 'done', sequences: nextSequence, log: [], phases: phases.ms });
}

scope.onmessage = async ({ data }: MessageEvent<ToDecoder>) => {
  if (data.type === 'describe') return describe(data.file);
  try {
    if (data.type !== 'decode' || !data.colour)
      throw new Error('the WebCodecs decoder only decodes');
    await decode(data.file, data.plan, data.colour);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    post({ type: 'failed', reason, decoderFault: err instanceof DecoderFault });
  }
};
