/**
 * Saved run pairs: the baseline and variant of an experiment are two ordinary runs in
 * the `runs` store, so every view that overlays runs (curves, tables) shows them without knowing
 * about experiments. The link lives in each run's config (`comparison`: id, role, partner), and
 * the variant run also carries the result table, so a pair is saved in one transaction and needs
 * no new store.
 */
import { listRuns, putRuns } from '../store/runs';
import type { RunRecord } from '../store/schema';
import { newId } from '../util/id';
import { restoreRow, type ComparisonRecord, type ExperimentKind } from './comparison';
import type { LagResult } from './response-lag';

/** A comparison as stored: the result table plus, for a lag scan, MAE at every lag. */
export interface StoredComparison extends ComparisonRecord {
  scan?: LagResult[];
  /** Settings the pair was trained with (epochs, input, lags…), for the record. */
  settings: Record<string, unknown>;
}

export interface PairLink {
  comparisonId: string;
  experiment: ExperimentKind;
  role: 'baseline' | 'variant';
  partnerRunId: string;
  label: string;
}

/** One arm's training, ready to store: what it trained and its per-epoch metrics. */
export interface ArmRun {
  label: string;
  /** Run kind shown in the views, e.g. 'gases (audio features)'. */
  kind: string;
  config: Record<string, unknown>;
  epochs: Record<string, unknown>[];
  state: RunRecord['state'];
  /** A model the arm kept (e.g. a video arm's autoencoder, whose encoder fed its heads). */
  modelId?: string;
}

/**
 * Stores both arms as runs and the comparison, atomically. Most arms keep no weights (they are
 * measurements, not models to reuse) and have no model record; `config.name` names them in
 * legends ("#3 missing-gas · baseline: 0.5 fill"). An arm that kept a model (stored before, by
 * the training worker) links it as the run's model, named the same.
 */
export async function savePair(
  projectId: string,
  experiment: ExperimentKind,
  baseline: ArmRun,
  variant: ArmRun,
  comparison: Omit<StoredComparison, 'id' | 'projectId' | 'baseline' | 'variant' | 'createdAt'>,
): Promise<StoredComparison> {
  const now = Date.now();
  const id = newId();
  const [baseRun, variantRun] = [newId(), newId()];
  const record: StoredComparison = {
    ...comparison,
    id,
    projectId,
    experiment,
    baseline: { runId: baseRun, label: baseline.label },
    variant: { runId: variantRun, label: variant.label },
    createdAt: now,
  };
  const arms = [
    { arm: baseline, runId: baseRun, role: 'baseline' as const, partner: variantRun },
    { arm: variant, runId: variantRun, role: 'variant' as const, partner: baseRun },
  ];
  const runs = arms.map(({ arm, runId, role, partner }, i): RunRecord => {
    const link: PairLink = {
      comparisonId: id,
      experiment,
      role,
      partnerRunId: partner,
      label: arm.label,
    };
    return {
      id: runId,
      projectId,
      kind: arm.kind,
      modelId: arm.modelId ?? null,
      config: {
        ...arm.config,
        name: `${experiment} · ${role}: ${arm.label}`,
        comparison: link,
        ...(role === 'variant' ? { result: record } : {}),
      },
      epochs: arm.epochs,
      state: arm.state,
      createdAt: now + i,
    };
  });
  await putRuns(runs, `run pair “${experiment}”`);
  return record;
}

/**
 * The project's saved comparisons, newest first; rows saved before seeds and intervals
 * are read as one seed with no interval, so no verdict is claimed for them.
 */
export async function listComparisons(projectId: string): Promise<StoredComparison[]> {
  const runs = await listRuns(projectId);
  return runs
    .map((r) => r.config.result as StoredComparison | undefined)
    .filter((c): c is StoredComparison => !!c && typeof c === 'object' && 'rows' in c)
    .map((c) => ({ ...c, rows: c.rows.map(restoreRow) }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** The link of a run that belongs to a pair, or null. */
export function pairLinkOf(run: RunRecord): PairLink | null {
  const link = run.config.comparison as PairLink | undefined;
  return link && typeof link === 'object' && 'partnerRunId' in link ? link : null;
}
