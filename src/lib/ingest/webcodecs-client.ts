/**
 * Owns the WebCodecs worker for one movie. The worker decodes the audio track too when the
 * browser's AudioDecoder takes its codec (AAC, Opus); otherwise this client pairs the worker's
 * frame sequences with audio clips that ffmpeg.wasm makes at the same time in its own worker
 * (audio only), in segments of a few sequences that run at most a little ahead of the frames, so
 * memory stays bounded whatever the movie's length.
 * Failing before the first sequence is paired (container, codec or picture format it cannot
 * take), or the browser's decoder failing later on a stream it had accepted, throws
 * `WebCodecsUnavailable`, and the caller decodes the rest with ffmpeg.wasm instead (from the first
 * sequence not yet stored). A bad file (truncated, unreadable) or a cancel is thrown as it is.
 */
import type { DecodeHandlers, DecoderClient } from './decoder-client';
import { CancelledError } from './decoder-client';
import type { DecodePlan } from './plan';
import type { MediaInfo, PictureColour } from './probe';
import { DecoderFault, type DecodedSequence, type FromDecoder, type ToDecoder } from './protocol';

export class WebCodecsUnavailable extends Error {}

/** Sequences per audio segment (one ffmpeg run), and how far audio may run ahead of frames. */
const AUDIO_SEGMENT = 10;
const AUDIO_AHEAD = 20;

export class WebCodecsClient {
  #worker: Worker | null = null;
  #fail: ((e: Error) => void) | null = null;
  /** Milliseconds per phase of the last decode (the worker's, plus storing), for the benchmark. */
  phases: Record<string, number> = {};

  constructor(private readonly audio: DecoderClient) {}

  #spawn(): Worker {
    this.#worker ??= new Worker(new URL('./webcodecs.worker.ts', import.meta.url), {
      type: 'module',
    });
    return this.#worker;
  }

  /**
   * The movie as ffprobe would describe it, from its index alone (`index-probe.ts`), or null when
   * that is not certain (then probe with ffmpeg.wasm). The worker keeps the index for `decode`.
   */
  async describe(file: File): Promise<MediaInfo | null> {
    const worker = this.#spawn();
    try {
      return await new Promise<MediaInfo | null>((resolve, reject) => {
        this.#fail = reject;
        worker.onerror = () => resolve(null);
        worker.onmessage = ({ data }: MessageEvent<FromDecoder>) => {
          if (data.type === 'described') resolve(data.info);
        };
        const msg: ToDecoder = { type: 'describe', file };
        worker.postMessage(msg);
      });
    } finally {
      this.#fail = null;
    }
  }

  /** Ends the worker `describe` started when no decode follows. */
  release(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }

  /** Decodes the plan; resolves once every sequence has been stored by `onSequence`. */
  async decode(
    file: File,
    plan: DecodePlan,
    colour: PictureColour,
    handlers: DecodeHandlers,
    onStarted: (codec: string, audioCodec: string | null) => void,
  ): Promise<void> {
    const frames = new Map<number, ArrayBuffer>();
    const clips = new Map<number, ArrayBuffer | null>();
    const withAudio = plan.audioChannels > 0;
    let audioFromWorker = false;
    this.phases = {};
    let storingMs = 0;
    let next = plan.fromSequence;
    let writes = Promise.resolve();
    let failed: Error | null = null;
    const waiters: (() => void)[] = [];
    const tick = () => new Promise<void>((r) => waiters.push(r));
    const wakeAll = () => waiters.splice(0).forEach((r) => r());
    const failure = new Promise<never>((_, reject) => {
      this.#fail = (e) => {
        failed ??= e;
        reject(e);
        wakeAll();
      };
    });
    failure.catch(() => {});
    const fail = (e: Error) => this.#fail?.(e);

    const store = async (s: DecodedSequence) => {
      const t0 = performance.now();
      await handlers.onSequence(s);
      storingMs += performance.now() - t0;
    };
    const pair = () => {
      while (frames.has(next) && (!withAudio || clips.has(next))) {
        const s: DecodedSequence = {
          index: next,
          frames: frames.get(next)!,
          audio: clips.get(next) ?? null,
        };
        frames.delete(next);
        clips.delete(next);
        next++;
        writes = writes.then(() => (failed ? undefined : store(s).catch(fail)));
      }
      wakeAll();
    };

    let started = false;
    const video = new Promise<void>((resolve, reject) => {
      const worker = this.#spawn();
      worker.onerror = (e) =>
        reject(new Error(`the decoder stopped: ${e.message || 'worker error'}`));
      worker.onmessage = ({ data }: MessageEvent<FromDecoder>) => {
        if (data.type === 'failed') {
          reject(data.decoderFault ? new DecoderFault(data.reason) : new Error(data.reason));
        } else if (data.type === 'started') {
          started = true;
          audioFromWorker = data.audioCodec !== null;
          onStarted(data.codec, data.audioCodec);
          if (withAudio && !audioFromWorker) void audioRun().catch(fail);
        } else if (data.type === 'sequence') {
          frames.set(data.sequence.index, data.sequence.frames);
          if (audioFromWorker) clips.set(data.sequence.index, data.sequence.audio);
          pair();
        } else if (data.type === 'progress') handlers.onProgress(data.decodedS);
        else if (data.type === 'done') {
          this.phases = { ...data.phases };
          resolve();
        }
      };
      const msg: ToDecoder = { type: 'decode', file, plan, colour };
      worker.postMessage(msg);
    });

    const audioRun = async () => {
      for (let a = plan.fromSequence; a < plan.sequencesTotal; a += AUDIO_SEGMENT) {
        while (a - next >= AUDIO_AHEAD && !failed) await tick();
        if (failed) return;
        const segment = {
          ...plan,
          fromSequence: a,
          sequencesTotal: Math.min(a + AUDIO_SEGMENT, plan.sequencesTotal),
        };
        await this.audio.decode(
          file,
          segment,
          {
            onSequence: async (s) => {
              clips.set(s.index, s.audio);
              pair();
            },
            onProgress: () => {},
          },
          true,
        );
      }
    };

    try {
      await Promise.race([video, failure]);
      while (next < plan.sequencesTotal) await Promise.race([tick(), failure]);
      await writes;
      if (failed) throw failed;
      this.phases.storing = storingMs;
    } catch (e) {
      // Sequences complete before the browser's decoder failed are still stored (the audio
      // side is stopped after that: its cancel would stop the writes too).
      if (!(e instanceof DecoderFault)) failed ??= e as Error;
      await writes;
      failed ??= e as Error;
      if (started) this.audio.cancel();
      // ffmpeg.wasm may still decode what WebCodecs could not: anything, when nothing is stored
      // yet (a picture format FrameScaler does not take, an index mp4box cannot read); after
      // that, only what the browser's decoder failed on (the sequences before stay stored).
      if (
        !(e instanceof CancelledError) &&
        (next === plan.fromSequence || e instanceof DecoderFault)
      ) {
        throw new WebCodecsUnavailable((e as Error).message);
      }
      throw e;
    } finally {
      this.#worker?.terminate();
      this.#worker = null;
      this.#fail = null;
    }
  }

  cancel(reason: Error = new CancelledError()): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.audio.cancel();
    this.#fail?.(reason);
  }
}
