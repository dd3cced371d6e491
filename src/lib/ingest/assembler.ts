/**
 * Cuts the decoder's two raw byte streams (rgb24 frames, f32le mono audio) into whole 30-s
 * sequences. Only one sequence's worth of each stream is ever held, so memory does not grow with
 * the movie's length. A sequence is handed out once both its frames and its audio clip are in.
 * With a 0×0 frame size it cuts audio alone (frames are then empty buffers), for the WebCodecs
 * path, whose frames come from another worker.
 */
import { AUDIO_CLIP_SAMPLES, CHANNELS, FRAMES_PER_SEQUENCE } from '../shapes';
import type { DecodedSequence } from './protocol';

class Chunker {
  #buf: Uint8Array<ArrayBuffer>;
  #fill = 0;
  readonly done: ArrayBuffer[] = [];
  /** Bytes received in all. */
  total = 0;

  constructor(readonly size: number) {
    this.#buf = new Uint8Array(size);
  }

  push(bytes: Uint8Array): void {
    this.total += bytes.length;
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(this.size - this.#fill, bytes.length - at);
      this.#buf.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.size) {
        this.done.push(this.#buf.buffer);
        this.#buf = new Uint8Array(this.size);
        this.#fill = 0;
      }
    }
  }

  /** Pads the partial chunk with zeros (audio that ends a little before the picture). */
  flushPadded(): void {
    if (this.#fill === 0) return;
    this.done.push(this.#buf.buffer);
    this.#buf = new Uint8Array(this.size);
    this.#fill = 0;
  }
}

export class SequenceAssembler {
  readonly frameBytes: number;
  #video: Chunker | null;
  #audio: Chunker | null;
  #next: number;
  readonly #end: number;

  constructor(
    width: number,
    height: number,
    withAudio: boolean,
    fromSequence: number,
    sequencesTotal: number,
    private readonly emit: (s: DecodedSequence) => void,
  ) {
    this.frameBytes = width * height * CHANNELS;
    this.#video = this.frameBytes > 0 ? new Chunker(this.frameBytes * FRAMES_PER_SEQUENCE) : null;
    this.#audio = withAudio ? new Chunker(AUDIO_CLIP_SAMPLES * 4) : null;
    this.#next = fromSequence;
    this.#end = sequencesTotal;
  }

  get emitted(): number {
    return this.#next;
  }

  /** Whole frames received so far. */
  get frames(): number {
    return this.#video ? Math.floor(this.#video.total / this.frameBytes) : 0;
  }

  get finished(): boolean {
    return this.#next >= this.#end;
  }

  pushVideo(bytes: Uint8Array): void {
    if (!this.finished) this.#video?.push(bytes);
    this.#drain();
  }

  pushAudio(bytes: Uint8Array): void {
    if (!this.finished) this.#audio?.push(bytes);
    this.#drain();
  }

  /** At end of stream: a short audio tail still completes the last whole video sequence. */
  end(): void {
    const videoDone = this.#video ? this.#video.done.length : Infinity;
    if (this.#audio && videoDone > this.#audio.done.length) this.#audio.flushPadded();
    this.#drain();
  }

  #drain(): void {
    while (!this.finished && (this.#video ? this.#video.done.length > 0 : true)) {
      if (this.#audio && this.#audio.done.length === 0) return;
      if (!this.#video && !this.#audio) return;
      const frames = this.#video ? this.#video.done.shift()! : new ArrayBuffer(0);
      const audio = this.#audio ? this.#audio.done.shift()! : null;
      this.emit({ index: this.#next++, frames, audio });
    }
  }
}
