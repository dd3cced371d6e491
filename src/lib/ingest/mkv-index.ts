/**
 * A small Matroska/WebM demuxer for the WebCodecs path: reads an MKV/WebM file's EBML structure
 * (Info, Tracks, and every Cluster's block headers) and returns the same `VideoIndex` that
 * `mp4-index.ts` makes from an MP4, so the worker decodes both alike. Matroska has no sample table:
 * the block headers are spread through the whole file, so the file is read once, front to back,
 * through a large window (never all of it in memory); the frame data itself is skipped here and
 * read again by the worker. Presentation times are on ffmpeg's clock: block time minus the track's
 * CodecDelay (as FFmpeg's demuxer does for Opus), minus the earliest first time of the two tracks
 * (ffmpeg's start time). Anything it cannot take (header compression, lacing without a frame
 * duration, a block past the file's end) is an error, and the caller falls back to ffmpeg.wasm.
 */
import type { AudioIndex, AudioSample, VideoIndex, VideoSample } from './mp4-index';
import {
  ID,
  TOP_LEVEL,
  WINDOW,
  BLOCK_HEAD,
  WindowReader,
  MatroskaError,
  vint,
  uint,
  float,
  element,
  children,
  type EbmlElement,
} from './ebml';
import { parseTrack, videoCodec, audioCodec, opusSamples, type Track } from './mkv-tracks';

export { isMatroska } from './ebml';

interface RawBlock {
  offset: number;
  size: number;
  /** Block time in ticks of TimecodeScale (cluster time + relative time). */
  ticks: number;
  key: boolean;
  /** Its place in the block's lacing (0: the first or only frame; later frames have no time). */
  lace: number;
  /** Its first byte (Opus's TOC: the frame's duration), when laced. */
  toc?: number;
}

/**
 * One track's blocks, column by column in typed arrays: a long film has over a million, and as
 * objects they made every 16-MB window's allocation trigger a full garbage collection that walked
 * them all.
 */
class BlockList {
  length = 0;
  #offset = new Float64Array(1024);
  #size = new Float64Array(1024);
  #ticks = new Float64Array(1024);
  /** Bit 0: keyframe; bits 1–8: lace index (capped at 255); bits 9–: TOC byte + 1 (0: none). */
  #bits = new Uint32Array(1024);

  push(b: RawBlock): void {
    if (this.length === this.#offset.length) {
      const grow = <T extends Float64Array | Uint32Array>(a: T): T => {
        const next = new (a.constructor as new (n: number) => T)(a.length * 2);
        next.set(a);
        return next;
      };
      this.#offset = grow(this.#offset);
      this.#size = grow(this.#size);
      this.#ticks = grow(this.#ticks);
      this.#bits = grow(this.#bits);
    }
    const i = this.length++;
    this.#offset[i] = b.offset;
    this.#size[i] = b.size;
    this.#ticks[i] = b.ticks;
    this.#bits[i] = (b.key ? 1 : 0) | (Math.min(b.lace, 255) << 1) | (((b.toc ?? -1) + 1) << 9);
  }

  get(i: number): RawBlock {
    const bits = this.#bits[i];
    return {
      offset: this.#offset[i],
      size: this.#size[i],
      ticks: this.#ticks[i],
      key: (bits & 1) === 1,
      lace: (bits >> 1) & 255,
      toc: bits >> 9 ? (bits >> 9) - 1 : undefined,
    };
  }

