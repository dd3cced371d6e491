// `npm run bench`: runs every benchmark in bench/*.bench.ts (or those named on the command line),
// each of which measures its own baseline in the same run and prints figures and ratios.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './harness.ts';
// The kernels' WAT sources compile on import here as in Vite (this runs under tsx).
import '../scripts/wat-register.ts';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

if (files.length === 0) {
  console.error(`No benchmark matches ${wanted.join(', ')}`);
  process.exit(1);
}

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Benchmark };
  console.log(`\n=== ${basename(file, '.bench.ts')}: ${mod.default.title} ===`);
  await mod.default.run();
}
