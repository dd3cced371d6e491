/// <reference lib="webworker" />
/**
 * The ARFF worker: streams one screening file per request and sends back its chemical columns
 * (transferred, not copied), or the file/line/reason of bad input.
 */
import type { ReadScreeningReply, ReadScreeningRequest } from './arffWorkerProtocol';
import { StudyInputError } from './inputError';
import { readScreening } from './screeningFile';

const post = (reply: ReadScreeningReply, transfer: Transferable[] = []) =>
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(reply, transfer);

self.onmessage = async (e: MessageEvent<ReadScreeningRequest>) => {
  const { id, file, fileName, chemicals, tolerance } = e.data;
  try {
    const columns = await readScreening(file, fileName, chemicals, tolerance);
    post({ id, kind: 'done', columns }, [columns.values.buffer]);
  } catch (err) {
    if (err instanceof StudyInputError) {
      post({ id, kind: 'bad-input', file: err.file, line: err.line, reason: err.reason });
    } else post({ id, kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
};
