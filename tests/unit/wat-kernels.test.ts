// The build step that turns the kernels' WAT sources into bytes (scripts/wat-kernels.ts): every
// kernel source compiles to a module that validates, and a mistake in one is reported with its
// file and line instead of failing later at instantiation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWat } from '../../scripts/wat-kernels';

const KERNEL_DIRS = ['src/lib/features/wat', 'src/lib/ingest/wat'];
const sources = KERNEL_DIRS.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.wat'))
    .map((f) => join(dir, f)),
);

describe('WAT kernels', () => {
  it('compile to valid SIMD modules, each importing its memory as m.memory', async () => {
    expect(sources.length).toBeGreaterThanOrEqual(7);
    for (const path of sources) {
      const bytes = await compileWat(path, readFileSync(path, 'utf8'));
      expect(WebAssembly.validate(bytes), path).toBe(true);
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module), path).toEqual([
        { module: 'm', name: 'memory', kind: 'memory' },
      ]);
      expect(WebAssembly.Module.exports(module).length, path).toBeGreaterThan(0);
    }
  });

  it('report a mistake with the file and line', async () => {
    const text = '(module\n  (func $f (result i32)\n    (i32.add (i32.const 1))))\n';
    await expect(compileWat('broken.wat', text)).rejects.toThrow(/broken\.wat:3/);
  });
});
