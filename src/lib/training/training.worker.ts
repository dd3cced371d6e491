/// <reference lib="webworker" />
/**
 * The training worker: owns TensorFlow.js and one TrainingSession, so training never blocks the
 * page. Messages follow protocol.ts.
 */
import '../models/layers';
import { TrainingSession } from './session';
import type { TrainingEvent, TrainingRequest } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const session = new TrainingSession((e: TrainingEvent) => scope.postMessage(e));

scope.onmessage = (ev: MessageEvent<TrainingRequest>) => {
  const req = ev.data;
  if (req.type === 'stop') {
    session.stop();
    return;
  }
  const work =
    req.type === 'start'
      ? session.start(req)
      : req.type === 'arm'
        ? session.trainArm(req)
        : req.type === 'head-arm'
          ? session.trainHeadArm(req)
          : session.resume(req.runId, req.backends);
  work.catch((err: unknown) =>
    scope.postMessage({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
    } satisfies TrainingEvent),
  );
};
