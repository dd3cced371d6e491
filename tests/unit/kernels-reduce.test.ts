// How the WebGPU column reduction splits its work: each pass keeps the GPU busy without exceeding
// the dispatch limit, and the passes end at one row.
import { describe, expect, it } from 'vitest';
import { columnSumPasses } from '../../src/lib/compute/kernels/webgpu-reduce';

describe('column-sum passes', () => {
  it.each([
    [16 * 30 * 36 * 64, 16],
    [16 * 30 * 36 * 64, 3],
    [1_048_561, 1],
    [16, 1024],
    [33, 64_512],
    [2, 5],
  ])('reduce %i rows of %i columns to one row', (rows, cols) => {
    const passes = columnSumPasses(rows, cols);
    expect(passes[0].rows).toBe(rows);
    let r = rows;
    for (const p of passes) {
      expect(p.rows).toBe(r);
      expect(p.run).toBeGreaterThanOrEqual(1);
      // At most 65,535 workgroups of 256 threads per pass.
      expect(Math.ceil((Math.ceil(p.rows / p.run) * cols) / 256)).toBeLessThanOrEqual(65_535);
      r = Math.ceil(p.rows / p.run);
    }
    expect(r).toBe(1);
    expect(passes.length).toBeLessThanOrEqual(4);
  });
});
