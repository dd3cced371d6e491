/**
 * Messages between the page and the ARFF worker, which reads screening files of tens of MB off the
 * main thread.
 */
import type { ChemicalSpec } from './chemicals';
import type { ScreeningColumns } from './screeningFile';

export interface ReadScreeningRequest {
  id: number;
  file: Blob;
  fileName: string;
  chemicals: ChemicalSpec[];
  tolerance: number;
}

export type ReadScreeningReply =
  | { id: number; kind: 'done'; columns: ScreeningColumns }
  | { id: number; kind: 'bad-input'; file: string; line: number | null; reason: string }
  | { id: number; kind: 'failed'; message: string };
