// Streaming ARFF reading of a screening the size of the study's (≈ 4,750 attributes × 300 rows,
// ≈ 11 MB), against the least any reader must do: split the text into lines and fields and parse
// every number once.
import { readArffColumns } from '../src/lib/study/arff.ts';
import { matchChemicals } from '../src/lib/study/chemicalColumns.ts';
import { CHEMICALS, DEFAULT_MASS_TOLERANCE } from '../src/lib/study/chemicals.ts';
import { syntheticArff } from '../src/lib/study/syntheticArff.ts';
import { printRows, timeMedian, type Benchmark } from './harness.ts';

const bench: Benchmark = {
  title: 'ARFF screening (4,750 attributes × 300 rows) streamed from a Blob vs. split + Number',
  async run() {
    const text = syntheticArff({ rows: 300, seed: 1, extraAttributes: 4750 });
    const blob = new Blob([text]);
    const mb = blob.size / 1e6;
    const data = text.slice(text.indexOf('@data') + 6);
    const baselineMs = await timeMedian(() => {
      for (const line of data.split('\n')) line.split(',').map(Number);
    }, 3);
    const ms = await timeMedian(
      () =>
        readArffColumns(blob, 'bench.arff', (h) =>
          matchChemicals(h.attributes, CHEMICALS, DEFAULT_MASS_TOLERANCE).map((m) => m.attribute),
        ),
      3,
    );
    printRows('split+Number', [
      {
        name: `${mb.toFixed(1)} MB`,
        baselineMs,
        ms,
        extra: `${(mb / (ms / 1000)).toFixed(1)} MB/s`,
      },
    ]);
  },
};
export default bench;
