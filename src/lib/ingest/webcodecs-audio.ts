/**
 * The WebCodecs path's audio: the movie's audio track (AAC, Opus; MP4 or Matroska) decoded by
 * AudioDecoder in the same pass as the pictures, so the movie is never read or decoded twice.
 * Each decoded block is mixed to mono as librosa does (the mean of the channels) and resampled
 * by `MonoResampler` (equal to ffmpeg's aresample), and every 30 s of output becomes the clip of
 * the sequence with the same index, on the same clock as the frames: output sample 0 is the plan's
 * first second. A clip is only made a little ahead of the frames (`ahead`), so memory holds a few
 * clips whatever the movie's length. Used by the WebCodecs worker only.
 */
import { AUDIO_SAMPLE_RATE, SECONDS_PER_SEQUENCE } from '../shapes';
import type { AudioIndex } from './mp4-index';
import type { DecodePlan } from './plan';
import { MonoResampler } from './resample';

const CLIP = AUDIO_SAMPLE_RATE * SECONDS_PER_SEQUENCE;
/**
 * Largest span of the file read at once for audio samples. Muxers interleave the tracks packet by
 * packet, so a read per run of contiguous audio samples would be a read per packet, each a round
 * trip to the browser process costing more CPU than decoding the audio. A span reads the video
 * bytes between the packets too: about as many bytes again as the video side reads.
 */
const READ = 4 << 20;
const QUEUE = 16;
/** Decoding starts this long before the first needed instant: the filter's and AAC's history. */
const PRE_ROLL_S = 0.1;

export interface AudioSink {
  /** Sequence index and its clip (mono float32, 30 s at 22050 Hz). */
  clip(index: number, samples: Float32Array<ArrayBuffer>): void;
  /** Resolves when the frames are close enough behind for the next clip to be made. */
  room(): Promise<void>;
  /** Throws the first failure elsewhere (the video side), to stop this side too. */
  check(): void;
}

/**
 * AAC frames per chunk when they go to the decoder as ADTS: Chromium's AudioDecoder has a fixed
 * cost per chunk whatever its size, and several frames a chunk decode to the same frames and
 * timestamps as one (figures in docs/ingest.md).
 */
const ADTS_FRAMES = 16;

/**
 * The 7-byte ADTS header of a raw AAC frame of `size` bytes, for AAC-LC whose AudioSpecificConfig
 * ADTS carries whole: sample rate by index, 1–7 channels, and no SBR — none signalled, or (as
 * FFmpeg's encoder writes it) a sync extension saying SBR is absent. Null for anything else, which
 * goes to the decoder one raw frame a chunk.
 */
export function adtsFraming(audio: AudioIndex): ((size: number) => number[]) | null {
  const asc = audio.description;
  if (!audio.codec.startsWith('mp4a.') || !asc) return null;
  const objectType = asc[0] >> 3;
  const rateIndex = ((asc[0] & 7) << 1) | (asc[1] >> 7);
  const channels = (asc[1] >> 3) & 15;
  const noSbr =
    asc.length === 2 ||
    (asc.length === 5 &&
      ((asc[2] << 3) | (asc[3] >> 5)) === 0x2b7 &&
      (asc[3] & 0x1f) === 5 &&
      asc[4] >> 7 === 0);
  if (objectType !== 2 || rateIndex > 12 || channels < 1 || channels > 7 || asc[1] & 7 || !noSbr) {
    return null;
  }
  return (size) => {
    const length = size + 7;
    return [
      0xff,
      0xf1, // MPEG-4, no CRC
      ((objectType - 1) << 6) | (rateIndex << 2) | (channels >> 2),
      ((channels & 3) << 6) | (length >> 11),
      (length >> 3) & 0xff,
      ((length & 7) << 5) | 0x1f,
      0xfc, // buffer fullness 0x7ff (variable rate), one raw data block
    ];
  };
}

/** The decoder's configuration: ADTS framing carries the AAC configuration in each frame. */
export function audioConfig(audio: AudioIndex): AudioDecoderConfig {
  return {
    codec: audio.codec,
    sampleRate: audio.sampleRate,
    numberOfChannels: audio.channels,
    ...(audio.description && !adtsFraming(audio) ? { description: audio.description } : {}),
  };
}

/**
 * Whether this path makes the track's clips (otherwise ffmpeg.wasm does): AAC and Opus, where the
 * browser's AudioDecoder takes them. Chromium decodes Opus with libopus, FFmpeg with its own
 * decoder: the clips differ from the ffmpeg path's by about 5e-6 (CELT, music bit rates) to 5e-5
 * (SILK/hybrid at 24 kb/s) on average, as native ffmpeg's `-c:a libopus` does from its default.
 */
