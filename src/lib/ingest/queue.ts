/**
 * The page's ingest queue: dropped files are decoded one movie at a time (each decode already
 * keeps the machine's cores busy), each with its own progress and Cancel. Framework-free: the UI
 * subscribes with `onChange` and calls `add`, `resume` and `cancel`.
 */
import type { MovieIngestSettings, MovieRecord } from '../store/schema';
import { CancelledError } from './decoder-client';
import { throttle } from '../util/throttle';
import { IngestJob, type DecoderChoice, type IngestProgress } from './ingest';

/** The page hears of a running ingest's progress at most this often. */
const PROGRESS_INTERVAL_MS = 500;

export interface QueueEntry {
  key: number;
  fileName: string;
  movieId: string | null;
  status: 'waiting' | 'decoding';
  progress: IngestProgress | null;
}

export interface QueueEvents {
  /** Entries changed (progress, start, end). */
  onChange(entries: readonly QueueEntry[]): void;
  /** Stored data changed (a sequence, a new or finished movie). */
  onStored(): void;
  onError(err: unknown): void;
}

interface Pending {
  entry: QueueEntry;
  open: () => Promise<IngestJob>;
  job: IngestJob | null;
  cancelled: boolean;
}

export class IngestQueue {
  #pending: Pending[] = [];
  #running = false;
  #nextKey = 1;
  readonly #progressed = throttle(() => this.#changed(), PROGRESS_INTERVAL_MS);

  constructor(private readonly events: QueueEvents) {}

  get entries(): QueueEntry[] {
    return this.#pending.map((p) => p.entry);
  }

  add(
    projectId: string,
    files: readonly File[],
    settings: MovieIngestSettings,
    decoder: DecoderChoice = 'auto',
  ): void {
    for (const file of files) {
      this.#enqueue(file.name, null, () => IngestJob.open(projectId, file, settings, decoder));
    }
  }

  resume(movie: MovieRecord, file: File, decoder: DecoderChoice = 'auto'): void {
    this.#enqueue(file.name, movie.id, () => IngestJob.resume(movie, file, decoder));
  }

  /** Stops a waiting or running ingest; what is stored stays, for Resume. */
  cancel(key: number): void {
    const p = this.#pending.find((x) => x.entry.key === key);
    if (!p) return;
    p.cancelled = true;
    p.job?.cancel();
    if (!p.job) this.#remove(p);
  }

  isBusy(movieId: string): boolean {
    return this.#pending.some((p) => p.entry.movieId === movieId);
  }

  #enqueue(fileName: string, movieId: string | null, open: () => Promise<IngestJob>) {
    const entry: QueueEntry = {
      key: this.#nextKey++,
      fileName,
      movieId,
      status: 'waiting',
      progress: null,
    };
    this.#pending.push({ entry, open, job: null, cancelled: false });
    this.#changed();
    void this.#pump();
  }

  #remove(p: Pending) {
    this.#pending = this.#pending.filter((x) => x !== p);
    this.#changed();
  }

  #changed() {
    this.events.onChange(this.entries);
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (let p = this.#pending[0]; p; p = this.#pending[0]) {
        await this.#run(p);
        this.#remove(p);
      }
    } finally {
      this.#running = false;
    }
  }

  async #run(p: Pending): Promise<void> {
    try {
      p.job = await p.open();
      if (p.cancelled) return;
      p.entry = { ...p.entry, movieId: p.job.movie.id, status: 'decoding' };
      this.#changed();
      let stored = -1;
      await p.job.start((progress) => {
        p.entry = { ...p.entry, progress };
        this.#progressed();
        const done = p.job?.movie.sequencesDone ?? 0;
        if (done !== stored) {
          stored = done;
          this.events.onStored();
        }
      });
    } catch (err) {
      if (!(err instanceof CancelledError)) this.events.onError(err);
    } finally {
      this.events.onStored();
    }
  }
}
