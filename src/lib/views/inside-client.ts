/**
 * The page's handle on the "inside the network" worker: typed requests, one promise each.
 */
import type { InsideMessage, InsideReply, InsideRequest, InsideResults } from './inside-protocol';

export class InsideClient {
  #worker: Worker | null = null;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;

  /** Started on the first request, so a page that never opens a view never starts a model. */
  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./inside.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<InsideReply>) => {
      const reply = event.data;
      const waiter = this.#pending.get(reply.id);
      if (!waiter) return;
      this.#pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.error));
    };
    worker.onerror = (event) => {
      const err = new Error(`The views worker failed: ${event.message || 'unknown error'}`);
      for (const w of this.#pending.values()) w.reject(err);
      this.#pending.clear();
    };
    this.#worker = worker;
    return worker;
  }

  request<R extends InsideRequest>(request: R): Promise<InsideResults[R['type']]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message: InsideMessage = { id, request };
      this.#start().postMessage(message);
    });
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = null;
    const err = new Error('The views were closed.');
    for (const w of this.#pending.values()) w.reject(err);
    this.#pending.clear();
  }
}
