/**
 * A Matroska track entry and the WebCodecs codec string and description it gives (H.264, HEVC,
 * VP9, AV1; AAC, Opus): what mkv-index.ts needs to configure the decoders as FFmpeg would.
 */
import { ID, MatroskaError, uint, float, children } from './ebml';
export interface Track {
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

export function parseTrack(entry: Uint8Array): Track {
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
export function videoCodec(
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
export function audioCodec(track: Track): { codec: string; description?: Uint8Array } | null {
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
export function opusSamples(toc: number, rate: number): number {
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
