/**
 * The six breath gases the study regresses, selected in ARFF files by attribute name (protonated
 * mass for the VOCs, with a tolerance), never by column position.
 */
export interface ChemicalSpec {
  key: string;
  name: string;
  /** Protonated mass in the ARFF attribute name (m33.0335 …); null for CO₂, matched by name. */
  mass: number | null;
  /** Attribute-name patterns that identify a chemical without a mass. */
  aliases?: readonly string[];
}

export const CHEMICALS: readonly ChemicalSpec[] = [
  { key: 'co2', name: 'CO₂', mass: null, aliases: ['co2', 'CO2', 'carbon dioxide'] },
  { key: 'methanol', name: 'methanol', mass: 33.0335 },
  { key: 'ethanol', name: 'ethanol', mass: 46.0653 },
  { key: 'acetone', name: 'acetone', mass: 58.0756 },
  { key: 'isoprene', name: 'isoprene', mass: 70.0766 },
  { key: 'siloxane', name: 'siloxane', mass: 374.0818 },
];

export const CHEMICAL_KEYS = CHEMICALS.map((c) => c.key);

/** Masses in attribute names are matched within this distance (in u). */
export const DEFAULT_MASS_TOLERANCE = 0.01;

/** The paper's value for a missing (`?`) normalised measurement. */
export const MISSING_VOC_VALUE = 0.5;
