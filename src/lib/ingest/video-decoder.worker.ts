/**
 * The WebCodecs path's video decoder thread: it reads the samples the WebCodecs worker lists,
 * feeds them to the browser's VideoDecoder and sends back the pictures the sampling rule picked,
 * closing the rest. It does nothing else, because Chromium's VideoDecoder takes one decode request
 * at a time and each next one goes through the JavaScript thread that owns the decoder: while
 * that thread scaled a picture or mixed audio, the decoder's own threads sat idle (figures in
 * docs/ingest.md). Scaling and audio stay in the WebCodecs worker.
 */
/// <reference lib="webworker" />
import {
  DecoderFault,
  FEED_KEY,
  FEED_PICKED,
  type DecodeFeed,
  type FromVideoDecoder,
  type ToVideoDecoder,
} from './protocol';
import { Phases } from './phases';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: FromVideoDecoder, transfer: Transferable[] = []) =>
  scope.postMessage(msg, transfer);

const WINDOW = 8 << 20;
const QUEUE = 12;
/** Picked pictures sent and not yet converted: each holds one of the decoder's picture buffers. */
const HELD = 4;

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

/** The decoder, kept from segment to segment (each starts at a keyframe, after a flush). */
interface Lane {
  decoder: VideoDecoder;
  reader: SampleReader;
  /** Timestamps of the segment's picked pictures not yet output. */
  picked: Set<number>;
  failure: Error | null;
}

let lane: Lane | null = null;
let wake: (() => void) | null = null;
let held = 0;

function startLane(file: File, config: VideoDecoderConfig): Lane {
  const started: Lane = {
    reader: new SampleReader(file),
    picked: new Set(),
    failure: null,
    decoder: new VideoDecoder({
      output: (frame) => {
        if (!started.picked.delete(frame.timestamp)) return frame.close();
        held++;
        post({ type: 'frame', frame }, [frame]);
      },
      error: (e) => {
        started.failure ??= new DecoderFault(`VideoDecoder failed: ${e.message}`);
        wake?.();
      },
    }),
  };
  started.decoder.addEventListener('dequeue', () => wake?.());
  // One thread per decoder: Chromium otherwise gives its software decoder frame threads, which
  // cost more CPU for the same pictures; the WebCodecs worker runs one such decoder per core
  // instead, over different segments of the movie.
  started.decoder.configure({ ...config, optimizeForLatency: true });
  return started;
}

async function decodeSegment(
  lane: Lane,
  feed: DecodeFeed,
  avcLength: number,
): Promise<Record<string, number>> {
  const { decoder, reader, picked } = lane;
  const phases = new Phases();
  const failure = () => lane.failure;
  feed.flags.forEach((f, i) => f & FEED_PICKED && picked.add(feed.timestamps[i]));
  for (let i = 0; i < feed.flags.length; i++) {
    if (failure()) throw failure();
    const flags = feed.flags[i];
    const data = await phases.time('read', reader.read(feed.offsets[i], feed.sizes[i]));
    // The container's own flag (mp4's sdtp) is not trusted: FFmpeg sets it on SVT-AV1's
    // non-reference pictures, and skipping those made Chromium's AV1 decoder fail.
    if (!(flags & FEED_PICKED) && avcLength && h264Disposable(data, avcLength)) continue;
    const waited = performance.now();
    while ((decoder.decodeQueueSize >= QUEUE || held >= HELD) && !failure()) {
      await new Promise<void>((r) => (wake = r));
    }
    phases.add('video decoder busy', waited);
    if (failure()) throw failure();
    decoder.decode(
      new EncodedVideoChunk({
        type: flags & FEED_KEY ? 'key' : 'delta',
        timestamp: feed.timestamps[i],
        data,
      }),
    );
  }
  await phases.time('video flush', decoder.flush()).catch((e: Error) => {
    throw failure() ?? new DecoderFault(`VideoDecoder failed: ${e.message}`);
  });
  if (failure()) throw failure();
  return phases.ms;
}

scope.onmessage = async ({ data }: MessageEvent<ToVideoDecoder>) => {
  if (data.type === 'converted') {
    held--;
    return wake?.();
  }
  try {
    lane ??= startLane(data.file, data.config);
    const phases = await decodeSegment(lane, data.feed, data.avcLength);
    post({ type: 'done', phases });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    post({ type: 'failed', reason, decoderFault: err instanceof DecoderFault });
  }
};
