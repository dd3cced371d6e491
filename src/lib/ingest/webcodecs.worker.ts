/**
 * The WebCodecs decoder worker: the fast path for MP4/MOV and MKV/WebM whose video codec the
 * browser's VideoDecoder decodes. mp4box (MP4) or `mkv-index.ts` (Matroska) reads the index. The
 * decoding itself runs in a worker of its own (`video-decoder.worker.ts`), which reads the sample
 * data from the File in windows (memory never holds more than a few MB of the movie) and sends
 * back only the pictures the sampling rule picks; this worker converts them (by FrameScaler, as
 * ffmpeg's scaler would). Everything else is decoded only as far as other pictures need it: runs
 * start at the keyframe before a picked picture, and H.264 pictures no other picture references
 * are not decoded unless picked. The audio track is decoded here, in the same pass, by
 * AudioDecoder (`webcodecs-audio.ts`) when the browser takes its codec; otherwise the worker makes
 * frames only and the client takes the clips from ffmpeg.wasm. Each sequence leaves when its
 * frames (and its clip) are complete. The time spent in each phase goes out with `done`.
 */
/// <reference lib="webworker" />
import { FRAMES_PER_SEQUENCE, SECONDS_PER_SEQUENCE } from '../shapes';
import { isMatroska, readMatroskaIndex } from './mkv-index';
import { describeFromIndex } from './index-probe';
import { decodeRuns, segmentsOf, stamp } from './decode-order';
import { readVideoIndex, type VideoIndex } from './mp4-index';
import { pickSourceFrames, type DecodePlan } from './plan';
import type { PictureColour } from './probe';
import {
  DecoderFault,
  type FromDecoder,
  type FromVideoDecoder,
  type ToDecoder,
  type ToVideoDecoder,
} from './protocol';
import { Phases } from './phases';
import { DecodedPictures, decoderColour, formatLayout } from './pixel-formats';
import { canDecodeAudio, decodeAudioClips } from './webcodecs-audio';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromDecoder, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

/** How many clips the audio side may finish before the frames of the first of them. */
const AUDIO_AHEAD = 2;
/**
 * Video decoder workers, each with a one-thread decoder: one per core, up to 4 (each decoder holds
 * its reference pictures: tens of MB at 1080p).
 */
const LANES = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4));

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
  for (const d of slotsOf.keys()) byTimestamp.set(stamp(index.samples[d]), d);
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
  let pictures: DecodedPictures | null = null;
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
      if (!formatLayout(format)) throw new DecoderFault(`unsupported picture format ${format}`);
      pictures ??= new DecodedPictures(rect.width, rect.height, plan);
      // The picture goes straight into the scaler's memory (or one reused buffer where its format
      // needs converting first), one buffer for every picture (conversions run one at a time): a
      // fresh 3-MB buffer per 1080p frame would be garbage the collector reclaims late, and memory
      // would grow with length.
      const buf = pictures.destination(format, frame.allocationSize());
      const layout = await phases.time('copy', frame.copyTo(buf));
      const scaling = performance.now();
      const converted = decoderColour(frame.colorSpace, colour);
      const rgb = pictures.scale(format, buf, layout, colour, converted);
      phases.add('scale', scaling);
      for (const k of slotsOf.get(d)!) place(k, rgb);
    } finally {
      frame.close();
    }
  };

  // The first failure anywhere (audio, a conversion) ends the wait on the video decoder workers.
  let stop: (e: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {});
  const fail = (e: Error) => {
    failure ??= e;
    stop(failure);
  };
  const segments = segmentsOf(index, order, slotsOf);
  let nextSegment = 0;
  /**
   * The first segment a video decoder worker failed on. No segment is sent after it, and the
   * others finish theirs: every sequence before the failed segment is still made (the segments run
   * side by side, the one before may still be decoding), and ffmpeg.wasm takes over from there.
   */
  let segmentFailure: Error | null = null;
  const lanes: Worker[] = [];
  /** One video decoder worker: it takes the next segment whenever it finished one. */
  const runLane = (lane: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        if (segmentFailure || nextSegment === segments.length) return resolve();
        const feed = segments[nextSegment++];
        const msg: ToVideoDecoder = { type: 'decode', file, config, feed, avcLength };
        lane.postMessage(msg, [
          feed.offsets.buffer,
          feed.sizes.buffer,
          feed.timestamps.buffer,
          feed.flags.buffer,
        ]);
      };
      lane.onmessage = ({ data }: MessageEvent<FromVideoDecoder>) => {
        if (data.type === 'frame') {
          const { frame } = data;
          const d = byTimestamp.get(frame.timestamp);
          if (d === undefined) return frame.close();
          byTimestamp.delete(frame.timestamp);
          work = work
            .then(() => convert(frame, d))
            .then(() => lane.postMessage({ type: 'converted' } satisfies ToVideoDecoder))
            .catch(fail);
        } else if (data.type === 'done') {
          phases.merge(data.phases);
          send();
        } else {
          segmentFailure ??= data.decoderFault
            ? new DecoderFault(data.reason)
            : new Error(data.reason);
          resolve();
        }
      };
      lane.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`a video decoder worker failed: ${e.message}`));
      };
      send();
    });
  const videoWork = Promise.all(
    Array.from({ length: Math.min(LANES, segments.length) }, () => {
      const lane = new Worker(new URL('./video-decoder.worker.ts', import.meta.url), {
        type: 'module',
      });
      lanes.push(lane);
      return runLane(lane);
    }),
  );
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
      })().catch(fail)
    : Promise.resolve();
  try {
    await Promise.race([videoWork.then(() => work), stopped]);
  } finally {
    for (const lane of lanes) lane.terminate();
  }
  if (failure ?? segmentFailure) throw failure ?? segmentFailure;
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
