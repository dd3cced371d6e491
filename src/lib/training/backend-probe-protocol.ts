/**
 * The one message protocol of the backend probe's worker: the page asks it to time the paper's
 * autoencoder on one backend; the worker reports each phase as it ends, so a probe cut short by
 * its time limit still says how far it got. One worker per backend: a backend that hangs (a
 * software WebGPU adapter can take minutes for a step) is ended by terminating its worker.
 */
import type { BackendName } from '../compute/backend';
import type { SequenceShape } from '../models/autoencoder';

export type ProbeRequest =
  | { type: 'measure'; backend: BackendName; shape: SequenceShape; sequences: number }
  /**
   * Out of time: drop the GPU work. Terminating the worker alone leaves its submitted programs
   * running in the browser's GPU process, which on a software adapter stalls every page for
   * minutes; destroying the device (losing the WebGL context) discards them.
   */
  | { type: 'abort' };

export type ProbeEvent =
  /** The backend started. */
  | { type: 'started'; device: string; software: boolean; startMs: number }
  /** The model is built and its first step done (both compile GPU programs). */
  | { type: 'first-step'; firstStepMs: number }
  | { type: 'step'; stepMs: number }
  | { type: 'failed'; message: string }
  | { type: 'aborted' };
