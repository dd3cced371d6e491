// src/lib is framework-free: it must never import Svelte components, Svelte itself, or UI modules.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = resolve('src/lib');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function imports(source: string): string[] {
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) found.push(m[1] ?? m[2] ?? m[3]);
  return found;
}

describe('architecture', () => {
  it('finds the lib sources it checks', () => {
    expect(files(LIB).filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(5);
  });

  it('src/lib never imports UI code or Svelte', () => {
    const offences: string[] = [];
    for (const file of files(LIB)) {
      if (file.endsWith('.svelte'))
        offences.push(`${relative('.', file)} is a component inside lib`);
      if (!/\.(ts|js)$/.test(file)) continue;
      for (const spec of imports(readFileSync(file, 'utf8'))) {
        const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
        const outsideLib = spec.startsWith('.') && !target.startsWith(LIB);
        if (
          spec.endsWith('.svelte') ||
          spec === 'svelte' ||
          spec.startsWith('svelte/') ||
          outsideLib
        ) {
          offences.push(`${relative('.', file)} imports ${spec}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });
});
