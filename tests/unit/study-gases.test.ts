// VOC screenings: the streaming ARFF reader (dense, sparse, quoted, comments, `?`, chunked
// streams, bad files with file/line/reason), chemicals chosen by name, the synthetic generator,
// normalisation, missing values, lag and splits.
import { correlation } from './study-helpers';
import { describe, expect, it } from 'vitest';
import { readArffColumns, type ArffHeader } from '../../src/lib/study/arff';
import { matchChemicals } from '../../src/lib/study/chemicalColumns';
import {
  CHEMICALS,
  DEFAULT_MASS_TOLERANCE,
  MISSING_VOC_VALUE,
} from '../../src/lib/study/chemicals';
import { fillMissing, normaliseScreening } from '../../src/lib/study/gasTargets';
import { syntheticArff } from '../../src/lib/study/syntheticArff';
import { assembleGasDataset, type ScreeningInput } from '../../src/lib/study/assemble';
import { describeSplit, splitRows } from '../../src/lib/study/splits';
import { StudyInputError } from '../../src/lib/study/inputError';
import { matchMovie, parseStudyFileName } from '../../src/lib/study/studyFiles';

const SMALL = `% a comment
@RELATION 'screening 1'

@attribute 'time stamp' date "yyyy-MM-dd HH:mm:ss"
@attribute "m33.0335 (methanol)" numeric
@attribute note string
@attribute CO2 real
@attribute kind {a,b}
% another comment
@data
'2013-12-01 20:00:00', 1.5, 'hello, world', 400, a
'2013-12-01 20:00:30', ?, ?, 410, b
{0 '2013-12-01 20:01:00', 3 420}
`;

const all = (h: ArffHeader) => h.attributes.map((_, i) => i);

