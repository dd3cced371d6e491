/**
 * Messages between the page and keras-h5.worker.ts, which reads a dropped .h5 lazily.
 */
import type { KerasH5Content } from './keras-h5';

export interface ReadRequest {
  type: 'read';
  file: File;
}

export type ReadReply =
  | { type: 'done'; content: KerasH5Content }
  | { type: 'refused'; message: string }
  | { type: 'failed'; message: string };
