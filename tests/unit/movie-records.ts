// A complete movie record as ingest leaves it, for unit tests that store features or sequences
// for it directly instead of decoding a file.
import type { MovieRecord } from '../../src/lib/store/schema';

export function completeMovie(
  id: string,
  projectId: string,
  name: string,
  sequences: number,
  createdAt: number,
): MovieRecord {
  return {
    id,
    projectId,
    name,
    durationS: sequences * 30,
    frameRate: 24,
    source: { fileName: `${id}.mp4`, size: 1, hash: id },
    settings: { startS: 0, endS: null, width: 64, height: 36, fit: 'stretch', channelOrder: 'rgb' },
    state: 'complete',
    sequencesDone: sequences,
    sequencesTotal: sequences,
    createdAt,
  };
}