/** A byte stream delivering the text in small chunks (cutting lines and UTF-8 sequences). */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function failure(text: string): Promise<StudyInputError> {
  try {
    await readArffColumns(text, 'bad.arff', all);
  } catch (e) {
    if (e instanceof StudyInputError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('ARFF reader', () => {
  it('reads types, quoted names, comments, missing values and sparse rows', async () => {
    const r = await readArffColumns(SMALL, 's.arff', all);
    expect(r.header.relation).toBe('screening 1');
    expect(r.header.attributes.map((a) => [a.name, a.type])).toEqual([
      ['time stamp', 'date'],
      ['m33.0335 (methanol)', 'numeric'],
      ['note', 'string'],
      ['CO2', 'numeric'],
      ['kind', 'nominal'],
    ]);
    expect(r.rows).toBe(3);
    expect([...r.values[1]]).toEqual([1.5, NaN, 0]); // sparse: unlisted = 0
    expect([...r.values[3]]).toEqual([400, 410, 420]);
  });

  it('streams chunked bytes to the same result as the whole text', async () => {
    const text = syntheticArff({ rows: 12, seed: 3, extraAttributes: 300 });
    const select = () => [5, 100, 200];
    const whole = await readArffColumns(text, 'a.arff', select);
    const streamed = await readArffColumns(chunked(text, 7), 'a.arff', select);
    const blob = await readArffColumns(new Blob([text]), 'a.arff', select);
    expect(streamed.values).toEqual(whole.values);
    expect(blob.values).toEqual(whole.values);
  });

  it('reads sparse synthetic rows like dense ones', async () => {
    const dense = syntheticArff({ rows: 8, seed: 4 });
    const sparse = syntheticArff({ rows: 8, seed: 4, sparse: true });
    const a = await readArffColumns(dense, 'd.arff', all);
    const b = await readArffColumns(sparse, 's.arff', all);
    expect(b.values.slice(2)).toEqual(a.values.slice(2));
  });

  const bad: [string, string, RegExp, number | null][] = [
    ['an empty file', '', /empty/, null],
    ['no @data', '@relation x\n@attribute a numeric\n', /no @data/, null],
    ['a non-number', '@relation x\n@attribute a numeric\n@data\n1\nabc\n', /“a” holds “abc”/, 5],
    [
      'a short row',
      '@relation x\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3\n',
      /expected 2 values, found 1/,
      6,
    ],
    ['an unknown type', '@relation x\n@attribute a relational\n@data\n', /type “relational”/, 2],
    ['an unclosed quote', "@relation x\n@attribute a string\n@data\n'abc\n", /not closed/, 4],
    [
      'a sparse index out of range',
      '@relation x\n@attribute a numeric\n@data\n{3 1}\n',
      /beyond/,
      4,
    ],
    ['no rows', '@relation x\n@attribute a numeric\n@data\n', /no rows/, null],
  ];
  it.each(bad)('rejects %s with file, line and reason', async (_, text, reason, line) => {
    const err = await failure(text);
    expect(err.message).toMatch(/^bad\.arff/);
    expect(err.message).toMatch(reason);
    expect(err.line).toBe(line);
  });
});

describe('chemical columns', () => {
  it('finds the six chemicals by name wherever they sit, and reports missing ones', async () => {
    const text = syntheticArff({ rows: 4, seed: 1, extraAttributes: 500 });
    const { header } = await readArffColumns(text, 'a.arff', () => []);
    const m = matchChemicals(header.attributes, CHEMICALS, DEFAULT_MASS_TOLERANCE);
    expect(m.map((c) => c.attributeName)).toEqual([
      'CO2',
      'm33.0335',
      'm46.0653',
      'm58.0756',
      'm70.0766',
      'm374.0818',
    ]);
    expect(new Set(m.map((c) => c.attribute)).size).toBe(6);
    const attrs = [
      { name: 'm46.07', type: 'numeric' as const, line: 1 },
      { name: 'm46.0655', type: 'numeric' as const, line: 2 },
      { name: 'm33.05', type: 'numeric' as const, line: 3 },
    ];
    const near = matchChemicals(attrs, CHEMICALS, 0.01);
    expect(near[2]).toMatchObject({ key: 'ethanol', attribute: 1 }); // the closest mass wins
    expect(near[1].attribute).toBe(-1); // 33.05 is beyond the tolerance
    expect(matchChemicals(attrs, CHEMICALS, 0.02)[1].attribute).toBe(2);
  });
});

describe('file names', () => {
  it('reads the screening number and movie from the file name', () => {
    expect(parseStudyFileName('3_Mitty.arff')).toEqual({ movieName: 'Mitty', index: 3 });
    expect(parseStudyFileName('Buddy_transposed.csv')).toEqual({ movieName: 'Buddy', index: null });
    const movies = [{ id: 'a', name: 'Harbour Run' }];
    expect(matchMovie('2_HarbourRun.arff', movies)).toBe('a');
    expect(matchMovie('2_Harbour.arff', movies)).toBeNull();
  });
});

describe('normalisation and missing values', () => {
  const raw = Float32Array.from([1, 100, NaN, 300, 3, 200, 2, 100]); // 4 rows × 2

  it('scales per screening and chemical to [0, 1], keeping gaps', () => {
    const n = normaliseScreening(raw, 4, 2, 'per-chemical');
    expect([...n]).toEqual([0, 0, NaN, 1, 1, 0.5, 0.5, 0]);
  });

  it('offers the original code’s one min/max over all columns', () => {
    const n = normaliseScreening(raw, 4, 2, 'original-global');
    expect(n[0]).toBe(0);
    expect(n[3]).toBe(1);
    expect(n[4]).toBeCloseTo(2 / 299);
  });

  it('maps a column without spread to 0.5', () => {
    expect([...normaliseScreening([7, 7, 7], 3, 1, 'per-chemical')]).toEqual([0.5, 0.5, 0.5]);
  });

  it('fills gaps with 0.5 or the mean of the movie’s other screenings', () => {
    const a = Float32Array.from([NaN, 0.2, NaN]);
    const b = Float32Array.from([0.4, NaN, NaN]);
    const c = Float32Array.from([0.8, 0.6]);
    expect([...fillMissing([a, b, c], 'constant')[0]]).toEqual([0.5, Math.fround(0.2), 0.5]);
    const mean = fillMissing([a, b, c], 'movie-mean');
    expect(mean[0][0]).toBeCloseTo(0.6);
    expect(mean[0][2]).toBe(MISSING_VOC_VALUE); // nobody measured it
    expect(mean[1][1]).toBeCloseTo(0.4);
  });
});

async function screeningInput(id: string, movieId: string, index: number, text: string) {
  const data = await readArffColumns(text, id, (h) =>
    matchChemicals(h.attributes, CHEMICALS, DEFAULT_MASS_TOLERANCE).map((m) => m.attribute),
  );
  const k = data.values.length;
  const values = new Float32Array(data.rows * k);
  data.values.forEach((col, c) => col.forEach((v, r) => (values[r * k + c] = v)));
  const input: ScreeningInput = {
    id,
    movieId,
    screeningIndex: index,
    chemicals: CHEMICALS.map((c) => c.key),
    rows: data.rows,
    values,
  };
  return input;
}

describe('synthetic screenings and gas datasets', () => {
  const options = {
    chemicals: CHEMICALS.map((c) => c.key),
    normalisation: 'per-chemical' as const,
    missing: 'constant' as const,
    lag: 0,
    split: { kind: 'last-fraction' as const, fraction: 0.2 },
  };

  it('makes screenings of one movie agree with each other, not with another movie', async () => {
    const rows = 40;
    const s = await Promise.all([
      screeningInput('a1', 'A', 1, syntheticArff({ rows, seed: 1, movieSeed: 10 })),
      screeningInput('a2', 'A', 2, syntheticArff({ rows, seed: 2, movieSeed: 10 })),
      screeningInput('b1', 'B', 1, syntheticArff({ rows, seed: 3, movieSeed: 20 })),
    ]);
    const gaps = Array.from(s[0].values).filter((v) => Number.isNaN(v)).length;
    expect(gaps).toBeGreaterThan(0);
    const d = assembleGasDataset(s, new Map(), options);
    const isoprene = (id: string) =>
      Float32Array.from({ length: rows }, (_, r) => d.curves.get(id)![r * 6 + 4]);
    expect(correlation(isoprene('a1'), isoprene('a2'))).toBeGreaterThan(0.7);
    expect(Math.abs(correlation(isoprene('a1'), isoprene('b1')))).toBeLessThan(0.5);
    for (const v of d.y) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('applies the lag, aligns with sequences, and splits', async () => {
    const s = await Promise.all([
      screeningInput('a1', 'A', 1, syntheticArff({ rows: 10, seed: 1 })),
      screeningInput('a2', 'A', 2, syntheticArff({ rows: 12, seed: 2 })),
      screeningInput('b1', 'B', 1, syntheticArff({ rows: 10, seed: 3 })),
    ]);
    const available = new Map([
      ['A', 10],
      ['B', 8],
    ]);
    const d = assembleGasDataset(s, available, { ...options, lag: 2 });
    // A: min(10, 10 − 2) + min(10, 12 − 2) = 8 + 10; B: min(8, 8) = 8
    expect(d.rows).toHaveLength(26);
    const row = d.rows.findIndex((r) => r.screeningId === 'a2' && r.index === 3);
    expect(d.y[row * 6 + 1]).toBe(d.curves.get('a2')![5 * 6 + 1]);
    expect(d.alignment.find((a) => a.screeningId === 'b1')).toMatchObject({ kept: 8, dropped: 2 });
    // last 20 %: per movie by sequence index (A: indices 0–9, 8 and 9 validate, only a2 has
    // them; B: indices 0–7, 6 and 7 validate)
    const last = splitRows(d.rows, { kind: 'last-fraction', fraction: 0.2 });
    expect(describeSplit(last)).toBe('22 train / 4 validation');
    const first = assembleGasDataset(s, available, {
      ...options,
      split: { kind: 'screening-out' },
    });
    expect(
      first.split.validation.every((i) => ['a1', 'b1'].includes(first.rows[i].screeningId)),
    ).toBe(true);
    expect(describeSplit(first.split)).toBe('10 train / 18 validation'); // lag 0: 10 + 10 + 8 rows
    const chosen = splitRows(
      d.rows,
      { kind: 'screening-out', screeningIds: { A: 'a2' } },
      new Map([['B', 'b1']]),
    );
    expect(chosen.validation).toHaveLength(18);
    const movie = splitRows(d.rows, { kind: 'movie-out', movieId: 'B' });
    expect(describeSplit(movie)).toBe('18 train / 8 validation');
  });

  it('falls back to the last 20 % for scene labels under screening-out, and says so', () => {
    const rows = Array.from({ length: 10 }, (_, index) => ({ movieId: 'A', index }));
    const split = splitRows(rows, { kind: 'screening-out' });
    expect(split.validation).toEqual([8, 9]);
    expect(split.note).toMatch(/no screenings/);
  });
});
