/**
 * Realistic synthetic VOC screenings as ARFF text, for tests and the demo study: the real files'
 * shape (date and string attributes, many mass channels named `m<mass>`, CO₂, the six chemicals
 * among them), per-audience baselines, noise, `?` gaps, optional sparse rows, and peaks shared by
 * all screenings of a movie — the study's central observation.
 */
import { seededRandom } from '../util/random';
import { CHEMICALS, type ChemicalSpec } from './chemicals';

export interface SyntheticArffOptions {
  rows: number;
  /** Seed of this screening (audience, noise, gaps). */
  seed: number;
  /**
   * The movie's shared response per period, rows × chemicals (a rise relative to baseline). When
   * absent, random peaks are drawn from `movieSeed`, so screenings with one movieSeed agree.
   */
  response?: Float32Array;
  movieSeed?: number;
  /** Mass channels besides the chemicals (the real files have thousands). */
  extraAttributes?: number;
  missingRate?: number;
  noise?: number;
  /** Write rows in sparse `{index value}` form. */
  sparse?: boolean;
  relation?: string;
  chemicals?: readonly ChemicalSpec[];
}

const BASELINES: Record<string, number> = {
  co2: 450,
  methanol: 120,
  ethanol: 80,
  acetone: 600,
  isoprene: 150,
  siloxane: 40,
};

/** A movie's shared breath response: a few peaks per chemical, smoothed by the generator. */
export function syntheticResponse(rows: number, k: number, movieSeed: number): Float32Array {
  const rand = seededRandom(movieSeed);
  const out = new Float32Array(rows * k);
  for (let c = 0; c < k; c++) {
    const peaks = 1 + Math.floor(rows / 8);
    for (let p = 0; p < peaks; p++) {
      out[Math.floor(rand() * rows) * k + c] += 0.3 + 0.5 * rand();
    }
  }
  return out;
}

function attributeName(chem: ChemicalSpec): string {
  return chem.mass === null ? 'CO2' : `m${chem.mass.toFixed(4)}`;
}

export function syntheticArff(options: SyntheticArffOptions): string {
  const chemicals = options.chemicals ?? CHEMICALS;
  const k = chemicals.length;
  const { rows, seed } = options;
  const response = options.response ?? syntheticResponse(rows, k, options.movieSeed ?? 1);
  const rand = seededRandom(seed);
  const noise = options.noise ?? 0.05;
  const missingRate = options.missingRate ?? 0.04;
  const extra = options.extraAttributes ?? 60;
  const masses = chemicals.flatMap((c) => (c.mass === null ? [] : [c.mass]));

  // Attribute list: time, note, CO₂, then mass channels in ascending mass with the chemicals placed
  // where their masses fall — so a reader that trusts column positions would go wrong.
  const channels: { name: string; chem: number }[] = [];
  for (let i = 0; channels.length < extra; i++) {
    const mass = 20 + i * 0.731 + rand() * 0.05;
    if (masses.some((m) => Math.abs(m - mass) < 0.05)) continue;
    channels.push({ name: `m${mass.toFixed(4)}`, chem: -1 });
  }
  chemicals.forEach((c, i) => channels.push({ name: attributeName(c), chem: i }));
  channels.sort((a, b) => massOf(a.name) - massOf(b.name));

  const lines = [
    `% Synthetic PTR-ToF-MS screening (seed ${seed}); one row per 30 s of film.`,
    `@relation '${options.relation ?? 'screening'}'`,
    `@attribute 'time' date "yyyy-MM-dd HH:mm:ss"`,
    '@attribute note string',
    ...channels.map((c) => `@attribute '${c.name}' numeric`),
    '@data',
  ];
  const audience = 0.6 + 0.8 * rand();
  const level = new Float64Array(k);
  const start = Date.UTC(2013, 11, 1, 20, 0, 0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) level[c] = 0.5 * level[c] + response[r * k + c];
    const time = new Date(start + r * 30_000).toISOString().slice(0, 19).replace('T', ' ');
    const fields = [`'${time}'`, r === 0 ? "'film starts'" : '?'];
    for (const ch of channels) {
      let v: number;
      if (ch.chem >= 0) {
        const key = chemicals[ch.chem].key;
        const base = BASELINES[key] ?? 100;
        v = base * (1 + audience * (level[ch.chem] + noise * (rand() * 2 - 1)) + 0.02 * (seed % 5));
      } else {
        v = 5 + 20 * rand();
      }
      fields.push(rand() < missingRate ? '?' : v.toFixed(4));
    }
    if (options.sparse) {
      lines.push(`{${fields.map((f, i) => `${i} ${f}`).join(', ')}}`);
    } else lines.push(fields.join(','));
  }
  return lines.join('\n') + '\n';
}

function massOf(name: string): number {
  return name === 'CO2' ? 44 : Number(name.slice(1));
}
