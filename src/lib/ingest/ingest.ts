/**
 * Turns a dropped movie file into a stored movie: identity and duplicate check, probe (from the
 * container index alone where it says all the probe would, else by ffmpeg.wasm), then
 * sequence after sequence into the store (each sequence with its audio clip and the progress
 * counter in one transaction), so a reload or a cancel leaves an incomplete movie that Resume
 * continues from its last stored sequence. Failures name the file and the reason, and never leave
 * a movie looking complete.
 */
import {
  AUDIO_SAMPLE_RATE,
  CHANNELS,
  DEFAULT_RESOLUTION,
  FRAMES_PER_SEQUENCE,
  SECONDS_PER_SEQUENCE,
} from '../shapes';
import {
  appendSequence,
  getMovie,
  listMovies,
  putMovie,
  putMovieDroppingFrom,
} from '../store/movies';
import type { MovieIngestSettings, MovieRecord } from '../store/schema';
import { newId } from '../util/id';
import { creditsStart, isCreditFrame } from './credits';
import { CancelledError, DecoderClient, type DecodeHandlers } from './decoder-client';
import { fileIdentity, sameFile } from './identity';
import { keptSpan, sequencesFor, type DecodePlan } from './plan';
import { tooShortReason, type MediaInfo } from './probe';
import { WebCodecsClient, WebCodecsUnavailable } from './webcodecs-client';

export const DEFAULT_INGEST_SETTINGS: MovieIngestSettings = {
  startS: 0,
  endS: null,
  ...DEFAULT_RESOLUTION,
  fit: 'stretch',
  channelOrder: 'rgb',
};

export interface IngestProgress {
  movieId: string;
  fraction: number;
  decodedS: number;
  totalS: number;
  etaS: number | null;
}

export class IngestError extends Error {}

/** `auto`: WebCodecs where the movie and browser allow it; `ffmpeg.wasm`: always the fallback. */
export type DecoderChoice = 'auto' | 'ffmpeg.wasm';

/** Video codecs (ffprobe's names) the WebCodecs path tries; the browser has the last word. */
const WEBCODECS_CODECS = new Set(['h264', 'hevc', 'av1', 'vp9']);

/** What this browser lacks for the fast decoders, in words for a notice (empty when nothing). */
export function decoderNotices(): string[] {
  const notes: string[] = [];
  if (typeof VideoDecoder !== 'function') {
    notes.push(
      'This browser has no WebCodecs: every movie is decoded with ffmpeg.wasm, about 3× slower.',
    );
  }
  if (typeof SharedArrayBuffer !== 'function' || !globalThis.crossOriginIsolated) {
    notes.push(
      'SharedArrayBuffer is unavailable (the page is not cross-origin isolated): ffmpeg.wasm ' +
        'runs on one thread per movie.',
    );
  }
  return notes;
}

/**
 * Why a movie cannot take the WebCodecs path (then ffmpeg.wasm decodes it), or null when it can
 * try: an MP4/MOV or MKV/WebM with a codec VideoDecoder may know, in a browser that has it.
 */
export function webCodecsRefusal(info: MediaInfo): string | null {
  if (typeof VideoDecoder !== 'function') return 'this browser has no WebCodecs';
  if (!/\b(mov|mp4|matroska|webm)\b/.test(info.container)) {
    return 'the container is not MP4/MOV or MKV/WebM';
  }
  if (!WEBCODECS_CODECS.has(info.videoCodec)) return `no WebCodecs path for ${info.videoCodec}`;
  return null;
}

/** Finds the project's movie made from this very file, if any. */
async function findSameFile(projectId: string, file: File): Promise<MovieRecord | undefined> {
  const identity = await fileIdentity(file);
  const movies = await listMovies(projectId);
  return movies.find((m) => sameFile(m.source, identity));
}

/** Removes what a failed decode stored, and records why it failed. */
function markFailed(movie: MovieRecord, reason: string): Promise<MovieRecord> {
  return putMovieDroppingFrom({ ...movie, state: 'failed', sequencesDone: 0, error: reason }, 0);
}

/**
 * One movie's ingest. `start` decodes what is missing (all of a new movie, the rest of an
 * incomplete one); `cancel` stops it, leaving the stored sequences for a later Resume.
 */
export class IngestJob {
  #client = new DecoderClient();
  #webcodecs = new WebCodecsClient(this.#client);
  #cancelled = false;

