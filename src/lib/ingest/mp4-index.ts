/**
 * Reads an MP4/MOV file's index (moov) with mp4box, fetching the File in slices until the index is
 * found (a movie's index is a few MB; its media data, GBs, is skipped, never read here), and
 * returns what the WebCodecs decoder needs: the codec and its configuration record, every video
 * sample's byte range, sync flag and presentation time in seconds on ffmpeg's clock (edit list
 * applied, the file's start time subtracted, as the ffmpeg command line does); and the same for
 * the first audio track, so AudioDecoder can make the audio clips in the same pass.
 */
import { createFile, DataStream, Endianness, MP4BoxBuffer, type Movie, type Track } from 'mp4box';

export interface VideoSample {
  offset: number;
  size: number;
  sync: boolean;
  /** Presentation time, s, from the file's start. */
  ptsS: number;
}

export interface AudioSample {
  offset: number;
  size: number;
  /** Presentation time of its first decoded sample, s, on the video's clock (may be < 0). */
  ptsS: number;
}

export interface AudioIndex {
  /** The WebCodecs codec string (`mp4a.40.2`; `opus` for Opus). */
  codec: string;
  /** AudioSpecificConfig (AAC) or OpusHead (Opus), when the track has one. */
  description?: Uint8Array;
  sampleRate: number;
  channels: number;
  /** Samples in decode order. */
  samples: AudioSample[];
}

/** What the container's header says of the movie, for describing it without ffprobe. */
export interface ContainerFacts {
  /** ffprobe's format_name for this container. */
  format: string;
  /** The duration ffprobe reads (mvhd; Matroska's Info), s; null when the header gives none. */
  durationS: number | null;
  /** Video frames per second (samples over their total duration), 0 when unknown. */
  frameRate: number;
  /** The container's colour tags (colr; Matroska's Colour): matrix code, range; null if none. */
  matrix: number | null;
  fullRange: boolean | null;
  /** Whether the file has an audio track at all (`audio` is null for codecs not indexed). */
  hasAudio: boolean;
}

export interface VideoIndex {
  codec: string;
  /** The codec configuration record (avcC, hvcC, vpcC, av1C payload), when the codec has one. */
  description?: Uint8Array;
  width: number;
  height: number;
  /** Samples in decode order. */
  samples: VideoSample[];
  /** The first audio track, or null when there is none. */
  audio: AudioIndex | null;
  container: ContainerFacts;
}

const SLICE = 4 << 20;

/** Where the track's media time 0 lands on the presentation timeline, s (edit list). */
function editShiftS(track: Track, timescale: number, movieTimescale: number): number {
  let shift = 0;
  for (const edit of track.edits ?? []) {
    if (edit.media_time === -1) shift += edit.segment_duration / movieTimescale;
    else return shift - edit.media_time / timescale;
  }
  return shift;
}

async function readMovie(
  file: File,
): Promise<{ mp4: ReturnType<typeof createFile>; movie: Movie }> {
  const mp4 = createFile();
  let movie: Movie | null = null;
  let error: string | null = null;
  mp4.onReady = (m) => (movie = m);
  mp4.onError = (_module, message) => (error = message);
  let pos = 0;
  while (!movie && !error && pos < file.size) {
    const bytes = await file.slice(pos, pos + SLICE).arrayBuffer();
    const next = mp4.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes, pos));
    pos = next > pos ? next : pos + bytes.byteLength;
  }
  if (!movie) mp4.flush();
  if (error) throw new Error(`it is not an MP4 that could be read (${error})`);
  if (!movie) throw new Error('it is not a complete MP4 (no index: moov atom not found)');
  return { mp4, movie };
}

type SampleEntry = Record<string, unknown>;

/** AAC's AudioSpecificConfig (the description WebCodecs asks for), from the track's esds. */
function audioDescription(entry: SampleEntry): Uint8Array | undefined {
  const esds = entry.esds as
    | {
        esd?: {
          findDescriptor(tag: number): { findDescriptor(tag: number): { data?: Uint8Array } };
        };
      }
    | undefined;
  const specific = esds?.esd?.findDescriptor(4)?.findDescriptor(5)?.data;
  return specific ? new Uint8Array(specific) : undefined;
}

interface OpusSpecific {
  OutputChannelCount: number;
  PreSkip: number;
  InputSampleRate: number;
  OutputGain: number;
  ChannelMappingFamily: number;
  StreamCount: number;
  CoupledCount: number;
  ChannelMapping: number[];
}

/**
 * Opus's description for WebCodecs: the Ogg identification header (`OpusHead`, little-endian),
 * rebuilt from the MP4's `dOps` (the same fields, big-endian). Its pre-skip is 0: the track's
 * edit list already places the first decoded sample before time 0 (as FFmpeg's demuxer does), so
 * no decoder must drop it again. (Chromium's AudioDecoder outputs every sample either way: the
 * clips are the same with the real pre-skip.)
 */
