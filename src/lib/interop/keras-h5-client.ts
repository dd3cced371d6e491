/**
 * Reads a dropped Keras .h5: in the browser through keras-h5.worker.ts (lazy, off the page's
 * thread), elsewhere (Node tests) from the file's bytes.
 */
import { InteropError } from './errors';
import { readKerasH5Bytes, type KerasH5Content } from './keras-h5';
import type { ReadReply, ReadRequest } from './keras-h5.protocol';

export async function readKerasH5File(file: File): Promise<KerasH5Content> {
  if (typeof window === 'undefined' || typeof Worker === 'undefined') {
    return readKerasH5Bytes(new Uint8Array(await file.arrayBuffer()), file.name);
  }
  const worker = new Worker(new URL('./keras-h5.worker.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<ReadReply>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<ReadReply>) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`The .h5 reader failed: ${e.message}`));
      worker.postMessage({ type: 'read', file } satisfies ReadRequest);
    });
    if (reply.type === 'done') return reply.content;
    if (reply.type === 'refused') throw new InteropError(reply.message);
    throw new InteropError(`${file.name} could not be read: ${reply.message}`);
  } finally {
    worker.terminate();
  }
}
