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

/** The EBML magic that opens every Matroska/WebM file. */
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

export function isMatroska(head: Uint8Array): boolean {
  return EBML_MAGIC.every((b, i) => head[i] === b);
}

const ID = {
  ebml: 0x1a45dfa3,
  docType: 0x4282,
  segment: 0x18538067,
  info: 0x1549a966,
  timecodeScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  defaultDuration: 0x23e383,
  codecDelay: 0x56aa,
  contentEncodings: 0x6d80,
  video: 0xe0,
  colour: 0x55b0,
  matrixCoefficients: 0x55b1,
  range: 0x55b9,
  pixelWidth: 0xb0,
  pixelHeight: 0xba,
  audio: 0xe1,
  samplingFrequency: 0xb5,
  channels: 0x9f,
  cluster: 0x1f43b675,
  timecode: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
  referenceBlock: 0xfb,
  blockDuration: 0x9b,
} as const;

/** Level-1 elements: where an unknown-size Cluster ends. */
const TOP_LEVEL = new Set([
  ID.cluster,
  ID.info,
  ID.tracks,
  0x114d9b74, // SeekHead
  0x1c53bb6b, // Cues
  0x1254c367, // Tags
  0x1043a770, // Chapters
  0x1941a469, // Attachments
]);

const WINDOW = 16 << 20;
/** The most a block header (track, time, flags, lace sizes) is read as. */
const BLOCK_HEAD = 64 << 10;

/** Reads the file through one large window that slides forward. */
class WindowReader {
  #start = 0;
  #bytes = new Uint8Array(0);
  /** Bytes read from the file, for the benchmark's figure. */
  bytesRead = 0;
  constructor(private readonly file: Blob) {}

  /** Up to `len` bytes at `pos` (fewer at the file's end). */
  async at(pos: number, len: number): Promise<Uint8Array> {
    const end = Math.min(this.file.size, pos + len);
    if (pos < this.#start || end > this.#start + this.#bytes.length) {
      this.#start = pos;
      const to = Math.min(this.file.size, pos + Math.max(len, WINDOW));
      this.#bytes = new Uint8Array(await this.file.slice(pos, to).arrayBuffer());
      this.bytesRead += this.#bytes.length;
    }
    return this.#bytes.subarray(pos - this.#start, end - this.#start);
  }
}

class MatroskaError extends Error {}

interface Vint {
  value: number;
  length: number;
  /** All value bits set: an unknown size. */
  unknown: boolean;
}

/** An EBML variable-length integer at `at` (marker bit removed); null past the bytes. */
function vint(bytes: Uint8Array, at: number, maxLength = 8): Vint | null {
  const first = bytes[at];
  if (first === undefined) return null;
  let length = 1;
  while (length <= maxLength && !(first & (0x80 >> (length - 1)))) length++;
  if (length > maxLength) throw new MatroskaError('it is not a Matroska file that could be read');
  if (at + length > bytes.length) return null;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i];
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown: allOnes };
}

function uint(bytes: Uint8Array): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

function float(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length === 4) return view.getFloat32(0);
  if (bytes.length === 8) return view.getFloat64(0);
  return 0;
}

interface Element {
  id: number;
  /** Where the element's data starts. */
  data: number;
  /** Where it ends (the file's end for an unknown size). */
  end: number;
  unknown: boolean;
}

/** The element header at `pos`, or null when the file ends inside it. */
async function element(reader: WindowReader, pos: number, limit: number): Promise<Element | null> {
  const head = await reader.at(pos, 12);
  const id = vint(head, 0, 4);
  if (!id) return null;
  const size = vint(head, id.length);
  if (!size) return null;
  const data = pos + id.length + size.length;
  const idValue = uint(head.subarray(0, id.length));
  return {
    id: idValue,
    data,
    end: size.unknown ? limit : data + size.value,
    unknown: size.unknown,
  };
}

