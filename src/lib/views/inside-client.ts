/**
 * The page's handle on the "inside the network" worker: typed requests, one promise each.
 */
import type { InsideMessage, InsideReply, InsideRequest, InsideResults } from './inside-protocol';

export class InsideClient {
  #worker = new Worker(new URL('./inside.worker.ts', import.meta.url), { type: 'module' });
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;

  constructor() {
    this.#worker.onmessage = (event: MessageEvent<InsideReply>) => {
      const reply = event.data;
      const waiter = this.#pending.get(reply.id);
      if (!waiter) return;
      this.#pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.error));
    };
    this.#worker.onerror = (event) => {
      const err = new Error(`The views worker failed: ${event.message || 'unknown error'}`);
      for (const w of this.#pending.values()) w.reject(err);
      this.#pending.clear();
    };
  }

  request<R extends InsideRequest>(request: R): Promise<InsideResults[R['type']]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const message: InsideMessage = { id, request };
      this.#worker.postMessage(message);
    });
  }

  dispose(): void {
    this.#worker.terminate();
    const err = new Error('The views were closed.');
    for (const w of this.#pending.values()) w.reject(err);
    this.#pending.clear();
  }
}