export async function canDecodeAudio(audio: AudioIndex | null): Promise<boolean> {
  const known = audio?.codec.startsWith('mp4a.') || audio?.codec === 'opus';
  if (!audio || !known || typeof AudioDecoder !== 'function') return false;
  try {
    return (await AudioDecoder.isConfigSupported(audioConfig(audio))).supported === true;
  } catch {
    return false;
  }
}

/** Decodes the plan's clips from `file`'s audio track into `sink`, in order. */
export async function decodeAudioClips(
  file: File,
  audio: AudioIndex,
  plan: DecodePlan,
  sink: AudioSink,
): Promise<void> {
  const fromS = plan.startS + plan.fromSequence * SECONDS_PER_SEQUENCE;
  let next = plan.fromSequence;
  let resampler: MonoResampler | null = null;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;

  const drain = () => {
    for (let clip; next < plan.sequencesTotal && (clip = resampler?.take(CLIP));) {
      sink.clip(next++, clip);
    }
  };
  // Reused for every block (the resampler copies what it is given): ~50 blocks a second.
  let mono = new Float32Array(0);
  let plane = new Float32Array(0);
  const decoder = new AudioDecoder({
    output: (data) => {
      try {
        const n = data.numberOfFrames;
        const channels = data.numberOfChannels;
        resampler ??= new MonoResampler(data.sampleRate, AUDIO_SAMPLE_RATE);
        if (mono.length < n) [mono, plane] = [new Float32Array(n), new Float32Array(n)];
        mono.fill(0, 0, n);
        for (let c = 0; c < channels; c++) {
          data.copyTo(plane.subarray(0, n), { planeIndex: c, format: 'f32-planar' });
          for (let i = 0; i < n; i++) mono[i] += plane[i];
        }
        if (channels > 1) for (let i = 0; i < n; i++) mono[i] /= channels;
        const at = Math.round((data.timestamp / 1e6 - fromS) * data.sampleRate);
        resampler.push(mono.subarray(0, n), at);
        drain();
      } catch (e) {
        failure ??= e as Error;
      } finally {
        data.close();
      }
    },
    error: (e) => {
      failure ??= new Error(`audio decoding failed: ${e.message}`);
      wake?.();
    },
  });
  decoder.addEventListener('dequeue', () => wake?.());
  decoder.configure(audioConfig(audio));

  const { samples } = audio;
  const adts = adtsFraming(audio);
  const aacFrameS = 1024 / audio.sampleRate;
  let bytes = new Uint8Array(0);
  let at = 0;
  /** Frames s… (`count` of them) of the span in `bytes`, each behind its ADTS header. */
  const adtsChunk = (s: number, count: number) => {
    const part = samples.slice(s, s + count);
    const chunk = new Uint8Array(part.reduce((n, p) => n + 7 + p.size, 0));
    let to = 0;
    for (const p of part) {
      chunk.set(adts!(p.size), to);
      chunk.set(bytes.subarray(p.offset - at, p.offset - at + p.size), to + 7);
      to += 7 + p.size;
    }
    return chunk;
  };
  let first = 0;
  while (first + 1 < samples.length && samples[first + 1].ptsS <= fromS - PRE_ROLL_S) first++;
  try {
    for (let s = first; s < samples.length && next < plan.sequencesTotal;) {
      // One read for the samples that follow each other in the file within a span.
      let end = s + 1;
      while (
        end < samples.length &&
        samples[end].offset >= samples[end - 1].offset + samples[end - 1].size &&
        samples[end].offset + samples[end].size - samples[s].offset <= READ
      ) {
        end++;
      }
      at = samples[s].offset;
      const last = samples[end - 1];
      if (last.offset + last.size > file.size) throw new Error('the file is truncated');
      bytes = new Uint8Array(await file.slice(at, last.offset + last.size).arrayBuffer());
      while (s < end) {
        sink.check();
        if (failure) throw failure;
        await sink.room();
        while (decoder.decodeQueueSize >= QUEUE && !failure) {
          await new Promise<void>((r) => (wake = r));
        }
        const sample = samples[s];
        // A chunk's frames take their times from its first: they must follow each other.
        let frames = 1;
        while (
          adts &&
          frames < ADTS_FRAMES &&
          s + frames < end &&
          Math.abs(samples[s + frames].ptsS - samples[s + frames - 1].ptsS - aacFrameS) < 1e-5
        ) {
          frames++;
        }
        decoder.decode(
          new EncodedAudioChunk({
            type: 'key',
            timestamp: Math.round(sample.ptsS * 1e6),
            data: adts
              ? adtsChunk(s, frames)
              : bytes.subarray(sample.offset - at, sample.offset - at + sample.size),
          }),
        );
        s += frames;
      }
    }
    if (!failure) await decoder.flush();
    if (failure) throw failure;
    resampler ??= new MonoResampler(audio.sampleRate, AUDIO_SAMPLE_RATE);
    resampler.end();
    drain();
  } finally {
    if (decoder.state !== 'closed') decoder.close();
  }
}
