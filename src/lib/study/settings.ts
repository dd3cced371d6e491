/**
 * The study-data choices of a project (label threshold and overrides, split, gas normalisation,
 * missing values, lag, chemical table), kept in the project's settings under `study` so every
 * model section builds its dataset with the same ones.
 */
import { getProject, updateProject } from '../store/projects';
import type { ProjectRecord } from '../store/schema';
import { CHEMICALS, DEFAULT_MASS_TOLERANCE, type ChemicalSpec } from './chemicals';
import { DEFAULT_SPLIT, type SplitSpec } from './dataset';
import type { GasNormalisation, MissingGasFill } from './gasTargets';
import type { LabelOverrides } from './labelSelection';
import { DEFAULT_MIN_LABEL_COUNT } from './vocabulary';

/** What produces the sequences a dataset may use. */
export type SequenceSource = 'frames' | 'audio' | 'all';
export const SEQUENCE_SOURCES: readonly SequenceSource[] = ['frames', 'audio', 'all'];

export interface StudySettings {
  minLabelCount: number;
  labelOverrides: LabelOverrides;
  split: SplitSpec;
  normalisation: GasNormalisation;
  missing: MissingGasFill;
  /** Gas row r + lag is the target of sequence r (breath may respond minutes later). */
  lag: number;
  chemicals: ChemicalSpec[];
  massTolerance: number;
}

export const DEFAULT_STUDY_SETTINGS: StudySettings = {
  minLabelCount: DEFAULT_MIN_LABEL_COUNT,
  labelOverrides: {},
  split: DEFAULT_SPLIT,
  normalisation: 'per-chemical',
  missing: 'constant',
  lag: 0,
  chemicals: CHEMICALS.map((c) => ({ ...c })),
  massTolerance: DEFAULT_MASS_TOLERANCE,
};

export function studySettingsOf(project: ProjectRecord | undefined): StudySettings {
  const stored = (project?.settings.study ?? {}) as Partial<StudySettings>;
  return { ...DEFAULT_STUDY_SETTINGS, ...stored };
}

export async function getStudySettings(projectId: string): Promise<StudySettings> {
  return studySettingsOf(await getProject(projectId));
}

export async function saveStudySettings(
  projectId: string,
  change: Partial<StudySettings>,
): Promise<StudySettings> {
  const project = await getProject(projectId);
  if (!project) throw new Error(`No project with id ${projectId}.`);
  const next = { ...studySettingsOf(project), ...change };
  await updateProject(projectId, { settings: { ...project.settings, study: next } });
  return next;
}