/** The children of [from, to), each read fully (small master elements only: Info, Tracks). */
function children(bytes: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  for (let at = 0; at < bytes.length;) {
    const id = vint(bytes, at, 4);
    const size = id && vint(bytes, at + id.length);
    if (!id || !size) break;
    const start = at + id.length + size.length;
    const end = size.unknown ? bytes.length : Math.min(bytes.length, start + size.value);
    const key = uint(bytes.subarray(at, at + id.length));
    out.set(key, [...(out.get(key) ?? []), bytes.subarray(start, end)]);
    at = end;
  }
  return out;
}

interface Track {
  number: number;
  type: number;
  codecId: string;
  codecPrivate?: Uint8Array;
  /** ns per frame, when the track says. */
  defaultDurationNs?: number;
  codecDelayNs: number;
  compressed: boolean;
  width: number;
  height: number;
  sampleRate: number;
  channels: number;
  /** The Colour element's MatrixCoefficients and Range (1 broadcast, 2 full), when given. */
  colourMatrix: number | null;
  colourRange: number | null;
}

function parseTrack(entry: Uint8Array): Track {
  const c = children(entry);
  const one = (id: number) => c.get(id)?.[0];
  const num = (id: number, fallback = 0) => {
    const b = one(id);
    return b ? uint(b) : fallback;
  };
  const video = children(one(ID.video) ?? new Uint8Array(0));
  const audio = children(one(ID.audio) ?? new Uint8Array(0));
  const colour = children(video.get(ID.colour)?.[0] ?? new Uint8Array(0));
  const colourNum = (id: number) => {
    const b = colour.get(id)?.[0];
    return b ? uint(b) : null;
  };
  const rate = audio.get(ID.samplingFrequency)?.[0];
  const channels = audio.get(ID.channels)?.[0];
  return {
    number: num(ID.trackNumber),
    type: num(ID.trackType),
    codecId: new TextDecoder().decode(one(ID.codecId) ?? new Uint8Array(0)).replace(/\0+$/, ''),
    codecPrivate: one(ID.codecPrivate),
    defaultDurationNs: one(ID.defaultDuration) ? num(ID.defaultDuration) : undefined,
    codecDelayNs: num(ID.codecDelay),
    compressed: c.has(ID.contentEncodings),
    width: uint(video.get(ID.pixelWidth)?.[0] ?? new Uint8Array(0)),
    height: uint(video.get(ID.pixelHeight)?.[0] ?? new Uint8Array(0)),
    sampleRate: rate ? float(rate) : 8000,
    channels: channels ? uint(channels) : 1,
    colourMatrix: colourNum(ID.matrixCoefficients),
    colourRange: colourNum(ID.range),
  };
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const dec2 = (n: number) => String(n).padStart(2, '0');

/** VP9 levels by the largest picture they allow (luma samples), smallest first. */
const VP9_LEVELS: [number, number][] = [
  [36864, 10],
  [73728, 11],
  [122880, 20],
  [245760, 21],
  [552960, 30],
  [983040, 31],
  [2228224, 40],
  [8912896, 50],
  [35651584, 60],
];

/**
 * VP9's codec string `vp09.PP.LL.DD`. WebM's CodecPrivate is optional (often empty, as FFmpeg
 * writes it): profile and bit depth then come from the first frame's header, the level from the
 * picture size (the decoder needs a valid level, not an exact one).
 */
function vp9Codec(track: Track, firstFrame: Uint8Array | undefined): string {
  let profile = -1;
  let bitDepth = 8;
  let level = 0;
  const priv = track.codecPrivate;
  // CodecPrivate: ID (1 profile, 2 level, 3 bit depth), length 1, value.
  for (let at = 0; priv && at + 2 < priv.length; at += 2 + priv[at + 1]) {
    if (priv[at] === 1) profile = priv[at + 2];
    if (priv[at] === 2) level = priv[at + 2];
    if (priv[at] === 3) bitDepth = priv[at + 2];
  }
  if (profile < 0 && firstFrame && firstFrame.length > 1 && firstFrame[0] >> 6 === 2) {
    profile = ((firstFrame[0] >> 5) & 1) | (((firstFrame[0] >> 4) & 1) << 1);
    // A keyframe of profile 2/3: after the sync code, one bit says 10 or 12 bits.
    const key = profile < 3 ? !((firstFrame[0] >> 2) & 1) : !((firstFrame[0] >> 1) & 1);
    if (profile >= 2 && key && firstFrame.length > 4) {
      const bit = profile === 2 ? firstFrame[4] >> 7 : (firstFrame[4] >> 6) & 1;
      bitDepth = bit ? 12 : 10;
    }
  }
  level ||= (VP9_LEVELS.find(([max]) => track.width * track.height <= max) ?? [0, 62])[1];
  return `vp09.${dec2(Math.max(profile, 0))}.${dec2(level)}.${dec2(bitDepth)}`;
}

/** The WebCodecs video codec and description, or a reason this path cannot take the track. */
function videoCodec(
  track: Track,
  firstFrame: Uint8Array | undefined,
): { codec: string; description?: Uint8Array } {
  const priv = track.codecPrivate;
  if (track.codecId === 'V_MPEG4/ISO/AVC') {
    if (!priv || priv.length < 7 || priv[0] !== 1) {
      throw new MatroskaError('its H.264 track has no AVC configuration record');
    }
    return { codec: `avc1.${hex2(priv[1])}${hex2(priv[2])}${hex2(priv[3])}`, description: priv };
  }
  if (track.codecId === 'V_VP9') return { codec: vp9Codec(track, firstFrame) };
  if (track.codecId === 'V_AV1') {
    if (!priv || priv.length < 4 || (priv[0] & 0x7f) !== 1) {
      throw new MatroskaError('its AV1 track has no AV1 configuration record');
    }
    const profile = priv[1] >> 5;
    const level = priv[1] & 0x1f;
    const tier = priv[2] >> 7 ? 'H' : 'M';
    const depth = (priv[2] >> 6) & 1 ? ((priv[2] >> 5) & 1 ? 12 : 10) : 8;
    return { codec: `av01.${profile}.${dec2(level)}${tier}.${dec2(depth)}`, description: priv };
  }
  throw new MatroskaError(`no WebCodecs path for the Matroska codec ${track.codecId}`);
}

/** WebCodecs' audio codec and description, or null (ffmpeg.wasm then makes the clips). */
function audioCodec(track: Track): { codec: string; description?: Uint8Array } | null {
  const priv = track.codecPrivate;
  if (track.codecId === 'A_AAC' && priv && priv.length >= 2) {
    const objectType = priv[0] >> 3;
    return { codec: `mp4a.40.${objectType}`, description: priv };
  }
  if (track.codecId === 'A_OPUS' && priv && priv.length >= 19) {
    // OpusHead as stored, with pre-skip 0: the blocks' times already place the priming samples
    // before time 0 (CodecDelay), as in the MP4 path.
    const head = priv.slice();
    head[10] = head[11] = 0;
    return { codec: 'opus', description: head };
  }
  return null;
}

/**
 * Samples in one Opus packet from its TOC byte (RFC 6716 §3.1), or 0 when it cannot tell: code 3
 * packets (a frame count in the next byte) are not taken.
 */
function opusSamples(toc: number, rate: number): number {
  if (toc < 0) return 0;
  const config = toc >> 3;
  const frameMs =
    config < 12
      ? [10, 20, 40, 60][config & 3]
      : config < 16
        ? [10, 20][config & 1]
        : [2.5, 5, 10, 20][config & 3];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? 0 : 2;
  return (frames * frameMs * rate) / 1000;
}

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
  const small = (el: Element) => {
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
          let block: Element | null = null;
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
