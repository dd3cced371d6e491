/**
 * Finds the study's chemicals among an ARFF file's attributes by name — the protonated mass in
 * the name within a tolerance, or a CO₂ alias — never by column position.
 */
import type { ArffAttribute } from './arff';
import type { ChemicalSpec } from './chemicals';

export interface ChemicalMatch {
  key: string;
  /** Index of the attribute, or -1 when the file lacks this chemical. */
  attribute: number;
  attributeName: string | null;
}

const massIn = (name: string): number | null => {
  const m = /(\d+\.\d+)/.exec(name);
  return m ? Number(m[1]) : null;
};

/** Matches any of a chemical's names as a whole word in an attribute name. */
function aliasPattern(chem: ChemicalSpec): RegExp {
  const names = [chem.name, chem.key, ...(chem.aliases ?? [])];
  const escaped = names.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(^|[^a-z0-9])(${escaped.join('|')})([^a-z0-9]|$)`, 'i');
}

/** One match per chemical, in the table's order; the closest mass wins among several. */
export function matchChemicals(
  attributes: readonly ArffAttribute[],
  table: readonly ChemicalSpec[],
  tolerance: number,
): ChemicalMatch[] {
  return table.map((chem) => {
    const alias = aliasPattern(chem);
    let best = -1;
    let bestDistance = Infinity;
    attributes.forEach((attr, i) => {
      if (attr.type !== 'numeric') return;
      let distance: number | null = null;
      if (chem.mass !== null) {
        const mass = massIn(attr.name);
        if (mass !== null && Math.abs(mass - chem.mass) <= tolerance + 1e-9) {
          distance = Math.abs(mass - chem.mass);
        }
      }
      if (distance === null && alias.test(attr.name)) distance = 0;
      if (distance !== null && distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    });
    return {
      key: chem.key,
      attribute: best,
      attributeName: best < 0 ? null : attributes[best].name,
    };
  });
}
