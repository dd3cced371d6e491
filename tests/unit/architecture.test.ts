// The layering of src/lib, checked on every import: lib never imports UI code; each folder imports
// only its own layer's folder or lower layers (so folders form no cycle); IndexedDB is opened only
// in store/; the UI never reaches tfjs, ffmpeg or IndexedDB except through lib.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = resolve('src/lib');
const UI = [resolve('src/components'), resolve('src/state'), resolve('src/App.svelte')];

/**
 * The layers of src/lib, lowest first. A module may import modules of its own folder and of any
 * folder in a LOWER layer; folders that share a layer do not import each other. `shapes` is the
 * file src/lib/shapes.ts. docs/architecture.md says why each folder sits where it does.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['util'], // ids, seeded random, throttling, .npy, the wasm assembler: no study knowledge
  ['shapes', 'compute'], // the study's fixed sizes and rates; tfjs backends and our kernels
  ['store'], // IndexedDB: schema, migrations, one module per kind of record
  ['study'], // labels, screenings, settings, datasets and splits built from the store
  ['ingest', 'features'], // films → frames and clips; clips → 193 audio features, log-mels
  ['models', 'metrics'], // network definitions, custom layers, stored-model loader; scores
  ['training', 'interop', 'demo'], // trainers and their workers; files in and out; demo project
  ['experiments'], // the paper's comparisons, each a pair of training runs
  ['views'], // what the notebook shows: curves, heatmaps, reconstructions, tables
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function imports(source: string): string[] {
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) found.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return found;
}

const libSources = () => files(LIB).filter((f) => /\.(ts|js)$/.test(f));

/** The folder of src/lib a path belongs to (`shapes` for src/lib/shapes.ts), or null outside. */
function folderOf(path: string): string | null {
  const rel = relative(LIB, path);
  if (rel.startsWith('..')) return null;
  const [first, ...rest] = rel.split(sep);
  return rest.length ? first : first.replace(/\.(ts|js)$/, '');
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/** Folder → the other folders it imports, each with the first import found, from lib's sources. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of libSources()) {
    const from = folderOf(file)!;
    for (const spec of imports(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const to = folderOf(resolve(dirname(file), spec));
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${relative('.', file)} imports ${spec}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/**
 * Groups of folders that import each other, directly or through others (the strongly connected
 * components of the folder graph with more than one folder, by Tarjan's algorithm).
 */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

describe('architecture', () => {
  it('finds the lib sources it checks', () => {
    expect(libSources().length).toBeGreaterThan(100);
    expect(folderGraph().get('training')?.has('models')).toBe(true);
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

  it('every folder of src/lib has exactly one layer, and every layer names a folder', () => {
    const folders = new Set(libSources().map((f) => folderOf(f)!));
    const listed = LAYERS.flat();
    expect([...folders].filter((f) => layerOf(f) < 0).sort()).toEqual([]);
    expect(listed.filter((f) => !folders.has(f))).toEqual([]);
    expect(listed.length).toBe(new Set(listed).size);
  });

  it('each folder imports only its own layer’s folder or lower layers', () => {
    const offences: string[] = [];
    for (const [from, edges] of folderGraph()) {
      for (const [to, where] of edges) {
        if (layerOf(to) >= layerOf(from)) offences.push(`${from} → ${to}: ${where}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('has no import cycles between folders', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('opens IndexedDB only in src/lib/store', () => {
    const STORE = join(LIB, 'store');
    const offences: string[] = [];
    const sources = [...files(resolve('src'))].filter((f) => /\.(ts|js|svelte)$/.test(f));
    for (const file of sources) {
      if (file.startsWith(STORE + sep)) continue;
      const text = readFileSync(file, 'utf8');
      const raw = text.match(/\b(openStore|writeTransaction|indexedDB)\b|\.objectStore\(/);
      if (raw) offences.push(`${relative('.', file)} uses ${raw[0]}`);
      for (const spec of imports(text)) {
        if (spec === 'idb' || spec.startsWith('idb/'))
          offences.push(`${relative('.', file)} imports ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('the UI reaches tfjs, ffmpeg and IndexedDB only through src/lib', () => {
    const offences: string[] = [];
    const sources = UI.flatMap((p) => (statSync(p).isDirectory() ? files(p) : [p]));
    for (const file of sources.filter((f) => /\.(ts|js|svelte)$/.test(f))) {
      for (const spec of imports(readFileSync(file, 'utf8'))) {
        if (/^(@tensorflow\/|@ffmpeg\/|idb$)/.test(spec))
          offences.push(`${relative('.', file)} imports ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