  private constructor(
    readonly file: File,
    public movie: MovieRecord,
    readonly decoder: DecoderChoice,
  ) {}

  /**
   * Prepares the ingest of a dropped file: a new incomplete movie, or the existing incomplete one
   * when the same file was dropped before. Throws when the file is already fully ingested.
   */
  static async open(
    projectId: string,
    file: File,
    settings: MovieIngestSettings = DEFAULT_INGEST_SETTINGS,
    decoder: DecoderChoice = 'auto',
  ): Promise<IngestJob> {
    const existing = await findSameFile(projectId, file);
    if (existing?.state === 'complete') {
      throw new IngestError(`“${file.name}” is already in this project as “${existing.name}”.`);
    }
    if (existing) return new IngestJob(file, existing, decoder);
    const identity = await fileIdentity(file);
    const movie: MovieRecord = {
      id: newId(),
      projectId,
      name: file.name.replace(/\.[^.]+$/, ''),
      durationS: 0,
      frameRate: 0,
      source: identity,
      settings: { ...settings },
      state: 'incomplete',
      sequencesDone: 0,
      sequencesTotal: 0,
      createdAt: Date.now(),
    };
    return new IngestJob(file, movie, decoder);
  }

  /** Resumes a stored incomplete movie with its file, which must be the same file. */
  static async resume(
    movie: MovieRecord,
    file: File,
    decoder: DecoderChoice = 'auto',
  ): Promise<IngestJob> {
    if (!sameFile(movie.source, await fileIdentity(file))) {
      throw new IngestError(
        `“${file.name}” is not the file “${movie.name}” was made from (${movie.source.fileName}).`,
      );
    }
    return new IngestJob(file, movie, decoder);
  }

