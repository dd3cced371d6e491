// Label CSVs: both layouts with and without names, bad shapes and values rejected with file and
// line, and the paper's selection on the six real CSVs (13 labels over 1302 sequences).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labelsToCsv, parseLabelCsv } from '../../src/lib/study/labelsCsv';
import { countLabels, selectLabels } from '../../src/lib/study/labelSelection';
import { StudyInputError } from '../../src/lib/study/inputError';
import {
  DEFAULT_MIN_LABEL_COUNT,
  LABEL_VOCABULARY,
  PAPER_KEPT_LABEL_INDICES,
} from '../../src/lib/study/vocabulary';
import { referencePath } from '../reference';

export const REAL_MOVIES = ['Buddy', 'Hobbit', 'Machete', 'Mitty', 'Paranormal', 'Tribute'];
const real = (name: string) => readFileSync(referencePath(`smelloffear/labels/${name}`), 'utf8');

function randomMatrix(rows: number, k: number, seed = 1): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: rows * k }, () => {
    s = (s * 16807) % 2147483647;
    return s % 3 === 0 ? 1 : 0;
  });
}

describe('label CSV parsing', () => {
  it('detects the original layout (one row per label, no names) and uses the vocabulary', () => {
    const m = randomMatrix(7, 42);
    const p = parseLabelCsv(labelsToCsv(m, LABEL_VOCABULARY, 'label-rows', false), 'a.csv');
    expect(p.layout).toBe('label-rows');
    expect(p.names).toEqual([...LABEL_VOCABULARY]);
    expect(p.rows).toBe(7);
    expect([...p.matrix]).toEqual([...m]);
  });

  it('detects one row per sequence, with and without a header of names', () => {
    const m = randomMatrix(5, 42, 3);
    const bare = parseLabelCsv(labelsToCsv(m, LABEL_VOCABULARY, 'sequence-rows', false), 'b.csv');
    expect(bare.layout).toBe('sequence-rows');
    expect([...bare.matrix]).toEqual([...m]);
    const names = ['calm', 'loud', 'dark'];
    const m3 = randomMatrix(4, 3, 5);
    const named = parseLabelCsv(labelsToCsv(m3, names, 'sequence-rows', true), 'c.csv');
    expect(named).toMatchObject({ layout: 'sequence-rows', names, rows: 4 });
    expect([...named.matrix]).toEqual([...m3]);
    const rowsNamed = parseLabelCsv(labelsToCsv(m3, names, 'label-rows', true), 'd.csv');
    expect(rowsNamed).toMatchObject({ layout: 'label-rows', names, rows: 4 });
    expect([...rowsNamed.matrix]).toEqual([...m3]);
  });

  it('flips a detected layout on request', () => {
    const m = randomMatrix(42, 42, 9);
    const text = labelsToCsv(m, LABEL_VOCABULARY, 'label-rows', false);
    const p = parseLabelCsv(text, 'sq.csv');
    expect(p.layout).toBe('label-rows');
    const f = parseLabelCsv(text, 'sq.csv', 'sequence-rows');
    expect(f.layout).toBe('sequence-rows');
    expect(f.detected).toBe('label-rows');
    expect(f.reason).toMatch(/flipped/);
    expect([...f.matrix]).not.toEqual([...p.matrix]);
  });

  it('reads both real layouts of a movie to the same matrix', () => {
    const a = parseLabelCsv(real('Buddy.csv'), 'Buddy.csv');
    const b = parseLabelCsv(real('Buddy_transposed.csv'), 'Buddy_transposed.csv');
    expect(a.layout).toBe('label-rows');
    expect(b.layout).toBe('sequence-rows');
    expect(a.rows).toBe(170);
    expect([...a.matrix]).toEqual([...b.matrix]);
  });

  const bad: [string, string, RegExp, number | null][] = [
    ['empty file', '', /empty/, null],
    ['only blank lines', '\n\n', /empty/, null],
    ['wrong column count', '0,1,0\n1,0\n', /line 2: expected 3 columns, found 2/, 2],
    ['a value other than 0/1', 'a,b\n0,1\n1,2\n', /line 3: column 2 holds “2”/, 3],
    ['no vocabulary size', '0,1,0\n1,0,1\n', /42 rows or 42 columns/, null],
  ];
  it.each(bad)('rejects %s with file, line and reason', (_, text, message, line) => {
    let err: unknown;
    try {
      parseLabelCsv(text, 'bad.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StudyInputError);
    expect((err as StudyInputError).message).toMatch(/^bad\.csv/);
    expect((err as StudyInputError).message).toMatch(message);
    expect((err as StudyInputError).line).toBe(line);
  });
});

describe('label selection', () => {
  it("keeps exactly the paper's 13 labels over 1302 sequences of the six real CSVs", () => {
    const sources = REAL_MOVIES.map((m) => ({ movieId: m, ...parseLabelCsv(real(`${m}.csv`), m) }));
    const counts = countLabels(sources);
    expect(counts.sequences).toBe(1302);
    const kept = selectLabels(counts, DEFAULT_MIN_LABEL_COUNT);
    expect(kept).toEqual([...PAPER_KEPT_LABEL_INDICES]);
    expect(counts.total.filter((t) => t === 0)).toHaveLength(14);
    const buddy = counts.perMovie.get('Buddy')!;
    expect(buddy.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('lets overrides keep a rare label or drop a frequent one', () => {
    const counts = countLabels([
      { movieId: 'm', names: ['a', 'b'], rows: 3, matrix: Uint8Array.from([1, 0, 1, 0, 1, 1]) },
    ]);
    expect(counts.total).toEqual([3, 1]);
    expect(selectLabels(counts, 2)).toEqual([0]);
    expect(selectLabels(counts, 2, { b: true, a: false })).toEqual([1]);
  });
});