function opusHead(dOps: OpusSpecific): Uint8Array {
  const mapped = dOps.ChannelMappingFamily !== 0;
  const head = new Uint8Array(19 + (mapped ? 2 + dOps.OutputChannelCount : 0));
  const view = new DataView(head.buffer);
  head.set([...'OpusHead'].map((c) => c.charCodeAt(0)));
  view.setUint8(8, 1);
  view.setUint8(9, dOps.OutputChannelCount);
  view.setUint16(10, 0, true);
  view.setUint32(12, dOps.InputSampleRate, true);
  view.setInt16(16, dOps.OutputGain, true);
  view.setUint8(18, dOps.ChannelMappingFamily);
  if (mapped) {
    view.setUint8(19, dOps.StreamCount);
    view.setUint8(20, dOps.CoupledCount);
    head.set(dOps.ChannelMapping, 21);
  }
  return head;
}

function audioIndex(
  mp4: ReturnType<typeof createFile>,
  track: Track,
  movieTimescale: number,
  start: number,
): AudioIndex | null {
  if (!track.audio) return null;
  const entry = mp4.getTrackById(track.id).mdia.minf.stbl.stsd.entries[0] as unknown as SampleEntry;
  const codec = /^opus$/i.test(track.codec) ? 'opus' : track.codec;
  const ts = track.timescale;
  const shift = editShiftS(track, ts, movieTimescale);
  return {
    codec,
    description: entry.dOps ? opusHead(entry.dOps as OpusSpecific) : audioDescription(entry),
    sampleRate: track.audio.sample_rate,
    channels: track.audio.channel_count,
    samples: mp4.getTrackSamplesInfo(track.id).map((s) => ({
      offset: s.offset,
      size: s.size,
      ptsS: shift + s.cts / ts - start,
    })),
  };
}

export async function readVideoIndex(file: File): Promise<VideoIndex> {
  const { mp4, movie } = await readMovie(file);
  const track = movie.videoTracks[0];
  if (!track) throw new Error('it has no video stream');
  const entry = mp4.getTrackById(track.id).mdia.minf.stbl.stsd.entries[0] as unknown as Record<
    string,
    { write(s: DataStream): void } | undefined
  >;
  const box = entry.avcC ?? entry.hvcC ?? entry.vpcC ?? entry.av1C;
  let description: Uint8Array | undefined;
  if (box) {
    const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
    box.write(stream);
    description = new Uint8Array(stream.buffer as ArrayBuffer, 8);
  }
  const raw = mp4.getTrackSamplesInfo(track.id);
  const ts = track.timescale;
  const shift = editShiftS(track, ts, movie.timescale);
  const videoStart = shift + Math.min(...raw.map((s) => s.cts)) / ts;
  // ffmpeg's start time is the earliest stream's; audio priming is trimmed, not early.
  const audioStarts = movie.audioTracks.map((a) =>
    (a.edits ?? []).reduce(
      (t, e, i, all) =>
        e.media_time === -1 && all.slice(0, i).every((p) => p.media_time === -1)
          ? t + e.segment_duration / movie.timescale
          : t,
      0,
    ),
  );
  const start = Math.min(videoStart, ...audioStarts);
  const samples = raw.map((s) => ({
    offset: s.offset,
    size: s.size,
    sync: s.is_sync,
    ptsS: shift + s.cts / ts - start,
  }));
  const colr = entry.colr as unknown as
    { colour_type: string; matrix_coefficients: number; full_range_flag: number } | undefined;
  const tagged = colr?.colour_type === 'nclx' || colr?.colour_type === 'nclc';
  const mediaS = raw.reduce((t, s) => t + s.duration, 0) / ts;
  return {
    codec: track.codec,
    description,
    width: track.video?.width ?? track.track_width,
    height: track.video?.height ?? track.track_height,
    samples,
    audio: movie.audioTracks[0]
      ? audioIndex(mp4, movie.audioTracks[0], movie.timescale, start)
      : null,
    container: {
      format: 'mov,mp4,m4a,3gp,3g2,mj2',
      // FFmpeg takes mvhd's duration (to the µs) unless the file is fragmented.
      durationS:
        movie.isFragmented || !(movie.duration > 0) || !(movie.timescale > 0)
          ? null
          : Math.round((movie.duration * 1e6) / movie.timescale) / 1e6,
      frameRate: mediaS > 0 ? raw.length / mediaS : 0,
      matrix: tagged ? colr!.matrix_coefficients : null,
      fullRange: colr?.colour_type === 'nclx' ? colr.full_range_flag === 1 : null,
      hasAudio: movie.audioTracks.length > 0,
    },
  };
}
