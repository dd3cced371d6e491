/**
 * How the views pick and name stored models and runs: which models are autoencoders, which have
 * checkpoints to show, and a run's label in legends. Read-only; the training code writes these.
 */
import { checkpointEpochs } from '../store/checkpoints';
import { listModels } from '../store/runs';
import type { ModelRecord, RunRecord } from '../store/schema';

/** Autoencoders are the models whose output is a reconstruction of the sequence. */
export function isAutoencoder(model: ModelRecord): boolean {
  return /autoencoder/i.test(model.kind);
}

/** A short, stable name for a run in legends and tables. */
export function runLabel(run: RunRecord, position: number, models: readonly ModelRecord[]): string {
  const model = models.find((m) => m.id === run.modelId);
  const named = typeof run.config.name === 'string' ? run.config.name : run.kind;
  return `#${position + 1} ${model?.name ?? named}`;
}

export interface ModelCheckpoints {
  model: ModelRecord;
  epochs: number[];
}

/** The project's models that have at least one checkpoint, with their checkpointed epochs. */
export async function modelsWithCheckpoints(
  projectId: string,
  which: (m: ModelRecord) => boolean = () => true,
): Promise<ModelCheckpoints[]> {
  const models = (await listModels(projectId)).filter(which);
  const withEpochs = await Promise.all(
    models.map(async (model) => ({ model, epochs: await checkpointEpochs(model.id) })),
  );
  return withEpochs.filter((m) => m.epochs.length);
}

/**
 * The checkpoint the activation maps open on ("modelId@epoch"): the latest autoencoder's last
 * epoch, since its encoder's 3D layers are what the maps show (audio networks have none); the
 * latest model when no autoencoder is stored; '' when there is none.
 */
export function defaultActivationChoice(models: readonly ModelCheckpoints[]): string {
  const m = models.findLast((c) => isAutoencoder(c.model)) ?? models.at(-1);
  return m ? `${m.model.id}@${m.epochs.at(-1)}` : '';
}