  async start(onProgress: (p: IngestProgress) => void = () => {}): Promise<MovieRecord> {
    const name = this.file.name;
    let info;
    const probing = performance.now();
    try {
      // The index alone describes most H.264 MP4/MKV films; ffmpeg.wasm probes the rest.
      const described =
        this.decoder === 'auto' && typeof VideoDecoder === 'function'
          ? await this.#webcodecs.describe(this.file)
          : null;
      info = described ?? (await this.#client.probe(this.file));
    } catch (err) {
      this.#webcodecs.release();
      this.#client.dispose(!(err instanceof CancelledError));
      if (err instanceof CancelledError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (this.movie.sequencesDone > 0) await markFailed(this.movie, reason);
      throw new IngestError(`Cannot ingest “${name}”: ${reason}.`);
    }
    const total = sequencesFor(this.movie.settings, info.durationS);
    if (total === 0) {
      this.#webcodecs.release();
      this.#client.dispose(true);
      throw new IngestError(
        `Cannot ingest “${name}”: ${tooShortReason(keptSpan(this.movie.settings, info.durationS))}.`,
      );
    }
    this.movie = {
      ...this.movie,
      durationS: info.durationS,
      frameRate: info.frameRate,
      sequencesTotal: total,
      state: 'incomplete',
      error: undefined,
    };
    await putMovie(this.movie);

    const { width, height } = this.movie.settings;
    const plan: DecodePlan = {
      width,
      height,
      fit: this.movie.settings.fit,
      startS: this.movie.settings.startS,
      fromSequence: this.movie.sequencesDone,
      sequencesTotal: total,
      audioChannels: info.audioChannels,
    };
    const frameBytes = width * height * CHANNELS;
    const credits = new Uint8Array(total * FRAMES_PER_SEQUENCE);
    const began = performance.now();
    const firstS = plan.fromSequence * FRAMES_PER_SEQUENCE;
    const totalS = total * FRAMES_PER_SEQUENCE;
    const report = (decodedS: number) => {
      const done = Math.min(firstS + decodedS, totalS);
      const rate = decodedS / ((performance.now() - began) / 1000);
      onProgress({
        movieId: this.movie.id,
        fraction: done / totalS,
        decodedS: done,
        totalS,
        etaS: decodedS > 0 && rate > 0 ? (totalS - done) / rate : null,
      });
    };
    report(0);
    let healthy = false;
    const handlers: DecodeHandlers = {
      onSequence: async (s) => {
        const frames = new Uint8Array(s.frames);
        for (let f = 0; f < FRAMES_PER_SEQUENCE; f++) {
          const frame = frames.subarray(f * frameBytes, (f + 1) * frameBytes);
          credits[s.index * FRAMES_PER_SEQUENCE + f] = isCreditFrame(frame) ? 1 : 0;
        }
        this.movie = await appendSequence(this.movie.id, {
          index: s.index,
          frames: s.frames,
          audio: s.audio ? { sampleRate: AUDIO_SAMPLE_RATE, samples: s.audio } : null,
        });
      },
      onProgress: report,
    };
    try {
      await this.#decode(info, plan, handlers, performance.now() - probing);
      healthy = true;
    } catch (err) {
      if (err instanceof CancelledError || this.#cancelled) {
        this.movie = (await getMovie(this.movie.id)) ?? this.movie;
        throw new CancelledError();
      }
      const reason = err instanceof Error ? err.message : String(err);
      this.movie = await markFailed(this.movie, reason);
      throw new IngestError(`Cannot ingest “${name}”: ${reason}.`);
    } finally {
      this.#client.dispose(healthy);
    }
    const creditsAt = creditsStart(credits);
    this.movie = {
      ...this.movie,
      state: 'complete',
      creditsStartS: creditsAt === null ? null : this.movie.settings.startS + creditsAt,
    };
    await putMovie(this.movie);
    return this.movie;
  }

  /** WebCodecs where it can, ffmpeg.wasm otherwise; the movie records which one and why. */
  async #decode(
    info: MediaInfo,
    plan: DecodePlan,
    handlers: DecodeHandlers,
    probeMs: number,
  ): Promise<void> {
    let refusal = this.decoder === 'auto' ? webCodecsRefusal(info) : 'chosen in the settings';
    let webCodecsFailed = false;
    if (refusal === null) {
      try {
        await this.#webcodecs.decode(
          this.file,
          plan,
          info.colour,
          handlers,
          (codec, audioCodec) => {
            const audio = plan.audioChannels === 0 ? '' : ` + ${audioCodec ?? 'ffmpeg.wasm audio'}`;
            this.movie = { ...this.movie, decoder: `WebCodecs (${codec}${audio})` };
            void putMovie(this.movie);
          },
        );
        // Where the time went, for `npm run bench ingest` (User Timing, read from the page).
        performance.mark('ingest-phases', {
          detail: { movie: this.movie.name, probe: probeMs, ...this.#webcodecs.phases },
        });
        return;
      } catch (err) {
        if (!(err instanceof WebCodecsUnavailable) || this.#cancelled) throw err;
        refusal = err.message;
        webCodecsFailed = true;
      }
    }
    this.#webcodecs.release();
    // Resumes where WebCodecs stopped: the sequences it stored stay, ffmpeg.wasm seeks to the rest.
    const from = this.movie.sequencesDone;
    const switched = from > plan.fromSequence;
    this.movie = {
      ...this.movie,
      decoder: switched
        ? `ffmpeg.wasm from ${plan.startS + from * SECONDS_PER_SEQUENCE} s (WebCodecs before: ${refusal})`
        : `ffmpeg.wasm (${refusal})`,
    };
    await putMovie(this.movie);
    const skippedS = (from - plan.fromSequence) * FRAMES_PER_SEQUENCE;
    try {
      await this.#client.decode(
        this.file,
        { ...plan, fromSequence: from },
        { ...handlers, onProgress: (s) => handlers.onProgress(skippedS + s) },
      );
    } catch (err) {
      if (!webCodecsFailed || !(err instanceof Error) || err instanceof CancelledError) throw err;
      throw new Error(`${err.message}; WebCodecs failed before it: ${refusal}`);
    }
  }

  cancel(): void {
    this.#cancelled = true;
    this.#webcodecs.cancel();
    this.#client.cancel();
  }
}

/**
 * Changes where a movie ends (cutting closing credits, or undoing a cut). Sequences past the new
 * end are deleted at once; a later end leaves the movie incomplete until Resume decodes the rest.
 */
export async function setEndCut(movieId: string, endS: number | null): Promise<MovieRecord> {
  const movie = await getMovie(movieId);
  if (!movie) throw new Error('That movie no longer exists.');
  const settings = { ...movie.settings, endS };
  const total = sequencesFor(settings, movie.durationS);
  if (total === 0) throw new IngestError(`An end at ${endS} s leaves no complete sequence.`);
  const done = Math.min(movie.sequencesDone, total);
  const next: MovieRecord = {
    ...movie,
    settings,
    sequencesTotal: total,
    sequencesDone: done,
    state: done >= total ? 'complete' : 'incomplete',
  };
  return putMovieDroppingFrom(next, total);
}