  *[Symbol.iterator](): Generator<RawBlock> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** The earliest block time, in ticks. */
  firstTicks(): number {
    let min = Infinity;
    for (let i = 0; i < this.length; i++) min = Math.min(min, this.#ticks[i]);
    return min;
  }
}

/** The frames in a block (after its header): byte ranges of each laced frame. */
function laceFrames(
  head: Uint8Array,
  at: number,
  dataStart: number,
  dataEnd: number,
  lacing: number,
): { offset: number; size: number }[] {
  if (lacing === 0) return [{ offset: dataStart + at, size: dataEnd - dataStart - at }];
  const count = (head[at++] ?? -1) + 1;
  if (count < 1) throw new MatroskaError('a block is cut short');
  const sizes: number[] = [];
  if (lacing === 1) {
    for (let i = 0; i < count - 1; i++) {
      let size = 0;
      let b;
      do {
        b = head[at++];
        if (b === undefined) throw new MatroskaError('a block is cut short');
        size += b;
      } while (b === 255);
      sizes.push(size);
    }
  } else if (lacing === 3) {
    let size = 0;
    for (let i = 0; i < count - 1; i++) {
      const v = vint(head, at);
      if (!v) throw new MatroskaError('a block is cut short');
      size = i === 0 ? v.value : size + v.value - (2 ** (7 * v.length - 1) - 1);
      if (size < 0) throw new MatroskaError('a block has a bad lace size');
      sizes.push(size);
      at += v.length;
    }
  }
  const rest = dataEnd - dataStart - at;
  if (lacing === 2) {
    if (rest % count) throw new MatroskaError('a block has a bad lace size');
    sizes.push(...Array<number>(count - 1).fill(rest / count));
  }
  const last = rest - sizes.reduce((a, b) => a + b, 0);
  if (last < 0) throw new MatroskaError('a block has a bad lace size');
  sizes.push(last);
  let offset = dataStart + at;
  return sizes.map((size) => {
    const frame = { offset, size };
    offset += size;
    return frame;
  });
}

export interface MatroskaIndex extends VideoIndex {
  /** The Segment's Duration, s (0 when the file does not say). */
  durationS: number;
  /** Bytes read from the file to make the index (the whole file, once). */
  bytesRead: number;
}

/** Reads an MKV/WebM file's index: its first video track and first audio track. */
export async function readMatroskaIndex(file: Blob): Promise<MatroskaIndex> {
  const reader = new WindowReader(file);
  const fileEnd = file.size;
  /** A small master element's bytes (headers, Info, Tracks): a huge size means a broken file. */
  const small = (el: EbmlElement) => {
    if (el.end > fileEnd) throw new MatroskaError('the file is truncated');
    if (el.end - el.data > WINDOW) throw new MatroskaError('its header is damaged (too large)');
    return reader.at(el.data, el.end - el.data);
  };
  const header = await element(reader, 0, fileEnd);
  if (!header || header.id !== ID.ebml || header.end > fileEnd) {
    throw new MatroskaError('it is not a Matroska/WebM file that could be read');
  }
  const docType = children(await small(header)).get(ID.docType)?.[0];
  const doc = new TextDecoder().decode(docType ?? new Uint8Array(0)).replace(/\0+$/, '');
  if (doc !== 'matroska' && doc !== 'webm') {
    throw new MatroskaError(`it is not a Matroska/WebM file (document type “${doc}”)`);
  }
  const segment = await element(reader, header.end, fileEnd);
  if (!segment || segment.id !== ID.segment) {
    throw new MatroskaError('it is not a Matroska/WebM file that could be read (no Segment)');
  }
  if (segment.end > fileEnd) throw new MatroskaError('the file is truncated');

  let scale = 1e6;
  let durationTicks = 0;
  const tracks: Track[] = [];
  const blocks = new Map<number, BlockList>();
  /** The first video and the first audio track's numbers, once Tracks is read. */
  const used = new Set<number>();
  const addBlock = async (
    dataStart: number,
    dataEnd: number,
    clusterTicks: number,
    simple: boolean,
    referenced: boolean,
  ) => {
    const head = await reader.at(dataStart, Math.min(BLOCK_HEAD, dataEnd - dataStart));
    const track = vint(head, 0);
    if (!track || head.length < track.length + 3) throw new MatroskaError('a block is cut short');
    // Blocks of tracks not used (other audio languages, subtitles) are not kept: a long film's
    // index holds over a million blocks.
    if (tracks.length > 0 && !used.has(track.value)) return;
    const rel = (((head[track.length] << 8) | head[track.length + 1]) << 16) >> 16;
    const flags = head[track.length + 2];
    const key = simple ? (flags & 0x80) !== 0 : !referenced;
    const frames = laceFrames(head, track.length + 3, dataStart, dataEnd, (flags >> 1) & 3);
    let list = blocks.get(track.value);
    if (!list) blocks.set(track.value, (list = new BlockList()));
    for (const [lace, f] of frames.entries()) {
      const toc = frames.length > 1 ? head[f.offset - dataStart] : undefined;
      list.push({ ...f, ticks: clusterTicks + rel, key, lace, toc });
    }
  };

  let pos = segment.data;
  while (pos < segment.end) {
    const el = await element(reader, pos, segment.end);
    if (!el) break;
    if (el.end > fileEnd) throw new MatroskaError('the file is truncated');
    if (el.id === ID.info) {
      const info = children(await small(el));
      const s = info.get(ID.timecodeScale)?.[0];
      if (s) scale = uint(s) || 1e6;
      const d = info.get(ID.duration)?.[0];
      if (d) durationTicks = float(d);
    } else if (el.id === ID.tracks) {
      for (const entry of children(await small(el)).get(ID.trackEntry) ?? []) {
        tracks.push(parseTrack(entry));
      }
      for (const type of [1, 2]) {
        const first = tracks.find((t) => t.type === type);
        if (first) used.add(first.number);
      }
    } else if (el.id === ID.cluster) {
      let clusterTicks = 0;
      let at = el.data;
      while (at < el.end) {
        const child = await element(reader, at, el.end);
        if (!child || (el.unknown && TOP_LEVEL.has(child.id))) break;
        if (child.end > fileEnd) throw new MatroskaError('the file is truncated');
        if (child.id === ID.timecode) {
          if (child.end - child.data > 8) throw new MatroskaError('a cluster time is damaged');
          clusterTicks = uint(await reader.at(child.data, child.end - child.data));
        } else if (child.id === ID.simpleBlock) {
          await addBlock(child.data, child.end, clusterTicks, true, false);
        } else if (child.id === ID.blockGroup) {
          // A Block with a ReferenceBlock beside it depends on another frame: not a keyframe.
          let block: EbmlElement | null = null;
          let referenced = false;
          for (let g = child.data; g < child.end;) {
            const inner = await element(reader, g, child.end);
            if (!inner) break;
            if (inner.id === ID.block) block = inner;
            if (inner.id === ID.referenceBlock) referenced = true;
            g = inner.end;
          }
          if (block) await addBlock(block.data, block.end, clusterTicks, false, referenced);
        }
        at = child.end;
      }
      pos = at;
      continue;
    }
    pos = el.end;
  }

  const video = tracks.find((t) => t.type === 1);
  if (!video) throw new MatroskaError('it has no video stream');
  if (video.compressed) throw new MatroskaError('its video track uses header compression');
  const videoBlocks = blocks.get(video.number) ?? new BlockList();
  if (videoBlocks.length === 0) throw new MatroskaError('its video track has no frames');
  if ([...videoBlocks].some((b) => b.lace > 0)) {
    throw new MatroskaError('its video track uses lacing, which this demuxer does not take');
  }
  const firstBlock = videoBlocks.get(0);
  const first = new Uint8Array(
    await file
      .slice(firstBlock.offset, firstBlock.offset + Math.min(16, firstBlock.size))
      .arrayBuffer(),
  );
  const { codec, description } = videoCodec(video, first);

  const audioTrack = tracks.find((t) => t.type === 2);
  const audioBlocks = (audioTrack && blocks.get(audioTrack.number)) || new BlockList();
  const toS = (ticks: number) => (ticks * scale) / 1e9;
  const delayTicks = (t: Track) => Math.round(t.codecDelayNs / scale);
  const videoStart = videoBlocks.firstTicks() - delayTicks(video);
  const audioStart = audioBlocks.length
    ? audioBlocks.firstTicks() - delayTicks(audioTrack!)
    : Infinity;
  const start = Math.min(videoStart, audioStart);

  const samples: VideoSample[] = Array.from(videoBlocks, (b) => ({
    offset: b.offset,
    size: b.size,
    sync: b.key,
    ptsS: toS(b.ticks - delayTicks(video) - start),
  }));
  let audio: AudioIndex | null = null;
  const audioFormat = audioTrack && !audioTrack.compressed ? audioCodec(audioTrack) : null;
  if (audioTrack && audioFormat && audioBlocks.length) {
    const rate = audioTrack.sampleRate;
    const out: AudioSample[] = [];
    // FFmpeg's Opus decoder drops the pre-skip samples and moves the frame's time on by the
    // pre-skip rounded to the track's ticks (7 ms for 312 samples); AudioDecoder drops nothing, so
    // its samples are placed where FFmpeg's land: later by that rounding (0.5 ms).
    const preSkip =
      audioFormat.codec === 'opus'
        ? audioTrack.codecPrivate![10] | (audioTrack.codecPrivate![11] << 8)
        : 0;
    const skipShiftS = toS(Math.round((preSkip * 1e9) / 48000 / scale)) - preSkip / 48000;
    for (const b of audioBlocks) {
      let ptsS = toS(b.ticks - delayTicks(audioTrack) - start) + skipShiftS;
      if (b.lace > 0) {
        // A laced frame starts where the one before it ends.
        const before = out[out.length - 1];
        const previous = audioBlocks.get(out.length - 1);
        const durS = audioTrack.defaultDurationNs
          ? audioTrack.defaultDurationNs / 1e9
          : audioFormat.codec === 'opus'
            ? opusSamples(previous.toc ?? -1, 48000) / 48000
            : 1024 / rate;
        if (!(durS > 0)) throw new MatroskaError('its laced audio has frames of unknown duration');
        ptsS = before.ptsS + durS;
      }
      out.push({ offset: b.offset, size: b.size, ptsS });
    }
    audio = {
      codec: audioFormat.codec,
      description: audioFormat.description,
      sampleRate: rate,
      channels: audioTrack.channels,
      samples: out,
    };
  }
  const durationS = toS(durationTicks);
  return {
    durationS,
    bytesRead: reader.bytesRead,
    codec,
    description,
    width: video.width,
    height: video.height,
    samples,
    audio,
    container: {
      format: 'matroska,webm',
      // FFmpeg's Matroska demuxer: Info's Duration in ticks × TimecodeScale, to the µs (cut).
      durationS: durationTicks > 0 ? Math.trunc((durationTicks * scale) / 1000) / 1e6 : null,
      frameRate: video.defaultDurationNs
        ? 1e9 / video.defaultDurationNs
        : durationS > 0
          ? videoBlocks.length / durationS
          : 0,
      matrix: video.colourMatrix,
      // Range 0 (unspecified) and 3 (derived from the matrix) leave FFmpeg's range unset.
      fullRange:
        video.colourRange === 1 || video.colourRange === 2 ? video.colourRange === 2 : null,
      hasAudio: audioTrack !== undefined,
    },
  };
}
