// The interval and verdict logic against known distributions: arms drawn from one distribution
// give "no clear difference" in at least 90 % of 200 simulated comparisons (the nominal rate is
// 95 %), a shifted arm is detected, and the t quantiles match the published table.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/util/random';
import {
  bootstrapInterval,
  mean,
  pairedRowInterval,
  resampleRows,
  sampleSd,
  seedInterval,
  tQuantile975,
  unpairedRowInterval,
  verdictOf,
  type Interval,
} from '../../src/lib/experiments/uncertainty';

/** Standard normal draws (Box–Muller) from the project's seeded generator. */
function normal(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const SIMULATIONS = 200;

/** How often each verdict comes out of `SIMULATIONS` comparisons drawn by `simulate`. */
function verdicts(simulate: (draw: () => number, i: number) => Interval | null, seed: number) {
  const draw = normal(seed);
  const counts = { better: 0, worse: 0, 'no clear difference': 0 };
  for (let i = 0; i < SIMULATIONS; i++) counts[verdictOf(simulate(draw, i), 'lower')]++;
  return counts;
}

/** k seeds per arm; each seed's shared start moves both arms alike (what pairing removes). */
function seedArms(draw: () => number, k: number, shift: number) {
  const base: number[] = [];
  const variant: number[] = [];
  for (let s = 0; s < k; s++) {
    const start = 0.5 * draw();
    base.push(0.2 + start + 0.01 * draw());
    variant.push(0.2 + shift + start + 0.01 * draw());
  }
  return { base, variant };
}

/** Per-row absolute errors of two arms on the same n rows: row difficulty shared, noise not. */
function rowArms(draw: () => number, n: number, shift: number) {
  const base: number[] = [];
  const variant: number[] = [];
  for (let r = 0; r < n; r++) {
    const difficulty = 0.2 + 0.05 * draw();
    base.push(difficulty + 0.03 * draw());
    variant.push(difficulty + shift + 0.03 * draw());
  }
  return { base, variant };
}

describe('uncertainty', () => {
  it('computes mean, sample sd and Student’s t quantiles', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(sampleSd([1, 2, 3, 6])).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(sampleSd([4])).toBeNull();
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(2)).toBe(4.303);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(1e6)).toBeCloseTo(1.96, 3);
  });

  it('gives the textbook t interval of paired seed differences', () => {
    // differences 0.3, 0.4, 0.5: mean 0.4, sd 0.1, half-width 4.303 × 0.1 / √3
    const ci = seedInterval([1, 1, 1], [1.3, 1.4, 1.5])!;
    expect(ci.method).toBe('t over seeds');
    expect(ci.low).toBeCloseTo(0.4 - (4.303 * 0.1) / Math.sqrt(3), 12);
    expect(ci.high).toBeCloseTo(0.4 + (4.303 * 0.1) / Math.sqrt(3), 12);
    // the same mean difference with twice the spread is not a clear one
    const wide = seedInterval([1, 1, 1], [1.2, 1.4, 1.6])!;
    expect(verdictOf(wide, 'higher')).toBe('no clear difference');
    expect(seedInterval([1], [2])).toBeNull();
    expect(() => seedInterval([1, 2], [1])).toThrow(/differ/);
    expect(verdictOf(ci, 'higher')).toBe('better');
    expect(verdictOf(ci, 'lower')).toBe('worse');
    expect(verdictOf({ low: -0.1, high: 0.2, method: 'exact' }, 'lower')).toBe(
      'no clear difference',
    );
    expect(verdictOf(null, 'higher')).toBe('no clear difference');
  });

  it('3 seeds per arm from one distribution: no clear difference in ≥ 90 % of 200', () => {
    const same = verdicts((draw) => {
      const { base, variant } = seedArms(draw, 3, 0);
      return seedInterval(base, variant);
    }, 11);
    console.log('same distribution, 3 seeds:', same);
    expect(same['no clear difference']).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
  });

  it('3 seeds per arm: a variant whose MAE is lower by 0.05 (5 noise sd) is detected', () => {
    const shifted = verdicts((draw) => {
      const { base, variant } = seedArms(draw, 3, -0.05);
      return seedInterval(base, variant);
    }, 12);
    console.log('shifted by −0.05, 3 seeds:', shifted);
    expect(shifted.worse).toBe(0);
    expect(shifted.better).toBeGreaterThanOrEqual(0.8 * SIMULATIONS);
  });

  it('one seed, paired bootstrap over 40 rows: no clear difference ≥ 90 %, a shift detected', () => {
    const same = verdicts((draw, i) => {
      const { base, variant } = rowArms(draw, 40, 0);
      return pairedRowInterval(base, variant, i + 1);
    }, 21);
    console.log('same distribution, paired rows:', same);
    expect(same['no clear difference']).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);

    const shifted = verdicts((draw, i) => {
      const { base, variant } = rowArms(draw, 40, -0.03);
      return pairedRowInterval(base, variant, i + 1);
    }, 22);
    console.log('shifted by −0.03, paired rows:', shifted);
    expect(shifted.worse).toBe(0);
    expect(shifted.better).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
  });

  it('one seed, arms on different rows: unpaired bootstrap behaves the same way', () => {
    const draw = normal(31);
    const sample = (n: number, centre: number) =>
      Array.from({ length: n }, () => centre + 0.05 * draw());
    let clear = 0;
    let detected = 0;
    for (let i = 0; i < SIMULATIONS; i++) {
      const same = unpairedRowInterval(sample(30, 0.2), sample(24, 0.2), i + 1);
      if (verdictOf(same, 'lower') === 'no clear difference') clear++;
      const shifted = unpairedRowInterval(sample(30, 0.2), sample(24, 0.15), i + 1);
      if (verdictOf(shifted, 'lower') === 'better') detected++;
    }
    console.log('unpaired rows: no clear difference', clear, 'detected', detected);
    expect(clear).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
    expect(detected).toBeGreaterThanOrEqual(0.9 * SIMULATIONS);
  });

  it('covers a known mean at about the nominal rate', () => {
    const draw = normal(41);
    let covered = 0;
    for (let i = 0; i < SIMULATIONS; i++) {
      const diffs = Array.from({ length: 50 }, () => 0.1 + draw());
      const ci = pairedRowInterval(
        diffs.map(() => 0),
        diffs,
        i + 1,
      )!;
      if (ci.low <= 0.1 && 0.1 <= ci.high) covered++;
    }
    expect(covered / SIMULATIONS).toBeGreaterThan(0.9);
    expect(covered / SIMULATIONS).toBeLessThan(0.99);
  });

  it('is reproducible, resamples with replacement and skips undefined resamples', () => {
    const rows = [0.1, 0.5, 0.2, 0.9, 0.3];
    expect(pairedRowInterval(rows, [...rows].reverse(), 7)).toEqual(
      pairedRowInterval(rows, [...rows].reverse(), 7),
    );
    const drawn = resampleRows(1000, seededRandom(3));
    expect(Math.max(...drawn)).toBeLessThan(1000);
    expect(new Set(drawn).size).toBeLessThan(1000);
    expect(bootstrapInterval(() => NaN)).toBeNull();
  });
});
