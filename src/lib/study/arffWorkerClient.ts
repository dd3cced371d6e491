/**
 * Owns the ARFF worker: reads screening files off the main thread, one request at a time per call,
 * turning the worker's replies back into ScreeningColumns or a StudyInputError.
 */
import type { ReadScreeningReply, ReadScreeningRequest } from './arffWorkerProtocol';
import type { ChemicalSpec } from './chemicals';
import { StudyInputError } from './inputError';
import type { ScreeningColumns } from './screeningFile';

export class ScreeningReader {
  #worker: Worker | null = null;
  #next = 1;
  #pending = new Map<
    number,
    { resolve: (c: ScreeningColumns) => void; reject: (e: Error) => void }
  >();

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./arff.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<ReadScreeningReply>) => {
      const reply = e.data;
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if (reply.kind === 'done') waiting.resolve(reply.columns);
      else if (reply.kind === 'bad-input') {
        waiting.reject(new StudyInputError(reply.file, reply.line, reply.reason));
      } else waiting.reject(new Error(reply.message));
    };
    worker.onerror = (e) => {
      for (const w of this.#pending.values())
        w.reject(new Error(`ARFF worker failed: ${e.message}`));
      this.#pending.clear();
      this.#worker = null;
    };
    this.#worker = worker;
    return worker;
  }

  read(
    file: Blob,
    fileName: string,
    chemicals: readonly ChemicalSpec[],
    tolerance: number,
  ): Promise<ScreeningColumns> {
    const worker = this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: ReadScreeningRequest = {
        id,
        file,
        fileName,
        chemicals: chemicals.map((c) => ({
          ...c,
          aliases: c.aliases ? [...c.aliases] : undefined,
        })),
        tolerance,
      };
      worker.postMessage(request);
    });
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }
}
