/**
 * What a movie file holds, read from ffprobe's JSON, and the reasons a file cannot be ingested.
 */
import { SECONDS_PER_SEQUENCE } from '../shapes';

/** How the pictures encode colour, as ffmpeg reads the tags (its scaler converts accordingly). */
export interface PictureColour {
  matrix: 'bt601' | 'bt709';
  fullRange: boolean;
}

export interface MediaInfo {
  durationS: number;
  frameRate: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  audioChannels: number;
  container: string;
  colour: PictureColour;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  channels?: number;
  color_space?: string;
  color_range?: string;
}
interface ProbeJson {
  streams?: ProbeStream[];
  format?: { duration?: string; format_name?: string };
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [n, d] = text.split('/').map(Number);
  return d ? n / d : n || 0;
}

/** Parses ffprobe's `-show_format -show_streams -of json` output; throws a reason on bad input. */
export function parseProbe(json: string): MediaInfo {
  let data: ProbeJson;
  try {
    data = JSON.parse(json) as ProbeJson;
  } catch {
    throw new Error('it is not a movie file that could be read');
  }
  const streams = data.streams ?? [];
  if (!data.format && streams.length === 0) {
    throw new Error('it is not a movie file that could be read');
  }
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video) throw new Error('it has no video stream');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const durationS = Number(data.format?.duration ?? video.duration ?? NaN);
  if (!Number.isFinite(durationS) || durationS <= 0) {
    throw new Error('its duration is unknown (the file may be truncated or damaged)');
  }
  return {
    durationS,
    frameRate: rate(video.avg_frame_rate) || rate(video.r_frame_rate),
    width: video.width ?? 0,
    height: video.height ?? 0,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
    audioChannels: audio ? (audio.channels ?? 2) : 0,
    container: data.format?.format_name ?? 'unknown',
    colour: {
      matrix: video.color_space === 'bt709' ? 'bt709' : 'bt601',
      fullRange: video.color_range === 'pc',
    },
  };
}

/** Turns ffmpeg's log into the reason a decode failed, in words a user can act on. */
export function failureReason(log: readonly string[]): string {
  const text = log.join('\n');
  if (/moov atom not found/i.test(text))
    return 'it is not a complete MP4 (no index: moov atom not found)';
  const decoder = /Decoder \(codec (\w+)\) not found|Unsupported codec.*?(\w+)/i.exec(text);
  if (decoder) return `its codec ${decoder[1] ?? decoder[2]} is not supported`;
  // FFmpeg's own AV1 decoder only drives hardware decoders; this build has no software one.
  if (/hardware accelerated AV1 decoding/i.test(text)) {
    return 'ffmpeg.wasm cannot decode AV1 (it has no software AV1 decoder)';
  }
  if (/Invalid data found when processing input/i.test(text)) {
    return 'it is not a movie file that could be read (invalid data)';
  }
  if (/partial file|Truncat|end of file/i.test(text)) return 'the file is truncated';
  const last = log.filter((l) => l.trim()).at(-1);
  return last ? `decoding failed: ${last.trim()}` : 'decoding failed';
}

export function tooShortReason(keptS: number): string {
  return `it is ${Math.round(keptS)} s long: shorter than one ${SECONDS_PER_SEQUENCE}-s sequence`;
}
