// The study's real labels and audio features through the importers and the dataset builder:
// 13 labels over 1302 sequences, and the paper's last-20 % split gives 1039 / 263 sequences.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eraseStore } from '../../src/lib/store/db';
import { createProject } from '../../src/lib/store/projects';
import { listMovies } from '../../src/lib/store/movies';
import {
  buildLabelDataset,
  gatherAudioFeatures,
  importAudioFeaturesNpy,
  importLabelCsv,
} from '../../src/lib/study/studyStore';
import { describeSplit } from '../../src/lib/study/splits';
import { LABEL_VOCABULARY, PAPER_KEPT_LABEL_INDICES } from '../../src/lib/study/vocabulary';
import { readNpy } from '../../src/lib/util/npy';
import { readReference, referencePath } from '../reference';

const MOVIES = ['Buddy', 'Hobbit', 'Machete', 'Mitty', 'Paranormal', 'Tribute'];

afterEach(async () => {
  await eraseStore();
});

describe('real study data', () => {
  it('imports the six CSVs and audio .npy files; last 20 % gives 1039 / 263', async () => {
    const project = await createProject('real');
    for (const m of MOVIES) {
      // Half the movies in each layout: both must land on the same data.
      const file = MOVIES.indexOf(m) % 2 ? `${m}_transposed.csv` : `${m}.csv`;
      const text = readFileSync(referencePath(`smelloffear/labels/${file}`), 'utf8');
      const r = await importLabelCsv(project.id, file, text, { createMovie: true });
      expect(r.movie.name).toBe(m);
      const buffer = readReference(`smelloffear/audio/${m}.npy`);
      await importAudioFeaturesNpy(project.id, `${m}.npy`, buffer);
    }
    expect((await listMovies(project.id)).map((m) => m.name)).toEqual(MOVIES);

    const all = await buildLabelDataset(project.id, { sequences: 'all' });
    expect(all.rows).toHaveLength(1302);
    expect(all.names).toEqual(PAPER_KEPT_LABEL_INDICES.map((i) => LABEL_VOCABULARY[i]));

    const audio = await buildLabelDataset(project.id, { sequences: 'audio' });
    expect(audio.rows).toHaveLength(1302);
    expect(describeSplit(audio.split)).toBe('1039 train / 263 validation');
    const buddy = audio.alignment[0];
    expect(buddy).toMatchObject({ dataRows: 170, sequences: 180, kept: 170, dropped: 10 });

    // Validation rows are the tail of each movie, and the features are the file's rows.
    const val = audio.split.validation.map((i) => audio.rows[i]);
    const firstVal = val[0];
    expect(firstVal.index).toBe(136);
    const x = await gatherAudioFeatures(project.id, [firstVal]);
    const buddyNpy = readNpy(readReference('smelloffear/audio/Buddy.npy'));
    expect(x[0]).toBeCloseTo(buddyNpy.data[136 * 193], 3);

    // Video models see nothing until frames exist.
    const frames = await buildLabelDataset(project.id);
    expect(frames.rows).toHaveLength(0);
  });
});
