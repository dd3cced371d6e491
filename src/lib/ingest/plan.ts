/**
 * What to decode from a movie and how: the sampling rule, the sequence grouping and the ffmpeg
 * filter graph. Pure functions, shared by the decoders and the tests.
 *
 * Sampling rule (that of native `ffmpeg -vf fps=1`): the movie yields round(duration) frames, and
 * frame k (second k) is the last source frame whose timestamp is < k + 0.5 s. Frames are grouped
 * into sequences of 30; sequence i covers [startS + 30·i, startS + 30·(i+1)) and an incomplete
 * last sequence is dropped. Audio clip i covers the same 30 s.
 */
import { AUDIO_SAMPLE_RATE, FRAMES_PER_SEQUENCE, SECONDS_PER_SEQUENCE } from '../shapes';
import type { MovieIngestSettings } from '../store/schema';

export interface DecodePlan {
  width: number;
  height: number;
  fit: 'stretch' | 'crop';
  /** Absolute movie time of sequence 0's first frame. */
  startS: number;
  /** First sequence to produce (resume), and how many sequences in all. */
  fromSequence: number;
  sequencesTotal: number;
  /** Channels of the source audio, for the mono downmix; 0 when the movie has no audio. */
  audioChannels: number;
}

/** Frames native `ffmpeg -vf fps=1` emits for a stream of this duration. */
export function frameCount(durationS: number): number {
  return Math.max(0, Math.round(durationS));
}

/** Index of the source frame (timestamps ascending) that stands for second k. */
export function sampleSourceFrame(pts: readonly number[], k: number): number {
  let chosen = -1;
  for (let i = 0; i < pts.length && pts[i] < k + 0.5; i++) chosen = i;
  return Math.max(chosen, 0);
}

/** The span of the movie kept by the settings, in seconds. */
export function keptSpan(settings: MovieIngestSettings, durationS: number): number {
  const end = settings.endS == null ? durationS : Math.min(settings.endS, durationS);
  return Math.max(0, end - settings.startS);
}

export function sequencesFor(settings: MovieIngestSettings, durationS: number): number {
  return Math.floor(frameCount(keptSpan(settings, durationS)) / FRAMES_PER_SEQUENCE);
}

export function videoFilter(plan: Pick<DecodePlan, 'width' | 'height' | 'fit'>): string {
  const { width: w, height: h } = plan;
  return plan.fit === 'crop'
    ? `fps=1,scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`
    : `fps=1,scale=${w}:${h}`;
}

/** Mono as librosa makes it (the mean of all channels), resampled, starting at time 0. */
export function audioFilter(channels: number): string {
  const mix =
    channels <= 1
      ? 'pan=mono|c0=c0'
      : `pan=mono|c0=${Array.from({ length: channels }, (_, c) => `${1 / channels}*c${c}`).join('+')}`;
  return `${mix},aresample=${AUDIO_SAMPLE_RATE}:async=1:first_pts=0`;
}

/**
 * For each of `slots` seconds from time 0, the index (into `pts`, seconds in presentation order)
 * of the source frame that stands for it, by the rule above. With `seeked` (a decode that starts
 * at a seek point, like ffmpeg's `-ss`), frames before time 0 are not eligible. -1 where no frame
 * qualifies.
 */
export function pickSourceFrames(pts: readonly number[], slots: number, seeked: boolean): number[] {
  const picks: number[] = [];
  let i = 0;
  while (seeked && i < pts.length && pts[i] < 0) i++;
  const first = i < pts.length ? i : -1;
  let last = -1;
  for (let k = 0; k < slots; k++) {
    while (i < pts.length && pts[i] < k + 0.5) last = i++;
    picks.push(last >= 0 ? last : first);
  }
  return picks;
}

/**
 * ffmpeg arguments decoding the plan's remaining sequences to two raw outputs (or to the audio
 * output alone, when another decoder makes the frames).
 */
export function ffmpegArgs(
  input: string,
  plan: DecodePlan,
  outputs: { video: string | null; audio: string },
): string[] {
  const fromS = plan.startS + plan.fromSequence * SECONDS_PER_SEQUENCE;
  const spanS = (plan.sequencesTotal - plan.fromSequence) * SECONDS_PER_SEQUENCE;
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'warning'];
  if (fromS > 0) args.push('-ss', String(fromS));
  // A little past the last sequence, so the fps filter never runs short at the cut.
  args.push('-t', String(spanS + 1), '-i', input);
  if (outputs.video) {
    args.push('-map', '0:v:0', '-vf', videoFilter(plan), '-pix_fmt', 'rgb24');
    args.push('-f', 'rawvideo', outputs.video);
  }
  if (plan.audioChannels > 0) {
    args.push('-map', '0:a:0', '-af', audioFilter(plan.audioChannels));
    args.push('-c:a', 'pcm_f32le', '-f', 'f32le', outputs.audio);
  }
  return args;
}
